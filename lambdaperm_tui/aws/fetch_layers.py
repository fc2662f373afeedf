"""Lambda's layers: ListLayers per Region, each layer's versions and each version's policy (layer
permissions live on versions)."""

from __future__ import annotations

from ..inventory.events import LayerLoaded
from ..inventory.model import Layer, LayerVersion
from .fetch_lambda import lambda_policy_slot
from .fetching import READ_ERRORS, MalformedResponse, Scheduler, field_of, optional_of


class LayerFetcher:
    """Layers of every Region."""

    def __init__(self, s: Scheduler) -> None:
        self.s = s

    def list_layers(self, region: str) -> None:
        """Page through ListLayers in ``region``; each layer is then loaded on its own task."""
        where = f"lambda:{region}"
        whole = True
        try:
            for page in self.s.pages("lambda", region, "ListLayers", "Layers", "Marker", "NextMarker"):
                entries: list[tuple[str, str]] = []
                for layer in page:
                    try:
                        entries.append(
                            (
                                field_of(layer, "LayerName", str, "ListLayers entry"),
                                field_of(layer, "LayerArn", str, "ListLayers entry"),
                            )
                        )
                    except MalformedResponse as exc:
                        self.s.unlist("layers", region, self.s.fail("layers", where, "ListLayers", exc))
                        whole = False
                self.s.progress("layers", total=len(entries))
                for name, arn in entries:
                    self.s.submit(self.load_layer, region, name, arn)
        except READ_ERRORS as exc:
            self.s.unlist("layers", region, self.s.fail("layers", where, "ListLayers", exc))
            return
        if whole:
            self.s.listed_in_full("layers", region)

    def load_layer(self, region: str, name: str, arn: str) -> None:
        """The versions of one layer, each with its policy (GetLayerVersionPolicy)."""
        versions: list[LayerVersion] = []
        versions_unknown: str | None = None
        try:
            for page in self.s.pages(
                "lambda", region, "ListLayerVersions", "LayerVersions", "Marker", "NextMarker", LayerName=name
            ):
                for v in page:
                    where = "ListLayerVersions entry"
                    number = field_of(v, "Version", int, where)
                    version_arn = field_of(v, "LayerVersionArn", str, where)
                    runtimes = optional_of(v, "CompatibleRuntimes", list, where) or []
                    description = optional_of(v, "Description", str, where) or ""
                    policy = lambda_policy_slot(
                        self.s,
                        "layer-version-policy",
                        version_arn,
                        region,
                        "GetLayerVersionPolicy",
                        {"LayerName": name, "VersionNumber": number},
                    )
                    versions.append(
                        LayerVersion(
                            arn=version_arn,
                            layer_name=name,
                            version=number,
                            region=region,
                            compatible_runtimes=tuple(str(r) for r in runtimes),
                            description=description,
                            policy=policy,
                        )
                    )
        except READ_ERRORS as exc:
            versions_unknown = self.s.fail("layer", arn, "ListLayerVersions", exc)
        layer = Layer(
            arn=arn, name=name, region=region, versions=tuple(versions), versions_unknown=versions_unknown
        )
        self.s.emit(LayerLoaded(layer))
        self.s.progress("layers", done=1)
