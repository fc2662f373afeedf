"""Lambda's layers: ListLayers per Region, each layer's versions and each version's policy (layer
permissions live on versions)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from ..inventory.events import LayerLoaded
from ..inventory.model import Layer, LayerVersion
from .fetch_lambda import lambda_policy_slot
from .fetching import READ_ERRORS, MalformedResponse, Scheduler, field_of, optional_of


class LayerFetcher:
    """Layers of every Region."""

    def __init__(self, s: Scheduler) -> None:
        self.s = s
        self._lock = threading.Lock()

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
                    self.s.submit_call(region, "ListLayerVersions", self.load_layer, region, name, arn)
        except READ_ERRORS as exc:
            self.s.unlist("layers", region, self.s.fail("layers", where, "ListLayers", exc))
            return
        if whole:
            self.s.listed_in_full("layers", region)

    def load_layer(self, region: str, name: str, arn: str) -> None:
        """The versions of one layer; each version's policy (GetLayerVersionPolicy) is a task of its own,
        in its quota bucket's lane, and the last one to arrive reports the layer."""
        versions: list[LayerVersion] = []
        versions_unknown: str | None = None
        try:
            for page in self.s.pages(
                "lambda", region, "ListLayerVersions", "LayerVersions", "Marker", "NextMarker", LayerName=name
            ):
                for v in page:
                    where = "ListLayerVersions entry"
                    runtimes = optional_of(v, "CompatibleRuntimes", list, where) or []
                    versions.append(
                        LayerVersion(
                            arn=field_of(v, "LayerVersionArn", str, where),
                            layer_name=name,
                            version=field_of(v, "Version", int, where),
                            region=region,
                            compatible_runtimes=tuple(str(r) for r in runtimes),
                            description=optional_of(v, "Description", str, where) or "",
                        )
                    )
        except READ_ERRORS as exc:
            versions_unknown = self.s.fail("layer", arn, "ListLayerVersions", exc)
        work = _LayerAssembly(Layer(arn=arn, name=name, region=region, versions_unknown=versions_unknown))
        work.versions = versions
        work.parts = len(versions) + 1
        for i in range(len(versions)):
            self.s.submit_call(region, "GetLayerVersionPolicy", self._version_policy, work, i)
        self._part_done(work)

    def _version_policy(self, work: _LayerAssembly, index: int) -> None:
        version = work.versions[index]
        policy = lambda_policy_slot(
            self.s,
            "layer-version-policy",
            version.arn,
            version.region,
            "GetLayerVersionPolicy",
            {"LayerName": version.layer_name, "VersionNumber": version.version},
        )
        with self._lock:
            work.versions[index] = replace(version, policy=policy)
        self._part_done(work)

    def _part_done(self, work: _LayerAssembly) -> None:
        with self._lock:
            work.parts -= 1
            done = work.parts == 0
        if done:
            self.s.emit(LayerLoaded(replace(work.layer, versions=tuple(work.versions))))
            self.s.progress("layers", done=1)


@dataclass(eq=False)
class _LayerAssembly:
    """One layer being loaded: ``parts`` counts its version policies still to read (and the listing)."""

    layer: Layer
    versions: list[LayerVersion] = field(default_factory=list)
    parts: int = 1
