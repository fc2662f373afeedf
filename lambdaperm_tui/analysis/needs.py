"""What a function's configuration requires of its execution role, each requirement decided by the engine.

Lambda acts with the function's execution role for its own work around the code: it writes the function's
logs, sends traces when tracing is ``Active``, creates network interfaces in the function's VPC, polls
event sources through event source mappings, sends failed events to a dead-letter queue or destination,
and mounts EFS access points (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
``requirements`` lists those actions per setting (the AWS page of each is cited in
tests/analysis/test_needs.py); ``function_needs`` asks ``simulate`` for each one with the role as the
principal, so identity policies, the permissions boundary and SCPs all count, and whatever lies outside
the inventory (another account's resource, a queue or key policy) is named in ``assumes``.

A setting that could not be read (configuration, the region's mappings, async invoke configs) is listed in
``NeedsReport.unread``: the needs it would add are unknown, never "none".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..iam.errors import InputError
from ..iam.render import allowed_if_words, blocked_by_words
from ..iam.request import ContextValue
from ..iam.result import BlockedBy, ConditionTerm, DecidingStatement
from ..iam.scenario import proof_document
from ..inventory.model import EventSourceMapping, Function, Inventory
from .answer import Answer, Question
from .findings.model import Finding, FindingKind, Severity, StatementRef
from .policy_index import _index
from .resolve import simulate

# Which setting of the function a need comes from.
NeedSetting = Literal[
    "logs",
    "tracing",
    "vpc",
    "event-source",
    "event-source-destination",
    "dead-letter-queue",
    "async-destination",
    "environment-key",
    "file-system",
]
NeedDecision = Literal["allowed", "conditional", "denied", "unknown"]
# What stopped a denied need: the engine's layer of an implicit deny (``BlockedBy``: no statement allows,
# the boundary, an SCP, ...), or an explicit Deny (``decided_by`` names the statement).
EXPLICIT_DENY = "explicit-deny"

# Event source kinds, from the ARN of the source (self-managed Kafka has no ARN).
SourceKind = Literal["sqs", "kinesis", "dynamodb", "mq", "msk", "kafka", "documentdb", "other"]

_EC2_ENI = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
# What the MQ, MSK, self-managed Kafka and DocumentDB pages list for reaching a source inside a VPC.
_EC2_SOURCE_VPC = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
)
# Source access types whose URI is a Secrets Manager secret Lambda reads with the role.
_SECRET_ACCESS = frozenset(
    {
        "BASIC_AUTH",
        "SASL_SCRAM_256_AUTH",
        "SASL_SCRAM_512_AUTH",
        "CLIENT_CERTIFICATE_TLS_AUTH",
        "SERVER_ROOT_CA_CERTIFICATE",
    }
)
_MSK_IAM_AUTH = (
    ("kafka-cluster:Connect", "cluster"),
    ("kafka-cluster:DescribeGroup", "group"),
    ("kafka-cluster:AlterGroup", "group"),
    ("kafka-cluster:DescribeTopic", "topic"),
    ("kafka-cluster:ReadData", "topic"),
    ("kafka-cluster:DescribeClusterDynamicConfiguration", "cluster"),
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One action the configuration requires of the role: on which resource, and which setting says so.

    ``also_accepts``: other actions that satisfy it as well (the MSK page: either
    ``kafka:DescribeCluster`` or ``kafka:DescribeClusterV2``). ``resource_unknown``: the exact resource
    cannot be known from the inventory (e.g. the file system behind an EFS access point); ``resource`` is
    then a stand-in, an Allow over it counts, and a denial is unknown (a statement naming the real
    resource could allow). ``assumes``: what this need takes as given besides what ``simulate`` says.
    """

    setting: NeedSetting
    action: str
    resource: str
    why: str
    source: str | None = None  # the mapping UUID, destination or key the need comes from
    also_accepts: tuple[str, ...] = ()
    context: tuple[tuple[str, str], ...] = ()
    resource_unknown: str | None = None
    assumes: tuple[str, ...] = ()
    key_policy: bool = False  # a KMS key: its key policy must allow too (not in the inventory)


@dataclass(frozen=True, slots=True)
class Need:
    """A requirement with its answer."""

    requirement: Requirement
    decision: NeedDecision
    answer: Answer | None
    blocked_by: BlockedBy | None = None  # the engine's layer of an implicit deny
    explicit_deny: bool = False
    assumes: tuple[str, ...] = ()
    unknown_because: tuple[str, ...] = ()

    @property
    def allowed_if(self) -> tuple[tuple[ConditionTerm, ...], ...]:
        """For a conditional need: the alternatives of conditions under which it is allowed."""
        result = self.answer.result if self.answer else None
        return result.allowed_if if result and self.decision == "conditional" else ()

    @property
    def blocked(self) -> str | None:
        """``explicit-deny`` or the engine's layer value (``no-allow``, ``boundary``, ``scp``, ...)."""
        if self.explicit_deny:
            return EXPLICIT_DENY
        return self.blocked_by.value if self.blocked_by is not None else None

    @property
    def decided_by(self) -> tuple[DecidingStatement, ...]:
        """The statements that decided the answer (none when unknown or when nothing allows)."""
        result = self.answer.result if self.answer else None
        return result.decided_by if result else ()

    def to_json(self) -> dict[str, Any]:
        """One entry of ``needs --json``."""
        r = self.requirement
        return {
            "action": r.action,
            "resource": r.resource,
            "why": r.why,
            "setting": r.setting,
            "source": r.source,
            "decision": self.decision,
            "blocked_by": self.blocked,
            "allowed_if": [[t.to_json() for t in alt] for alt in self.allowed_if],
            "decided_by": [d.to_json() for d in self.decided_by],
            "assumes": list(self.assumes),
            "unknown_because": list(self.unknown_because),
            "also_accepts": list(r.also_accepts),
            "scenario": dict(self.answer.scenario) if self.answer else None,
        }


@dataclass(frozen=True, slots=True)
class NeedsReport:
    """Every need of one function, and what could not be read (its needs are then unknown)."""

    function: str
    role: str | None
    needs: tuple[Need, ...]
    unread: tuple[str, ...] = ()

    @property
    def decision(self) -> NeedDecision:
        """The worst answer: denied, then unknown (a need or an unread setting), then conditional."""
        decisions = {n.decision for n in self.needs}
        if "denied" in decisions:
            return "denied"
        if "unknown" in decisions or self.unread:
            return "unknown"
        return "conditional" if "conditional" in decisions else "allowed"

    def of_source(self, source: str) -> tuple[Need, ...]:
        """The needs that come from one mapping (its UUID), destination or key."""
        return tuple(n for n in self.needs if n.requirement.source == source)

    def question(self, need: Need) -> Question | None:
        """What the simulator asks to decide ``need`` (the action that decided, when another one the need
        accepts was allowed); None when the execution role is unknown."""
        if self.role is None:
            return None
        r = need.requirement
        action = need.answer.action if need.answer is not None and need.answer.action else r.action
        return Question(self.role, action, r.resource, r.context)

    def to_json(self) -> dict[str, Any]:
        """The ``needs --json`` object."""
        return {
            "function": self.function,
            "role": self.role,
            "decision": self.decision,
            "needs": [n.to_json() for n in self.needs],
            "unread": list(self.unread),
        }


# -------------------------------------------------------------------------------------- requirements


def _arn_parts(arn: str) -> list[str]:
    return arn.split(":", 5)


def _service(arn: str) -> str:
    parts = _arn_parts(arn)
    return parts[2] if len(parts) == 6 else ""


def source_kind(mapping: EventSourceMapping) -> SourceKind:
    """The kind of an event source, from its ARN (self-managed Kafka has none: its brokers are listed)."""
    arn = mapping.event_source_arn
    if arn is None:
        return "kafka" if mapping.kafka_bootstrap_servers else "other"
    parts = _arn_parts(arn)
    service = _service(arn)
    if service == "sqs":
        return "sqs"
    if service == "kinesis":
        return "kinesis"
    if service == "dynamodb":
        return "dynamodb"
    if service == "mq":
        return "mq"
    if service == "kafka":
        return "msk"
    if service == "rds" and len(parts) == 6 and parts[5].startswith("cluster:"):
        return "documentdb"
    return "other"


def _destination(setting: NeedSetting, arn: str, why: str, source: str | None) -> list[Requirement]:
    """Sending a record to a destination: by its service (SQS, SNS, Lambda, EventBridge, S3)."""
    service = _service(arn)
    if service == "sqs":
        return [Requirement(setting, "sqs:SendMessage", arn, why, source)]
    if service == "sns":
        return [Requirement(setting, "sns:Publish", arn, why, source)]
    if service == "lambda":
        return [Requirement(setting, "lambda:InvokeFunction", arn, why, source)]
    if service == "events":
        return [Requirement(setting, "events:PutEvents", arn, why, source)]
    if service == "s3":
        bucket = arn.split(":::", 1)[-1].split("/", 1)[0]
        return [
            Requirement(setting, "s3:PutObject", f"arn:aws:s3:::{bucket}/*", why, source),
            Requirement(setting, "s3:ListBucket", f"arn:aws:s3:::{bucket}", why, source),
        ]
    return []


def _log_requirements(fn: Function, group: str) -> list[Requirement]:
    base = f"arn:aws:logs:{fn.region}:{fn.account}:log-group:{group}"
    where = "its LoggingConfig log group" if group != f"/aws/lambda/{fn.name}" else "its default log group"
    return [
        Requirement(
            "logs",
            "logs:CreateLogGroup",
            base,
            f"Lambda creates {where} {group} if it does not exist",
            assumes=(
                f"the log group {group} may not exist yet (CloudWatch Logs is not read): needed only then",
            ),
        ),
        Requirement(
            "logs", "logs:CreateLogStream", f"{base}:log-stream:*", f"the function writes to {where}"
        ),
        Requirement("logs", "logs:PutLogEvents", f"{base}:log-stream:*", f"the function writes to {where}"),
    ]


def _mapping_requirements(m: EventSourceMapping) -> list[Requirement]:
    kind = source_kind(m)
    arn = m.event_source_arn or ""
    state = f", mapping {m.uuid} {m.state}" if m.state and m.state != "Enabled" else f", mapping {m.uuid}"
    out: list[Requirement] = []

    def add(action: str, resource: str, why: str, **extra: Any) -> None:
        out.append(Requirement("event-source", action, resource, why + state, m.uuid, **extra))

    def secrets(what: str) -> None:
        for access in m.source_access:
            if access.type in _SECRET_ACCESS:
                add(
                    "secretsmanager:GetSecretValue",
                    access.uri,
                    f"Lambda reads the {what} secret ({access.type})",
                )

    def source_vpc(what: str) -> None:
        for action in _EC2_SOURCE_VPC:
            add(action, "*", f"Lambda reaches the {what} through network interfaces in its VPC")

    if kind == "sqs":
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
            add(action, arn, "Lambda polls the SQS queue")
    elif kind == "kinesis":
        stream, consumer = arn, None
        if "/consumer/" in arn:
            stream, consumer = arn.split("/consumer/", 1)[0], arn
        for action in (
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ):
            add(action, stream, "Lambda reads the Kinesis stream")
        if consumer is not None:
            add("kinesis:SubscribeToShard", consumer, "Lambda reads through the enhanced fan-out consumer")
    elif kind == "dynamodb":
        for action in (
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ):
            add(action, arn, "Lambda reads the DynamoDB stream")
    elif kind == "mq":
        add("mq:DescribeBroker", arn, "Lambda reads the Amazon MQ broker")
        secrets("broker")
        source_vpc("broker")
    elif kind == "msk":
        add(
            "kafka:DescribeClusterV2",
            arn,
            "Lambda reads the MSK cluster",
            also_accepts=("kafka:DescribeCluster",),
        )
        add("kafka:GetBootstrapBrokers", arn, "Lambda reads the MSK cluster")
        source_vpc("MSK cluster")
        if any(a.type in _SECRET_ACCESS for a in m.source_access):
            secrets("MSK cluster")
        else:
            # No secret: Lambda authenticates with IAM (the MSK page: "Lambda automatically defaults to
            # using IAM auth").
            cluster = arn.split(":cluster/", 1)[-1] if ":cluster/" in arn else ""
            prefix = arn.split(":cluster/", 1)[0] if cluster else ""
            group = m.consumer_group_id or m.uuid
            for action, kind_of in _MSK_IAM_AUTH:
                if kind_of == "cluster" or not cluster:
                    resource = arn
                elif kind_of == "group":
                    resource = f"{prefix}:group/{cluster}/{group}"
                else:
                    topic = m.topics[0] if m.topics else "*"
                    resource = f"{prefix}:topic/{cluster}/{topic}"
                add(action, resource, "Lambda connects to the MSK cluster with IAM authentication")
    elif kind == "kafka":
        secrets("Kafka cluster")
        if any(a.type == "VPC_SUBNET" for a in m.source_access):
            source_vpc("Kafka cluster")
    elif kind == "documentdb":
        add("rds:DescribeDBClusters", arn, "Lambda reads the DocumentDB change stream")
        unknown = "the cluster's parameter and subnet groups are not in the inventory"
        add(
            "rds:DescribeDBClusterParameters",
            "*",
            "Lambda reads the cluster's parameters",
            resource_unknown=unknown,
        )
        add(
            "rds:DescribeDBSubnetGroups",
            "*",
            "Lambda reads the cluster's subnet groups",
            resource_unknown=unknown,
        )
        secrets("DocumentDB cluster")
        source_vpc("DocumentDB cluster")
    if m.on_failure_destination:
        why = f"Lambda sends records of failed batches to the mapping's on-failure destination{state}"
        out.extend(_destination("event-source-destination", m.on_failure_destination, why, m.uuid))
    return out


def _base_arn(arn: str) -> str:
    return ":".join(arn.split(":")[:7])


def function_mappings(inv: Inventory, fn: Function) -> tuple[list[EventSourceMapping], list[str]]:
    """The event source mappings whose function is ``fn`` (any qualifier), and why the region's list is
    unknown (not read, or its reason)."""
    unread: list[str] = []
    found: list[EventSourceMapping] = []
    region = next((r for r in inv.event_source_mappings if r.region == fn.region), None)
    if region is None:
        unread.append(f"event source mappings of {fn.region}: not read")
    elif region.unknown is not None:
        unread.append(f"event source mappings of {fn.region}: {region.unknown}")
    else:
        found = [m for m in region.mappings if _base_arn(m.function_arn) == fn.arn]
    return found, unread


def requirements(inv: Inventory, fn: Function) -> tuple[tuple[Requirement, ...], tuple[str, ...]]:
    """What ``fn``'s configuration requires of its role, and which settings could not be read."""
    reqs: list[Requirement] = []
    unread: list[str] = []
    config = fn.config
    if config is None:
        reason = fn.config_unknown or "not read"
        unread.append(
            f"configuration of {fn.name} (tracing, VPC, DLQ, KMS key, file systems, logging): {reason}"
        )
    group = (config.logging.log_group if config and config.logging else None) or f"/aws/lambda/{fn.name}"
    logs = _log_requirements(fn, group)
    if config is None:
        # Without the configuration the log group is not known: answer for the default one, and say so.
        taken = f"the log group is the default {group} (the function's LoggingConfig was not read)"
        logs = [replace(r, assumes=(*r.assumes, taken)) for r in logs]
    reqs.extend(logs)
    if config is not None:
        if config.tracing_mode == "Active":
            for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
                reqs.append(
                    Requirement("tracing", action, "*", "tracing is Active: Lambda sends traces to X-Ray")
                )
        if config.vpc is not None and config.vpc.subnet_ids:
            vpc = config.vpc.vpc_id or "its VPC"
            for action in _EC2_ENI:
                # DescribeNetworkInterfaces works only when allowed on "*" (configuration-vpc page).
                resource = (
                    "*"
                    if action == "ec2:DescribeNetworkInterfaces"
                    else f"arn:aws:ec2:{fn.region}:{fn.account}:network-interface/*"
                )
                reqs.append(
                    Requirement(
                        "vpc",
                        action,
                        resource,
                        f"the function is attached to {vpc}: Lambda manages its network interfaces "
                        "(needed to create them, not to invoke)",
                    )
                )
        if config.dead_letter_target:
            why = "the function's dead-letter queue receives failed asynchronous events"
            reqs.extend(
                _destination("dead-letter-queue", config.dead_letter_target, why, config.dead_letter_target)
            )
        if config.kms_key_arn and config.environment_variables:
            reqs.append(
                Requirement(
                    "environment-key",
                    "kms:Decrypt",
                    config.kms_key_arn,
                    "the environment variables are encrypted with a customer managed key",
                    config.kms_key_arn,
                    key_policy=True,
                )
            )
        for fs in config.file_systems:
            ap = fs.arn
            parts = _arn_parts(ap)
            stand_in = (
                f"arn:aws:elasticfilesystem:{parts[3]}:{parts[4]}:file-system/?" if len(parts) == 6 else "*"
            )
            for action, why in (
                ("elasticfilesystem:ClientMount", f"the function mounts {ap} at {fs.local_mount_path}"),
                ("elasticfilesystem:ClientWrite", f"the function writes to {ap} (not needed read-only)"),
            ):
                reqs.append(
                    Requirement(
                        "file-system",
                        action,
                        stand_in,
                        why,
                        ap,
                        context=(("elasticfilesystem:AccessPointArn", ap),),
                        # Neither the file system id nor its file system policy is in the inventory; EFS
                        # without a file system policy admits any client that reaches a mount target.
                        resource_unknown=f"the file system of {ap} and its policy are not in the inventory",
                    )
                )
    mappings, mapping_unread = function_mappings(inv, fn)
    unread.extend(mapping_unread)
    for m in mappings:
        reqs.extend(_mapping_requirements(m))
    if fn.event_invoke_configs is None:
        reason = (
            fn.event_invoke_configs_unknown or "not read (read on demand: ListFunctionEventInvokeConfigs)"
        )
        unread.append(f"asynchronous invocation destinations of {fn.name}: {reason}")
    else:
        for cfg in fn.event_invoke_configs:
            for which, target in (("on-success", cfg.on_success), ("on-failure", cfg.on_failure)):
                if target:
                    why = f"asynchronous invocations of {cfg.function_arn} go to the {which} destination"
                    reqs.extend(_destination("async-destination", target, why, target))
    return tuple(reqs), tuple(unread)


# -------------------------------------------------------------------------------------- evaluation


_DECISIONS: dict[str, NeedDecision] = {
    "allowed": "allowed",
    "conditional": "conditional",
    "explicit_deny": "denied",
    "implicit_deny": "denied",
    "unknown": "unknown",
}


def _ask(inv: Inventory, role: str, action: str, req: Requirement) -> Answer:
    context: dict[str, ContextValue] = dict(req.context)
    return simulate(inv, role, action, req.resource, context)


def _evaluate(inv: Inventory, role: str, req: Requirement) -> Need:
    try:
        answer = _ask(inv, role, req.action, req)
        for other in req.also_accepts:
            if answer.decision == "allowed":
                break
            alternative = _ask(inv, role, other, req)
            if alternative.decision == "allowed":
                answer = alternative
    except InputError as exc:
        return Need(req, "unknown", None, unknown_because=(f"cannot evaluate: {exc}",))
    decision = _DECISIONS.get(answer.decision, "unknown")
    assumes = list(answer.assumes) + list(req.assumes)
    unknown = list(answer.unknown_because)
    if req.key_policy:
        # KMS keys are the exception to "identity or resource": the key policy must allow (policy
        # evaluation logic page), and Lambda's own grant for the role is not in the inventory either.
        if decision == "allowed":
            assumes.append(
                f"the key policy of {req.resource} (not in the inventory) lets this account's IAM policies "
                "grant kms:Decrypt (the default key policy does)"
            )
        elif answer.decision == "implicit_deny":
            decision = "unknown"
            unknown.append(
                f"the role's policies do not allow kms:Decrypt on {req.resource}, but the key policy or the "
                "grant Lambda creates for the role may (neither is in the inventory)"
            )
    if req.resource_unknown is not None:
        if decision == "allowed":
            assumes.append(f"{req.resource_unknown}: no statement denies it specifically")
        elif answer.decision == "implicit_deny":
            decision = "unknown"
            unknown.append(f"{req.resource_unknown}: a statement naming it could allow {req.action}")
    result = answer.result
    blocked = result.blocked_by if decision == "denied" and result is not None else None
    explicit = decision == "denied" and answer.decision == "explicit_deny"
    return Need(req, decision, answer, blocked, explicit, tuple(dict.fromkeys(assumes)), tuple(unknown))


def function_needs(inv: Inventory, function: str) -> NeedsReport:
    """Every need of ``function`` (an unqualified or qualified function ARN, or its name), decided.

    Raises ``InputError`` when the function is not in the inventory.
    """
    fn = _find_function(inv, function)
    reqs, unread = requirements(inv, fn)
    if fn.role is None:
        needs = tuple(
            Need(r, "unknown", None, unknown_because=("the function's execution role is not known",))
            for r in reqs
        )
        return NeedsReport(fn.arn, None, needs, unread)
    return NeedsReport(fn.arn, fn.role, tuple(_evaluate(inv, fn.role, r) for r in reqs), unread)


def _find_function(inv: Inventory, text: str) -> Function:
    from ..iam.errors import RequestError

    raw = text.strip()
    idx = _index(inv)
    if raw.startswith("arn:"):
        fn = idx.functions_by_arn.get(_base_arn(raw))
        if fn is None:
            raise RequestError(f"function: no function {raw} in the inventory")
        return fn
    named = [f for f in inv.functions if f.name == raw]
    if len(named) == 1:
        return named[0]
    if named:
        raise RequestError(f'function: "{raw}" names functions in several regions; give the ARN')
    raise RequestError(f'function: no function named "{raw}" in the inventory')


# -------------------------------------------------------------------------------------- findings


_SEVERITY: dict[NeedSetting, Severity] = {
    "event-source": Severity.HIGH,  # the function does not get its events
    "environment-key": Severity.HIGH,  # the function cannot start
    "file-system": Severity.HIGH,
    "logs": Severity.MEDIUM,
    "vpc": Severity.MEDIUM,  # existing network interfaces keep working; new ones cannot be made
    "dead-letter-queue": Severity.MEDIUM,  # failed events are dropped
    "async-destination": Severity.MEDIUM,
    "event-source-destination": Severity.MEDIUM,
    "tracing": Severity.LOW,
}


@dataclass(frozen=True, slots=True)
class UnmetNeed:
    """A need the role does not meet (denied, or allowed only under a condition), with its finding."""

    function: str
    role: str | None
    need: Need
    severity: Severity

    @property
    def why(self) -> str:
        """One line for a person."""
        r = self.need.requirement
        n = self.need
        if n.decision == "conditional":
            only_if = allowed_if_words(n.allowed_if)
            return f"{r.why}, but the role has {r.action} on {r.resource} only if {only_if}"
        layer = "an explicit Deny" if n.explicit_deny else ""
        if n.blocked_by is not None:
            layer = blocked_by_words(n.blocked_by)
        return f"{r.why}, but the role lacks {r.action} on {r.resource}" + (f": {layer}" if layer else "")

    @property
    def finding(self) -> Finding:
        """The ``execution-role`` finding; its proof is the need's scenario with the decision expected."""
        answer = self.need.answer
        proof: dict[str, Any] | None = None
        if answer is not None and answer.scenario:
            proof = proof_document(answer.scenario, answer.decision)
        return Finding(
            FindingKind.EXECUTION_ROLE,
            self.severity,
            self.function,
            self.role or "unknown execution role",
            self.why,
            statements=tuple(StatementRef.of(d) for d in self.need.decided_by),
            actions=(self.need.requirement.action,),
            allowed_if=self.need.allowed_if,
            proof=proof,
        )


def _unmet(fn: Function, report: NeedsReport) -> list[UnmetNeed]:
    out: list[UnmetNeed] = []
    for need in report.needs:
        if need.decision in ("denied", "conditional"):
            severity = _SEVERITY[need.requirement.setting]
            if need.decision == "conditional" and severity == Severity.HIGH:
                severity = Severity.MEDIUM
            out.append(UnmetNeed(fn.arn, fn.role, need, severity))
    return out


def unmet_needs(inv: Inventory, functions: Iterable[Function] | None = None) -> tuple[UnmetNeed, ...]:
    """Every need of every function (or of ``functions``) that is denied or only conditionally allowed."""
    out: list[UnmetNeed] = []
    for fn in inv.functions if functions is None else functions:
        out.extend(_unmet(fn, function_needs(inv, fn.arn)))
    return tuple(out)


def need_findings(inv: Inventory) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    """The ``execution-role`` findings of unmet needs, and what could not be decided (a finding that
    depends on it may be missing): each function's unread settings and unknown needs."""
    findings: list[Finding] = []
    unknown: list[str] = []
    for fn in inv.functions:
        report = function_needs(inv, fn.arn)
        findings.extend(u.finding for u in _unmet(fn, report))
        unknown.extend(f"needs of {fn.name}: {u}" for u in report.unread)
        for n in report.needs:
            if n.decision == "unknown":
                r = n.requirement
                reason = "; ".join(n.unknown_because) or "unknown"
                unknown.append(f"needs of {fn.name}: {r.action} on {r.resource}: {reason}")
    return tuple(findings), tuple(dict.fromkeys(unknown))


__all__ = [
    "EXPLICIT_DENY",
    "Need",
    "NeedDecision",
    "NeedSetting",
    "NeedsReport",
    "Requirement",
    "UnmetNeed",
    "function_mappings",
    "function_needs",
    "need_findings",
    "requirements",
    "source_kind",
    "unmet_needs",
]
