"""IAM: roles (trust, inline, attached and boundary policies, tags), users (their groups too), groups and
the managed policies they use, from one GetAccountAuthorizationDetails walk, or, when that cannot be read
(denied, an error, a damaged page), from per-principal calls, each list on its own.

Both ways read the same facts of a role, user or group into a ``_Read`` and build the model from it in
one place (``_build``); IAM's operation and key names follow one pattern per kind (``_Kind``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import botocore.exceptions as bce

from ..inventory.events import IamLoaded
from ..inventory.model import Group, ListedKind, ManagedPolicy, NamedPolicy, PolicySlot, Role, User
from .fetching import (
    DENIED_CODES,
    READ_ERRORS,
    MalformedResponse,
    Scheduler,
    error_code,
    excerpt,
    field_of,
    optional_of,
    parse_document,
    tags_of,
)

_DETAILS = "GetAccountAuthorizationDetails"


@dataclass(frozen=True, slots=True)
class _Kind:
    """Roles, users or groups, and the names IAM gives their operations and keys."""

    listed: ListedKind
    noun: str  # "Role", "User", "Group"
    details_key: str  # the list of GetAccountAuthorizationDetails
    has_details_call: bool  # GetRole/GetUser (boundary and tags); groups have neither

    @property
    def name_key(self) -> str:
        return f"{self.noun}Name"

    @property
    def policy_kind(self) -> str:
        """The ``Failure.kind`` of its inline policies."""
        return f"{self.noun.lower()}-policy"


_ROLES = _Kind("roles", "Role", "RoleDetailList", True)
_USERS = _Kind("users", "User", "UserDetailList", True)
_GROUPS = _Kind("groups", "Group", "GroupDetailList", False)
# The IAM lists an inventory is built from (see ``Inventory.unlisted``).
IAM_LISTS: tuple[ListedKind, ...] = (_ROLES.listed, _USERS.listed, _GROUPS.listed)


@dataclass(frozen=True, slots=True)
class _Read:
    """What was read of one role, user or group, either way."""

    arn: str
    name: str
    path: str
    inline: tuple[NamedPolicy, ...]
    attached: tuple[str, ...]
    boundary: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    trust: PolicySlot | None = None  # roles
    groups: tuple[str, ...] = ()  # users
    policies_unknown: str | None = None
    tags_unknown: str | None = None


def _build(reads: list[_Read], kind: _Kind) -> list[Any]:
    """The model records of one kind: ``Role``, ``User`` or ``Group``."""
    out: list[Any] = []
    for r in reads:
        common: dict[str, Any] = dict(
            arn=r.arn, name=r.name, path=r.path, inline_policies=r.inline, managed_policy_arns=r.attached
        )
        if kind is _GROUPS:
            out.append(Group(**common))
            continue
        person = dict(
            common,
            boundary_arn=r.boundary,
            tags=r.tags,
            policies_unknown=r.policies_unknown,
            tags_unknown=r.tags_unknown,
        )
        if kind is _ROLES:
            out.append(Role(**person, trust_policy=r.trust or PolicySlot(unknown="not read")))
        else:
            out.append(User(**person, groups=r.groups))
    return out


def _attached_arns(holder: Any, where: str) -> tuple[str, ...]:
    items = optional_of(holder, "AttachedManagedPolicies", list, where) or []
    return tuple(field_of(p, "PolicyArn", str, f"{where} AttachedManagedPolicies") for p in items)


def _boundary_arn(holder: Any, where: str) -> str | None:
    boundary = optional_of(holder, "PermissionsBoundary", dict, where)
    return None if boundary is None else optional_of(boundary, "PermissionsBoundaryArn", str, where)


def _referenced_policies(reads: list[_Read]) -> set[str]:
    """ARNs of the managed policies attached to, or bounding, any of these principals."""
    out: set[str] = set()
    for r in reads:
        out.update(r.attached)
        if r.boundary:
            out.add(r.boundary)
    return out


def _policy_name_from_arn(arn: str) -> str:
    """A managed policy's name: the last segment of ``arn:aws:iam::A:policy[/path/]NAME``."""
    return arn.rsplit("/", 1)[-1]


class IamFetcher:
    """The account's IAM, read in the first Region of the load."""

    def __init__(self, s: Scheduler) -> None:
        self.s = s

    def load(self) -> None:
        """Roles, users, groups and their policies: one GetAccountAuthorizationDetails walk, or, when that
        cannot be read (denied, an error, a damaged page), per-principal calls, each list on its own."""
        region = self.s.regions[0]
        try:
            loaded = self._from_authorization_details(region)
            for kind in IAM_LISTS:
                self.s.listed_in_full(kind, None)
        except READ_ERRORS as exc:
            if not (isinstance(exc, bce.ClientError) and error_code(exc) in DENIED_CODES):
                # Denied is the expected case of a narrow role; anything else is a fault worth showing.
                self.s.fail("iam", "iam", _DETAILS, exc)
            loaded = _PerPrincipal(self, region).load()
        self.s.emit(loaded)
        self.s.progress("iam", done=1)

    # ------------------------------------------------------------------ GetAccountAuthorizationDetails

    def _from_authorization_details(self, region: str) -> IamLoaded:
        """The account's IAM from GetAccountAuthorizationDetails. Any entry it cannot rely on raises
        ``MalformedResponse`` (the caller then falls back to per-principal calls)."""
        reads: dict[str, list[_Read]] = {k.noun: [] for k in (_ROLES, _USERS, _GROUPS)}
        policies: dict[str, ManagedPolicy] = {}
        for response in self._detail_pages(region):
            for kind in (_ROLES, _USERS, _GROUPS):
                for entry in optional_of(response, kind.details_key, list, _DETAILS) or ():
                    reads[kind.noun].append(self._detail(kind, entry))
            for p in optional_of(response, "Policies", list, _DETAILS) or ():
                policies.update([self._detail_policy(p)])
        # AWS-managed policies attached to someone but not returned (some endpoints omit them).
        referenced = _referenced_policies([r for group in reads.values() for r in group])
        for arn in sorted(referenced - policies.keys()):
            policies[arn] = self.managed_policy(region, arn)
        self.s.progress("iam", total=0)
        return IamLoaded(
            tuple(_build(reads["Role"], _ROLES)),
            tuple(_build(reads["User"], _USERS)),
            tuple(_build(reads["Group"], _GROUPS)),
            tuple(policies[k] for k in sorted(policies)),
        )

    def _detail(self, kind: _Kind, entry: Any) -> _Read:
        where = f"{_DETAILS} {kind.noun.lower()}"
        arn = field_of(entry, "Arn", str, where)
        groups = optional_of(entry, "GroupList", list, where) or []
        if not all(isinstance(g, str) for g in groups):
            raise MalformedResponse(f"{where}: GroupList is not a list of names")
        return _Read(
            arn=arn,
            name=field_of(entry, kind.name_key, str, where),
            path=optional_of(entry, "Path", str, where) or "/",
            inline=self._inline_from_details(
                kind.policy_kind, arn, optional_of(entry, f"{kind.noun}PolicyList", list, where)
            ),
            attached=_attached_arns(entry, where),
            boundary=_boundary_arn(entry, where),
            tags=tags_of(entry.get("Tags"), where),
            trust=self.iam_slot("role-trust-policy", arn, entry.get("AssumeRolePolicyDocument"))
            if kind is _ROLES
            else None,
            groups=tuple(groups),
        )

    def _detail_policy(self, p: Any) -> tuple[str, ManagedPolicy]:
        where = f"{_DETAILS} policy"
        arn = field_of(p, "Arn", str, where)
        versions = optional_of(p, "PolicyVersionList", list, where) or []
        default = next((v for v in versions if isinstance(v, dict) and v.get("IsDefaultVersion")), None)
        slot = (
            self.iam_slot("managed-policy", arn, default.get("Document"))
            if default is not None
            else PolicySlot(
                unknown=self.s.fail("managed-policy", arn, _DETAILS, "NoDefaultVersion: not returned")
            )
        )
        # Plain moto (and moto 5.2.5 without the demo adapter) leaves PolicyName out; the name is the ARN's
        # last path segment, never the whole ARN (a lookup by name would miss it).
        name = optional_of(p, "PolicyName", str, where) or _policy_name_from_arn(arn)
        return arn, ManagedPolicy(arn=arn, name=name, slot=slot)

    def _detail_pages(self, region: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {}
            if token:
                params["Marker"] = token
            response = self.s.call("iam", region, _DETAILS, **params)
            if not isinstance(response, dict):
                raise MalformedResponse(f"{_DETAILS}: expected an object")
            yield response
            if not optional_of(response, "IsTruncated", bool, _DETAILS):
                return
            token = optional_of(response, "Marker", str, _DETAILS) or ""
            if not token or token in seen:
                # Truncated with no new marker: the rest cannot be asked for. Recorded, never dropped.
                raise bce.PaginationError(
                    message=f"{_DETAILS} is truncated but gave marker {excerpt(token, 40)!r} again"
                    if token
                    else f"{_DETAILS} is truncated but gave no marker"
                )
            seen.add(token)

    def _inline_from_details(self, kind: str, owner: str, items: Any) -> tuple[NamedPolicy, ...]:
        out = []
        for item in items or ():
            name = field_of(item, "PolicyName", str, f"inline policy of {owner}")
            slot = self.iam_slot(kind, f"{owner}/{name}", item.get("PolicyDocument"))
            out.append(NamedPolicy(name=name, slot=slot))
        return tuple(out)

    # ------------------------------------------------------------------ shared

    def iam_slot(self, kind: str, resource: str, document: Any, operation: str = _DETAILS) -> PolicySlot:
        """The slot of an IAM policy document that IAM always returns (trust, inline, managed version).

        A response without it is unknown with a ``Failure``, never "no policy": a role without a trust
        policy or an inline policy without a document does not exist in IAM.
        """
        if document is None:
            missing = "MissingDocument: the response has no document"
            return PolicySlot(unknown=self.s.fail(kind, resource, operation, missing))
        try:
            return PolicySlot(document=parse_document(document))
        except ValueError as exc:
            return PolicySlot(unknown=self.s.fail(kind, resource, operation, exc))

    def managed_policy(self, region: str, arn: str) -> ManagedPolicy:
        """GetPolicy + GetPolicyVersion(default) for one managed policy; unknown with a reason on error,
        recorded under the operation that failed."""
        name = _policy_name_from_arn(arn)
        try:
            meta = field_of(
                self.s.call("iam", region, "GetPolicy", PolicyArn=arn), "Policy", dict, "GetPolicy"
            )
            name = optional_of(meta, "PolicyName", str, "GetPolicy") or name
            default_version = field_of(meta, "DefaultVersionId", str, "GetPolicy")
        except READ_ERRORS as exc:
            slot = PolicySlot(unknown=self.s.fail("managed-policy", arn, "GetPolicy", exc))
            return ManagedPolicy(arn=arn, name=name, slot=slot)
        try:
            response = self.s.call(
                "iam", region, "GetPolicyVersion", PolicyArn=arn, VersionId=default_version
            )
            version = field_of(response, "PolicyVersion", dict, "GetPolicyVersion")
        except READ_ERRORS as exc:
            slot = PolicySlot(unknown=self.s.fail("managed-policy", arn, "GetPolicyVersion", exc))
            return ManagedPolicy(arn=arn, name=name, slot=slot)
        slot = self.iam_slot("managed-policy", arn, version.get("Document"), "GetPolicyVersion")
        return ManagedPolicy(arn=arn, name=name, slot=slot)


class _PerPrincipal:
    """Per-principal IAM calls, used when GetAccountAuthorizationDetails cannot be read.

    Each list (roles, users, groups) stands on its own: one that fails is ``Unlisted`` with its reason and
    the others still load; within a list, a principal whose details fail is kept with them unknown.
    """

    def __init__(self, iam: IamFetcher, region: str) -> None:
        self.iam = iam
        self.s = iam.s
        self.region = region

    def _list(self, operation: str, key: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        for page in self.s.pages("iam", self.region, operation, key, "Marker", "Marker", **params):
            items.extend(page)
        return items

    def _inline(
        self, kind: _Kind, owner_arn: str, **owner: Any
    ) -> tuple[tuple[NamedPolicy, ...], str | None]:
        list_op, get_op = f"List{kind.noun}Policies", f"Get{kind.noun}Policy"
        try:
            names = self._list(list_op, "PolicyNames", **owner)
            if not all(isinstance(n, str) for n in names):
                raise MalformedResponse(f"{list_op}: PolicyNames is not a list of names")
        except READ_ERRORS as exc:
            return (), self.s.fail(kind.policy_kind, owner_arn, list_op, exc)
        out = []
        for name in names:
            try:
                response = self.s.call("iam", self.region, get_op, PolicyName=name, **owner)
                doc = field_of(response, "PolicyDocument", (str, dict), get_op)
                slot = self.iam.iam_slot(kind.policy_kind, f"{owner_arn}/{name}", doc, get_op)
            except READ_ERRORS as exc:
                slot = PolicySlot(unknown=self.s.fail(kind.policy_kind, f"{owner_arn}/{name}", get_op, exc))
            out.append(NamedPolicy(name=name, slot=slot))
        return tuple(out), None

    def _attached(self, kind: _Kind, owner_arn: str, **owner: Any) -> tuple[tuple[str, ...], str | None]:
        op = f"ListAttached{kind.noun}Policies"
        try:
            items = self._list(op, "AttachedPolicies", **owner)
            return tuple(field_of(p, "PolicyArn", str, f"{op} entry") for p in items), None
        except READ_ERRORS as exc:
            return (), self.s.fail("iam", owner_arn, op, exc)

    def _details(self, kind: _Kind, arn: str, **owner: Any) -> tuple[str | None, Any, str | None]:
        """GetRole/GetUser: (boundary, tags, reason they are unknown). ListRoles/ListUsers return neither:
        https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html."""
        op = f"Get{kind.noun}"
        try:
            full = field_of(self.s.call("iam", self.region, op, **owner), kind.noun, dict, op)
            return _boundary_arn(full, op), tags_of(full.get("Tags"), op), None
        except READ_ERRORS as exc:
            return None, (), self.s.fail(kind.noun.lower(), arn, op, exc)

    def _member_of(self, arn: str, name: str) -> tuple[tuple[str, ...], str | None]:
        try:
            groups = self._list("ListGroupsForUser", "Groups", UserName=name)
            return tuple(field_of(g, "GroupName", str, "ListGroupsForUser entry") for g in groups), None
        except READ_ERRORS as exc:
            return (), self.s.fail("user", arn, "ListGroupsForUser", exc)

    def _read_all(self, kind: _Kind) -> list[_Read]:
        """Every principal of one list with its policies; a failed list or a damaged entry makes the list
        ``Unlisted`` (what was read is kept)."""
        operation = f"List{kind.noun}s"
        try:
            entries = self._list(operation, f"{kind.noun}s")
        except READ_ERRORS as exc:
            self.s.unlist(kind.listed, None, self.s.fail("iam", kind.listed, operation, exc))
            return []
        reads: list[_Read] = []
        whole = True
        where = f"{operation} entry"
        for entry in entries:
            try:
                arn, name = field_of(entry, "Arn", str, where), field_of(entry, kind.name_key, str, where)
                path = optional_of(entry, "Path", str, where) or "/"
            except MalformedResponse as exc:
                self.s.unlist(kind.listed, None, self.s.fail("iam", kind.listed, operation, exc))
                whole = False
                continue
            owner = {kind.name_key: name}
            inline, inline_unknown = self._inline(kind, arn, **owner)
            attached, attached_unknown = self._attached(kind, arn, **owner)
            boundary, tags, details_unknown = (
                self._details(kind, arn, **owner) if kind.has_details_call else (None, (), None)
            )
            groups, groups_unknown = self._member_of(arn, name) if kind is _USERS else ((), None)
            trust = (
                self.iam.iam_slot("role-trust-policy", arn, entry.get("AssumeRolePolicyDocument"), operation)
                if kind is _ROLES
                else None
            )
            reads.append(
                _Read(
                    arn=arn,
                    name=name,
                    path=path,
                    inline=inline,
                    attached=attached,
                    boundary=boundary,
                    tags=tags,
                    trust=trust,
                    groups=groups,
                    # GetRole/GetUser failed: the boundary is unknown, so every answer for it is.
                    policies_unknown=inline_unknown or attached_unknown or groups_unknown or details_unknown,
                    tags_unknown=details_unknown,
                )
            )
        if whole:
            self.s.listed_in_full(kind.listed, None)
        return reads

    def load(self) -> IamLoaded:
        """Roles, users and groups, each list read on its own, then the managed policies they use."""
        roles, users, groups = self._read_all(_ROLES), self._read_all(_USERS), self._read_all(_GROUPS)
        # A Group has no "unknown" marker of its own: a group whose policy lists could not be read makes
        # its members' policies unknown, so no answer for them treats the missing lists as "none".
        group_unknown = {g.name: g.policies_unknown for g in groups if g.policies_unknown}
        for i, user in enumerate(users):
            unread = [g for g in user.groups if g in group_unknown]
            if unread and not user.policies_unknown:
                users[i] = replace(user, policies_unknown=f"group {unread[0]}: {group_unknown[unread[0]]}")
        referenced = sorted(_referenced_policies([*roles, *users, *groups]))
        policies = tuple(self.iam.managed_policy(self.region, arn) for arn in referenced)
        return IamLoaded(
            tuple(_build(roles, _ROLES)),
            tuple(_build(users, _USERS)),
            tuple(_build(groups, _GROUPS)),
            policies,
        )
