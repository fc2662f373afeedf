"""Findings on roles: ``execution-role`` (a role Lambda assumes that is trusted too widely or allowed too
much) and ``privilege-escalation`` (a principal that can run code as a more privileged role through
Lambda), each decided by probing the engine over the inventory's actual roles, functions, boundaries
and SCPs.

Escalation paths, from the public catalogue at pathfinding.cloud (ids lambda-001 ... lambda-006) and
Rhino Security Labs' list, which it credits:

- lambda-001: ``iam:PassRole`` + ``lambda:CreateFunction`` + ``lambda:InvokeFunction``;
- lambda-002: ``iam:PassRole`` + ``lambda:CreateFunction`` + ``lambda:CreateEventSourceMapping``;
- lambda-003: ``lambda:UpdateFunctionCode`` on a function a trigger runs;
- lambda-004: ``lambda:UpdateFunctionCode`` + ``lambda:InvokeFunction``;
- lambda-005: ``lambda:UpdateFunctionCode`` + ``lambda:AddPermission`` (granting itself invoke);
- lambda-006: ``iam:PassRole`` + ``lambda:CreateFunction`` + ``lambda:AddPermission``;
- update-configuration: ``lambda:UpdateFunctionConfiguration`` (a layer the attacker controls runs in
  the function) with a way to run it, and with ``iam:PassRole`` the role swapped for another.

A code or configuration change reaches only ``$LATEST``: published versions are immutable
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html), so a trigger on an alias runs
the new code only if the attacker can also ``lambda:PublishVersion`` and ``lambda:UpdateAlias`` it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...iam.errors import InputError
from ...iam.principal import parse_principal
from ...iam.request import IAM_PRINCIPAL_KINDS
from ...iam.scenario import NamedDocument, scenario_document
from ...iam.wildcard import wildcard_match
from ...inventory.model import Function, Inventory, Role
from .. import catalog
from ..gather import _assumed_allow
from ..principals import _as_list, _classify, _principals_of, _statements
from ..resolve import simulate
from .model import Finding, FindingKind, Severity
from .probe import Outcome, Prober

LAMBDA_SERVICE = "lambda.amazonaws.com"
_PASSED_TO = {"iam:PassedToService": LAMBDA_SERVICE}
# Actions that, all allowed, make a role administrator-equivalent (``*:*`` or as good as it).
_ADMIN_PROBES = (("iam:AttachUserPolicy", "user/lambdaperm-probe"), ("ec2:RunInstances", "*"))
_IAM_PROBES = (
    ("iam:PutRolePolicy", "role/lambdaperm-probe"),
    ("iam:CreateAccessKey", "user/lambdaperm-probe"),
)
# For an action pattern of every service ("*"), the actions asked for it.
_STAR_ACTIONS = ("iam:AttachUserPolicy", "ec2:RunInstances", "s3:GetObject")
_WITNESS_LIMIT = 40


def _iam_arn(inv: Inventory, tail: str) -> str:
    return tail if tail == "*" else f"arn:aws:iam::{inv.account_id}:{tail}"


def _concrete(pattern: str, inv: Inventory, region: str) -> str:
    """A concrete ARN that ``pattern`` (a policy Resource) matches: wildcards filled in."""
    if pattern == "*":
        return "*"
    parts = pattern.split(":")
    if len(parts) >= 6 and parts[0] == "arn":
        if "*" in parts[3] or "?" in parts[3]:
            parts[3] = region
        if "*" in parts[4] or "?" in parts[4]:
            parts[4] = inv.account_id
    return ":".join(parts).replace("*", "escalate").replace("?", "x")


def _documents(scenario: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(name, document) of the identity policies a scenario holds."""
    out = []
    for p in scenario.get("identity_policies") or ():
        if isinstance(p, dict):
            out.append((str(p.get("name", "")), p.get("document")))
    return out


def _matches(pattern: Any, action: str) -> bool:
    return isinstance(pattern, str) and wildcard_match(pattern, action, ignore_case=True)


def _resources_for(documents: Iterable[tuple[str, Any]], action: str) -> list[str]:
    """The Resource patterns of the Allow statements that name ``action``."""
    out: list[str] = []
    for _, doc in documents:
        for _, st in _statements(doc):
            if st.get("Effect") != "Allow":
                continue
            if not any(_matches(a, action) for a in _as_list(st.get("Action", []))):
                continue
            out += [r for r in _as_list(st.get("Resource", [])) if isinstance(r, str)]
    return out


def _actions_for(pattern: str) -> tuple[str, ...]:
    if "*" not in pattern and "?" not in pattern:
        return (pattern,)
    prefix = pattern.split(":", 1)[0]
    if "*" in prefix or "?" in prefix:
        return _STAR_ACTIONS
    known = [a for a in catalog.all_actions_for_prefix(prefix) if _matches(pattern, a)]
    return tuple(known[:2])


@dataclass
class _Principal:
    """One attacker or role with its answers cached (probes are asked once per principal)."""

    arn: str
    name: str
    kind: str  # "role" | "user"
    cache: dict[tuple[str, str, tuple[tuple[str, str], ...]], Outcome | None] = field(default_factory=dict)
    documents: list[tuple[str, Any]] | None = None  # identity policies (name, document), once read


class _Roles:
    def __init__(self, prober: Prober) -> None:
        self.prober = prober
        self.inv = prober.inv
        self.region = self.inv.regions[0] if self.inv.regions else "us-east-1"
        self.lambda_roles = [r for r in self.inv.roles if self._lambda_trusted(r)]
        self._witness: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._admin: dict[str, bool] = {}

    # -- probes ---------------------------------------------------------------------------------

    def ask(
        self,
        who: _Principal,
        action: str,
        resource: str,
        ctx: Mapping[str, str] | None = None,
        *,
        note: bool = True,
    ) -> Outcome | None:
        """The first check's outcome. A question the inventory cannot answer counts as no, and with
        ``note`` its reason goes to the report's ``unknown`` (an escalation may hide behind it)."""
        key = (action, resource, tuple(sorted((ctx or {}).items())))
        if key in who.cache:
            return who.cache[key]
        try:
            answer = simulate(self.inv, who.arn, action, resource, dict(ctx or {}), explain=False)
        except InputError:
            who.cache[key] = None
            return None
        outcome = None
        if answer.decision == "unknown" and note:
            reason = answer.unknown_because[0] if answer.unknown_because else "unknown"
            text = f"{action} on {resource} for {who.kind} {who.name}: {reason}"
            if text not in self.prober.unknown:
                self.prober.unknown.append(text)
        if answer.decision != "unknown" and answer.checks:
            check = answer.checks[0]
            outcome = self.prober.replay(check.name, check.action, check.scenario)
        who.cache[key] = outcome
        return outcome

    def ask_new(
        self, who: _Principal, action: str, arn: str, ctx: Mapping[str, str] | None = None
    ) -> Outcome | None:
        """``action`` on a function that does not exist yet (the one the attacker would create), when it
        is granted: the scenario of the same question on ``*`` (the principal's identity policies,
        boundary and SCPs; no resource policy, as a new function has none), asked of the new ARN."""
        key = (action, arn, tuple(sorted((ctx or {}).items())))
        if key in who.cache:
            return who.cache[key]
        outcome = None
        try:
            answer = simulate(self.inv, who.arn, action, "*", dict(ctx or {}), explain=False)
        except InputError:
            answer = None
        if answer is not None and answer.decision != "unknown" and answer.checks:
            scenario = dict(answer.checks[0].scenario)
            scenario["resource"] = arn
            scenario["resource_account"] = self.inv.account_id
            context = dict(scenario.get("context") or {})
            context["aws:ResourceAccount"] = self.inv.account_id
            scenario["context"] = context
            outcome = self.prober.replay("authorization", action, scenario)
        granted = outcome if outcome is not None and outcome.grants else None
        who.cache[key] = granted
        return granted

    def grants(
        self,
        who: _Principal,
        action: str,
        resource: str,
        ctx: Mapping[str, str] | None = None,
        *,
        note: bool = True,
    ) -> Outcome | None:
        o = self.ask(who, action, resource, ctx, note=note)
        return o if o is not None and o.grants else None

    def may(self, who: _Principal, action: str) -> bool:
        """Whether some Allow statement of the principal's identity policies names ``action`` (Action
        matching it, or NotAction not matching it). Only a shortcut, so that principals who cannot take a
        step are not asked about every function: each step that passes it is still asked of the engine
        (boundary, SCPs, conditions, resources)."""
        if who.documents is None:
            probe = self.ask(who, "lambda:GetFunction", "*", note=False)
            who.documents = _documents(probe.scenario) if probe is not None else []
        for _, doc in who.documents:
            for _, st in _statements(doc):
                if st.get("Effect") != "Allow":
                    continue
                if "Action" in st and any(_matches(a, action) for a in _as_list(st["Action"])):
                    return True
                if "NotAction" in st and not any(_matches(a, action) for a in _as_list(st["NotAction"])):
                    return True
        return False

    def _lambda_trusted(self, role: Role) -> bool:
        """Whether Lambda can assume the role (its trust policy admits lambda.amazonaws.com)."""
        return self._trust(role, LAMBDA_SERVICE) is not None

    def _trust(self, role: Role, principal: str) -> Outcome | None:
        """``principal`` asking to assume ``role``: decided on the trust policy (as the role's resource
        policy; a trust policy has no Resource element, so the proof gives each statement the role's ARN)."""
        slot = role.trust_policy
        if not slot.is_known or not isinstance(slot.document, dict):
            return None
        doc = dict(slot.document)
        stmts = [s for _, s in _statements(doc)]
        doc["Statement"] = [{**s, "Resource": role.arn} if "Resource" not in s else s for s in stmts]
        try:
            caller = parse_principal(principal)
        except InputError:
            caller = None
        identity: list[NamedDocument] = []
        if (
            caller is not None
            and caller.kind in IAM_PRINCIPAL_KINDS
            and caller.account != self.inv.account_id
        ):
            # Another account's principal: its identity side is outside the inventory, assumed to allow.
            identity = [
                (
                    "assumed: identity policies of the caller's account",
                    _assumed_allow("sts:AssumeRole", role.arn),
                )
            ]
        scenario = scenario_document(
            principal,
            "sts:AssumeRole",
            role.arn,
            identity_policies=identity,
            resource_policy=(f"{role.name}/trust", doc),
        )
        o = self.prober.replay("trust", "sts:AssumeRole", scenario)
        return o if o is not None and o.grants else None

    def admin(self, who: _Principal) -> bool:
        if who.arn not in self._admin:
            self._admin[who.arn] = all(
                self.grants(who, a, _iam_arn(self.inv, r)) is not None for a, r in _ADMIN_PROBES
            )
        return self._admin[who.arn]

    def witness(self, target: _Principal, attacker: _Principal) -> tuple[str, str] | None:
        """An (action, resource) the target role is granted and the attacker is not: proof that running
        as the target gains something. None when the attacker already has all the target has."""
        key = (target.arn, attacker.arn)
        if key in self._witness:
            return self._witness[key]
        found = None
        self.may(target, "lambda:GetFunction")  # reads the target's identity policies once
        documents = target.documents or []
        asked = 0
        for _, doc in documents:
            for _, st in _statements(doc):
                if st.get("Effect") != "Allow" or "Action" not in st:
                    continue
                for pattern in _as_list(st.get("Action")):
                    if not isinstance(pattern, str):
                        continue
                    for action in _actions_for(pattern):
                        for res in _as_list(st.get("Resource", ["*"])):
                            if not isinstance(res, str) or found or asked >= _WITNESS_LIMIT:
                                continue
                            concrete = _concrete(res, self.inv, self.region)
                            asked += 1
                            if self.grants(target, action, concrete) and not self.grants(
                                attacker, action, concrete
                            ):
                                found = (action, concrete)
        self._witness[key] = found
        return found


def _principals(inv: Inventory) -> list[_Principal]:
    out = [_Principal(r.arn, r.name, "role") for r in inv.roles]
    out += [_Principal(u.arn, u.name, "user") for u in inv.users]
    return out


# ------------------------------------------------------------------------------------ execution roles


def execution_role_findings(roles: _Roles, unrelated: str) -> list[Finding]:
    """Lambda execution roles whose trust admits more than Lambda, or whose policies are far broader than
    a function needs (administrator-equivalent, ``iam:*``, ``iam:PassRole`` on any role)."""
    inv = roles.inv
    out: list[Finding] = []
    used = {fn.role for fn in inv.functions if fn.role}
    for role in inv.roles:
        if role not in roles.lambda_roles and role.arn not in used:
            continue
        if not role.trust_policy.is_known:
            roles.prober.unknown.append(f"trust policy of role {role.name}: {role.trust_policy.unknown}")
            continue
        others: list[str] = ["anonymous", f"arn:aws:iam::{unrelated}:role/any-principal"]
        for _, st in _statements(role.trust_policy.document):
            if st.get("Effect") != "Allow":
                continue
            for ptype, value, negated in _principals_of(st):
                name, kind, _ = _classify(ptype, value, inv.account_id)
                if (
                    negated
                    or kind in ("federated", "canonical-user", "public", "other")
                    or name == LAMBDA_SERVICE
                ):
                    continue
                if name not in others:
                    others.append(name)
        for principal in others:
            o = roles._trust(role, principal)
            if o is None:
                continue
            anyone = principal == "anonymous" or unrelated in principal
            who = "anyone" if principal == "anonymous" else "any AWS account" if anyone else principal
            cond = ""
            if o.allowed_if:
                from ...iam.render import allowed_if_words

                cond = f" if {allowed_if_words(o.allowed_if)}"
            out.append(
                Finding(
                    FindingKind.EXECUTION_ROLE,
                    Severity.CRITICAL if anyone else Severity.HIGH,
                    role.arn,
                    who,
                    f"{role.name} is a role Lambda assumes, and its trust policy also lets {who} assume "
                    f"it{cond} ({'; '.join(s.words() for s in o.statements)})",
                    o.statements,
                    ("sts:AssumeRole",),
                    o.allowed_if,
                    o.scenario,
                )
            )
        me = _Principal(role.arn, role.name, "role")
        broad: list[tuple[Severity, str, Outcome]] = []
        if roles.admin(me):
            o = roles.grants(me, *(_ADMIN_PROBES[0][0], _iam_arn(inv, _ADMIN_PROBES[0][1])))
            if o is not None:
                broad.append((Severity.HIGH, "is administrator-equivalent (e.g. *:*)", o))
        else:
            for action, tail in _IAM_PROBES:
                o = roles.grants(me, action, _iam_arn(inv, tail))
                if o is not None:
                    broad.append((Severity.HIGH, f"can change IAM ({action}, as with iam:*)", o))
                    break
        o = roles.grants(me, "iam:PassRole", _iam_arn(inv, "role/lambdaperm-any-role"), _PASSED_TO)
        if o is not None and not broad:
            broad.append((Severity.MEDIUM, "can pass any role (iam:PassRole on *)", o))
        for severity, what, o in broad:
            out.append(
                Finding(
                    FindingKind.EXECUTION_ROLE,
                    severity,
                    role.arn,
                    role.arn,
                    f"{role.name} is a Lambda execution role that {what}: far more than a function needs "
                    f"({'; '.join(s.words() for s in o.statements)})",
                    o.statements,
                    (o.action,),
                    o.allowed_if,
                    o.scenario,
                )
            )
    return out


# ------------------------------------------------------------------------------ privilege escalation


@dataclass(frozen=True, slots=True)
class _Path:
    path: str
    words: str
    steps: tuple[Outcome, ...]
    gains: Role
    via: Function | None = None


def _new_function_arns(roles: _Roles, attacker: _Principal) -> list[str]:
    inv = roles.inv
    default = f"arn:aws:lambda:{roles.region}:{inv.account_id}:function:lambdaperm-escalation-probe"
    probe = roles.ask(attacker, "lambda:CreateFunction", "*")
    arns = [default]
    if probe is not None:
        for pattern in _resources_for(_documents(probe.scenario), "lambda:CreateFunction"):
            concrete = _concrete(pattern, inv, roles.region)
            parts = concrete.split(":")
            new = concrete not in arns and not any(f.arn == concrete for f in inv.functions)
            if new and len(parts) == 7 and parts[2] == "lambda" and parts[5] == "function":
                arns.append(concrete)
    return arns[:4]


def _triggered_latest(inv: Inventory, fn: Function) -> bool:
    """Whether something other than the attacker runs ``$LATEST``: a resource-policy grant on the
    unqualified function, or an event source mapping on it."""
    if isinstance(fn.policy.document, dict) and any(True for _ in _statements(fn.policy.document)):
        return True
    for region in inv.event_source_mappings:
        for m in region.mappings:
            if m.function_arn in (fn.arn, f"{fn.arn}:$LATEST"):
                return True
    return False


def _alias_triggers(inv: Inventory, fn: Function) -> list[str]:
    """Aliases of ``fn`` something else runs (a grant on the alias, or a mapping naming it)."""
    out = []
    for a in fn.aliases:
        named = isinstance(a.policy.document, dict) and any(True for _ in _statements(a.policy.document))
        mapped = any(m.function_arn == a.arn for r in inv.event_source_mappings for m in r.mappings)
        if named or mapped:
            out.append(a.arn)
    return out


def _paths(roles: _Roles, attacker: _Principal) -> list[_Path]:
    inv = roles.inv
    found: list[_Path] = []
    by_arn = {r.arn: r for r in inv.roles}
    passable = []
    can_pass = roles.may(attacker, "iam:PassRole") and roles.may(attacker, "lambda:CreateFunction")
    can_pass = can_pass or roles.may(attacker, "lambda:UpdateFunctionConfiguration")
    for role in roles.lambda_roles if can_pass and roles.may(attacker, "iam:PassRole") else ():
        if role.arn == attacker.arn:
            continue
        o = roles.grants(attacker, "iam:PassRole", role.arn, _PASSED_TO)
        if o is not None:
            passable.append((role, o))
    if passable:
        for arn in _new_function_arns(roles, attacker):
            create = roles.ask_new(attacker, "lambda:CreateFunction", arn)
            if create is None:
                continue
            runs: list[tuple[str, str, Outcome]] = []
            o = roles.ask_new(attacker, "lambda:InvokeFunction", arn)
            if o is not None:
                runs.append(("lambda-001", "lambda:InvokeFunction", o))
            o = roles.grants(attacker, "lambda:CreateEventSourceMapping", "*", {"lambda:FunctionArn": arn})
            if o is not None:
                runs.append(("lambda-002", "lambda:CreateEventSourceMapping", o))
            o = roles.ask_new(attacker, "lambda:AddPermission", arn, {"lambda:Principal": attacker.arn})
            if o is not None:
                runs.append(("lambda-006", "lambda:AddPermission (granting itself invoke)", o))
            for role, pass_o in passable:
                for path, how, run in runs:
                    found.append(
                        _Path(
                            path,
                            f"iam:PassRole on {role.name} + lambda:CreateFunction + {how}",
                            (pass_o, create, run),
                            role,
                        )
                    )
            if runs:
                break
    changes = roles.may(attacker, "lambda:UpdateFunctionCode") or roles.may(
        attacker, "lambda:UpdateFunctionConfiguration"
    )
    for fn in inv.functions if changes else ():
        if not fn.role or fn.role == attacker.arn or fn.role not in by_arn:
            continue
        gained = by_arn[fn.role]
        latest_runs: list[tuple[str, str, tuple[Outcome, ...]]] = []
        o = roles.grants(attacker, "lambda:InvokeFunction", fn.arn)
        if o is not None:
            latest_runs.append(("invoke", "lambda:InvokeFunction", (o,)))
        o = roles.grants(attacker, "lambda:AddPermission", fn.arn, {"lambda:Principal": attacker.arn})
        if o is not None:
            latest_runs.append(("add-permission", "lambda:AddPermission (granting itself invoke)", (o,)))
        if _triggered_latest(inv, fn):
            latest_runs.append(("trigger", "a trigger that runs $LATEST", ()))
        else:
            publish = roles.grants(attacker, "lambda:PublishVersion", fn.arn)
            for alias in _alias_triggers(inv, fn):
                update_alias = roles.grants(attacker, "lambda:UpdateAlias", alias)
                if publish is not None and update_alias is not None:
                    latest_runs.append(
                        (
                            "trigger",
                            f"lambda:PublishVersion + lambda:UpdateAlias on {alias.rsplit(':', 1)[-1]} "
                            "(a trigger runs that alias)",
                            (publish, update_alias),
                        )
                    )
                    break
        code = roles.grants(attacker, "lambda:UpdateFunctionCode", fn.arn)
        ids = {"invoke": "lambda-004", "add-permission": "lambda-005", "trigger": "lambda-003"}
        if code is not None:
            for how_id, how, extra in latest_runs:
                found.append(
                    _Path(
                        ids[how_id],
                        f"lambda:UpdateFunctionCode on {fn.name} + {how}",
                        (code, *extra),
                        gained,
                        fn,
                    )
                )
        config = roles.grants(attacker, "lambda:UpdateFunctionConfiguration", fn.arn)
        if config is not None and latest_runs:
            how_id, how, extra = latest_runs[0]
            found.append(
                _Path(
                    "update-configuration",
                    f"lambda:UpdateFunctionConfiguration on {fn.name} (a layer of the attacker's) + {how}",
                    (config, *extra),
                    gained,
                    fn,
                )
            )
            for role, pass_o in passable:
                if role.arn != fn.role:
                    found.append(
                        _Path(
                            "update-configuration",
                            f"lambda:UpdateFunctionConfiguration on {fn.name} swapping its role for "
                            f"{role.name} (iam:PassRole) + {how}",
                            (config, pass_o, *extra),
                            role,
                            fn,
                        )
                    )
    return found


def escalation_findings(roles: _Roles) -> list[Finding]:
    """One finding per (attacker, role gained), naming every path found; proof: the path's first step."""
    inv = roles.inv
    out: list[Finding] = []
    targets = {r.arn: _Principal(r.arn, r.name, "role") for r in inv.roles}
    for attacker in _principals(inv):
        if roles.admin(attacker):
            continue  # an administrator gains nothing
        by_role: dict[str, list[_Path]] = {}
        for p in _paths(roles, attacker):
            by_role.setdefault(p.gains.arn, []).append(p)
        for arn, unsorted in by_role.items():
            # Catalogue paths first (lambda-001 ... -006), then the configuration paths.
            paths = sorted(unsorted, key=lambda p: p.path)
            target = targets[arn]
            witness = roles.witness(target, attacker)
            admin = roles.admin(target)
            if witness is None and not admin:
                continue
            first = paths[0]
            statements = tuple(dict.fromkeys(s for st in first.steps for s in st.statements))
            gain = (
                "administrator access" if admin else f"e.g. {witness[0]} on {witness[1]}" if witness else ""
            )
            listed = "; ".join(f"{p.path}: {p.words}" for p in paths[:4])
            more = f" (and {len(paths) - 4} more)" if len(paths) > 4 else ""
            out.append(
                Finding(
                    FindingKind.PRIVILEGE_ESCALATION,
                    Severity.CRITICAL if admin else Severity.HIGH,
                    arn,
                    attacker.arn,
                    f"{attacker.kind} {attacker.name} can run code as role {target.name} ({gain}) through "
                    f"Lambda: {listed}{more}",
                    statements,
                    tuple(dict.fromkeys(st.action for st in first.steps)),
                    (),
                    first.steps[0].scenario,
                    path=first.path,
                    gains=arn,
                    paths=tuple(dict.fromkeys(p.path for p in paths)),
                    steps=tuple(st.scenario for st in first.steps),
                )
            )
    return out


def role_findings(prober: Prober, unrelated: str) -> list[Finding]:
    """Execution roles trusted too widely or allowed too much, and escalation paths through Lambda."""
    roles = _Roles(prober)
    return execution_role_findings(roles, unrelated) + escalation_findings(roles)


__all__ = ["LAMBDA_SERVICE", "role_findings"]
