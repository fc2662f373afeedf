"""What each function needs from its execution role, decided by the engine over AWS-shaped policies.

Each test names the AWS Lambda guide page that lists the permissions it checks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from lambdaperm_tui.analysis.needs import Need, NeedsReport, function_needs, unmet_needs
from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.iam.result import BlockedBy
from lambdaperm_tui.inventory.model import (
    EventInvokeConfig,
    EventSourceMapping,
    FileSystemConfig,
    Function,
    FunctionConfig,
    Inventory,
    LoggingConfig,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    RegionEventSources,
    Role,
    SourceAccess,
    VpcConfig,
)

A = "111122223333"
OTHER = "444455556666"
R = "us-east-1"
FN = f"arn:aws:lambda:{R}:{A}:function"
ROLE = f"arn:aws:iam::{A}:role"
QUEUE = f"arn:aws:sqs:{R}:{A}:jobs"
BOUNDARY = f"arn:aws:iam::{A}:policy/boundary"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(actions: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


# AWSLambdaBasicExecutionRole as the Lambda console writes it for one function
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).
def _basic(name: str) -> dict[str, Any]:
    return _allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"], f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/{name}:*"
    )


CREATE_GROUP = _allow("logs:CreateLogGroup", f"arn:aws:logs:{R}:{A}:*")


def _role(name: str, *statements: dict[str, Any], boundary: str | None = None) -> Role:
    return Role(
        arn=f"{ROLE}/{name}",
        name=name,
        inline_policies=(NamedPolicy("exec", PolicySlot(document=_doc(*statements))),),
        boundary_arn=boundary,
    )


def _fn(name: str, role: str, config: FunctionConfig | None = None, **kw: Any) -> Function:
    kw.setdefault("event_invoke_configs", ())
    return Function(
        arn=f"{FN}:{name}",
        name=name,
        region=R,
        account=A,
        role=f"{ROLE}/{role}",
        config=config if config is not None else FunctionConfig(),
        **kw,
    )


def _inv(
    functions: list[Function],
    roles: list[Role],
    mappings: tuple[EventSourceMapping, ...] = (),
    **kw: Any,
) -> Inventory:
    kw.setdefault("scps", ())
    return Inventory(
        account_id=A,
        regions=(R,),
        captured_at="2026-12-01T00:00:00Z",
        source="test",
        functions=tuple(functions),
        roles=tuple(roles),
        event_source_mappings=(RegionEventSources(R, mappings),),
        **kw,
    )


def _by_action(report: NeedsReport) -> dict[str, Need]:
    return {n.requirement.action: n for n in report.needs}


def test_logs_of_the_default_group_are_met_by_the_basic_execution_policy() -> None:
    # "At a minimum, your function needs access to Amazon CloudWatch Logs for log streaming"
    # https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    inv = _inv([_fn("f", "r")], [_role("r", CREATE_GROUP, _basic("f"))])
    report = function_needs(inv, f"{FN}:f")
    needs = _by_action(report)
    assert set(needs) == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    assert all(n.decision == "allowed" for n in report.needs)
    assert needs["logs:PutLogEvents"].requirement.resource == (
        f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/f:log-stream:*"
    )
    assert report.decision == "allowed"
    assert needs["logs:PutLogEvents"].decided_by[0].policy == "r/inline/exec"


def test_a_logging_config_group_needs_its_own_grant() -> None:
    # A custom log group set in LoggingConfig is where Lambda sends the logs
    # (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
    config = FunctionConfig(logging=LoggingConfig(log_group="/acme/shared"))
    inv = _inv([_fn("f", "r", config)], [_role("r", CREATE_GROUP, _basic("f"))])
    needs = _by_action(function_needs(inv, "f"))
    put = needs["logs:PutLogEvents"]
    assert put.requirement.resource == f"arn:aws:logs:{R}:{A}:log-group:/acme/shared:log-stream:*"
    assert put.decision == "denied"
    assert put.blocked_by == BlockedBy.NO_ALLOW and put.blocked == "no-allow"


def test_active_tracing_needs_xray_and_pass_through_does_not() -> None:
    # "Lambda needs the following permissions to send trace data to X-Ray": xray:PutTraceSegments,
    # xray:PutTelemetryRecords (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html).
    role = _role("r", CREATE_GROUP, _basic("a"), _basic("p"))
    inv = _inv(
        [
            _fn("a", "r", FunctionConfig(tracing_mode="Active")),
            _fn("p", "r", FunctionConfig(tracing_mode="PassThrough")),
        ],
        [role],
    )
    active = _by_action(function_needs(inv, "a"))
    assert active["xray:PutTraceSegments"].decision == "denied"
    assert active["xray:PutTelemetryRecords"].decision == "denied"
    assert "xray:PutTraceSegments" not in _by_action(function_needs(inv, "p"))
    traced = _role(
        "r", CREATE_GROUP, _basic("a"), _allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
    )
    assert function_needs(
        _inv([_fn("a", "r", FunctionConfig(tracing_mode="Active"))], [traced]), "a"
    ).decision == ("allowed")


VPC = FunctionConfig(vpc=VpcConfig(("subnet-1",), ("sg-1",), "vpc-1"))
ENI = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


def test_a_vpc_function_needs_the_network_interface_actions() -> None:
    # configuration-vpc page, "Execution role permissions": CreateNetworkInterface,
    # DescribeNetworkInterfaces (only on "*"), DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses
    # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html); AWSLambdaVPCAccessExecutionRole.
    without = _inv([_fn("v", "r", VPC)], [_role("r", CREATE_GROUP, _basic("v"))])
    needs = _by_action(function_needs(without, "v"))
    assert [needs[a].decision for a in ENI] == ["denied"] * 5
    assert needs["ec2:DescribeNetworkInterfaces"].requirement.resource == "*"
    with_eni = _inv([_fn("v", "r", VPC)], [_role("r", CREATE_GROUP, _basic("v"), _allow(ENI))])
    assert function_needs(with_eni, "v").decision == "allowed"
    not_attached = _inv(
        [_fn("v", "r", FunctionConfig(vpc=VpcConfig()))], [_role("r", CREATE_GROUP, _basic("v"))]
    )
    assert "ec2:CreateNetworkInterface" not in _by_action(function_needs(not_attached, "v"))


def _mapping(source: str | None, **kw: Any) -> EventSourceMapping:
    return EventSourceMapping(
        uuid=kw.pop("uuid", "m-1"),
        function_arn=kw.pop("function_arn", f"{FN}:f"),
        region=R,
        event_source_arn=source,
        **kw,
    )


def test_an_sqs_mapping_whose_role_cannot_receive() -> None:
    # services-sqs-configure page: Lambda needs sqs:ReceiveMessage, sqs:DeleteMessage and
    # sqs:GetQueueAttributes on the queue (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
    role = _role(
        "r", CREATE_GROUP, _basic("f"), _allow(["sqs:DeleteMessage", "sqs:GetQueueAttributes"], QUEUE)
    )
    inv = _inv([_fn("f", "r")], [role], (_mapping(QUEUE, state="Enabled", function_arn=f"{FN}:f:live"),))
    report = function_needs(inv, "f")
    needs = _by_action(report)
    assert needs["sqs:ReceiveMessage"].decision == "denied"
    assert needs["sqs:ReceiveMessage"].requirement.resource == QUEUE
    assert needs["sqs:DeleteMessage"].decision == "allowed"
    assert any("no resource-based policy" in a for a in needs["sqs:DeleteMessage"].assumes)
    assert report.decision == "denied"
    unmet = unmet_needs(inv)
    assert [(u.need.requirement.action, u.severity, u.finding.kind.value) for u in unmet] == [
        ("sqs:ReceiveMessage", "high", "execution-role")
    ]
    assert "lacks sqs:ReceiveMessage on " + QUEUE in unmet[0].why
    assert unmet[0].finding.to_json()["proof"]["action"] == "sqs:ReceiveMessage"


def test_a_queue_in_another_account_is_allowed_only_with_its_assumption() -> None:
    queue = f"arn:aws:sqs:{R}:{OTHER}:shared"
    role = _role("r", CREATE_GROUP, _basic("f"), _allow("sqs:*", queue))
    needs = _by_action(function_needs(_inv([_fn("f", "r")], [role], (_mapping(queue),)), "f"))
    receive = needs["sqs:ReceiveMessage"]
    assert receive.decision == "allowed"
    assert any(OTHER in a and "outside the inventory" in a for a in receive.assumes)


def test_kinesis_with_enhanced_fan_out_needs_subscribe_to_shard_on_the_consumer() -> None:
    # Kinesis execution role permissions: DescribeStream, DescribeStreamSummary, GetRecords,
    # GetShardIterator, ListShards, SubscribeToShard (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html);
    # SubscribeToShard is the enhanced fan-out read, on the consumer ARN
    # (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html).
    stream = f"arn:aws:kinesis:{R}:{A}:stream/clicks"
    consumer = f"{stream}/consumer/lambda:1700000000"
    reads = [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
    ]
    role = _role("r", CREATE_GROUP, _basic("f"), _allow(reads, stream))
    plain = _by_action(function_needs(_inv([_fn("f", "r")], [role], (_mapping(stream),)), "f"))
    assert "kinesis:SubscribeToShard" not in plain
    assert all(plain[a].decision == "allowed" for a in reads)
    efo = _by_action(function_needs(_inv([_fn("f", "r")], [role], (_mapping(consumer),)), "f"))
    assert efo["kinesis:SubscribeToShard"].requirement.resource == consumer
    assert efo["kinesis:SubscribeToShard"].decision == "denied"
    assert efo["kinesis:GetRecords"].requirement.resource == stream


def test_dynamodb_stream_and_its_failure_destination() -> None:
    # DynamoDB Streams: DescribeStream, GetRecords, GetShardIterator, ListStreams; failed batches to an
    # SQS queue need sqs:SendMessage (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
    stream = f"arn:aws:dynamodb:{R}:{A}:table/orders/stream/2026-01-01T00:00:00.000"
    role = _role(
        "r",
        CREATE_GROUP,
        _basic("f"),
        _allow(
            [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            f"arn:aws:dynamodb:{R}:{A}:table/orders/stream/*",
        ),
    )
    inv = _inv([_fn("f", "r")], [role], (_mapping(stream, on_failure_destination=QUEUE),))
    needs = _by_action(function_needs(inv, "f"))
    assert needs["dynamodb:ListStreams"].decision == "allowed"
    assert needs["sqs:SendMessage"].requirement.setting == "event-source-destination"
    assert needs["sqs:SendMessage"].decision == "denied"


def test_msk_with_iam_auth_and_either_describe_cluster() -> None:
    # with-msk-permissions page: kafka:DescribeCluster or kafka:DescribeClusterV2 (either works for
    # provisioned clusters), kafka:GetBootstrapBrokers, the VPC actions; IAM authentication (no secret)
    # needs kafka-cluster:Connect, DescribeGroup, AlterGroup, DescribeTopic, ReadData,
    # DescribeClusterDynamicConfiguration
    # (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html).
    cluster = f"arn:aws:kafka:{R}:{A}:cluster/events/abcd-1234"
    role = _role(
        "r",
        CREATE_GROUP,
        _basic("f"),
        _allow(["kafka:DescribeCluster", "kafka:GetBootstrapBrokers"], cluster),
        _allow(["ec2:*"]),
        _allow("kafka-cluster:*", [cluster, f"arn:aws:kafka:{R}:{A}:topic/events/abcd-1234/*"]),
    )
    inv = _inv([_fn("f", "r")], [role], (_mapping(cluster, topics=("orders",)),))
    needs = _by_action(function_needs(inv, "f"))
    describe = needs["kafka:DescribeClusterV2"]
    assert describe.decision == "allowed"
    assert describe.answer is not None and describe.answer.action == "kafka:DescribeCluster"
    assert (
        needs["kafka-cluster:ReadData"].requirement.resource
        == f"arn:aws:kafka:{R}:{A}:topic/events/abcd-1234/orders"
    )
    assert needs["kafka-cluster:ReadData"].decision == "allowed"
    # The consumer group defaults to the mapping's UUID; the role does not cover groups.
    assert (
        needs["kafka-cluster:AlterGroup"].requirement.resource
        == f"arn:aws:kafka:{R}:{A}:group/events/abcd-1234/m-1"
    )
    assert needs["kafka-cluster:AlterGroup"].decision == "denied"
    assert needs["ec2:DescribeVpcs"].decision == "allowed"
    # The simulator is asked what decided: the accepted alternative, with the role as the principal.
    report = function_needs(inv, "f")
    question = report.question(describe)
    assert question is not None
    assert (question.principal, question.action, question.resource) == (
        f"{ROLE}/r",
        "kafka:DescribeCluster",
        cluster,
    )
    # Every need of this function but the logs comes from its one mapping.
    from_mapping = report.of_source("m-1")
    assert from_mapping and {n.requirement.setting for n in from_mapping} == {"event-source"}
    assert len(from_mapping) == len([n for n in report.needs if n.requirement.setting != "logs"])
    assert report.of_source("another-uuid") == ()


def test_amazon_mq_reads_the_broker_and_its_secret() -> None:
    # with-mq page, "Execution role permissions": mq:DescribeBroker, secretsmanager:GetSecretValue and the
    # EC2 network actions (https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html).
    broker = f"arn:aws:mq:{R}:{A}:broker:orders:b-1234"
    secret = f"arn:aws:secretsmanager:{R}:{A}:secret:mq-user-AbCdEf"
    role = _role("r", CREATE_GROUP, _basic("f"), _allow("mq:DescribeBroker", broker), _allow("ec2:Describe*"))
    inv = _inv(
        [_fn("f", "r")], [role], (_mapping(broker, source_access=(SourceAccess("BASIC_AUTH", secret),)),)
    )
    needs = _by_action(function_needs(inv, "f"))
    assert needs["mq:DescribeBroker"].decision == "allowed"
    assert needs["secretsmanager:GetSecretValue"].requirement.resource == secret
    assert needs["secretsmanager:GetSecretValue"].decision == "denied"
    assert needs["ec2:DescribeSubnets"].decision == "allowed"
    assert needs["ec2:CreateNetworkInterface"].decision == "denied"


def test_self_managed_kafka_needs_its_secret_and_vpc_access_only_when_configured() -> None:
    # with-kafka page, "Managing API access and permissions": secretsmanager:GetSecretValue for the
    # authentication secret; the EC2 actions when the cluster is reached in a VPC
    # (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html).
    secret = f"arn:aws:secretsmanager:{R}:{A}:secret:kafka-AbCdEf"
    role = _role("r", CREATE_GROUP, _basic("f"), _allow("secretsmanager:GetSecretValue", secret))
    public = _mapping(
        None,
        kafka_bootstrap_servers=("b1:9092",),
        source_access=(SourceAccess("SASL_SCRAM_512_AUTH", secret),),
    )
    needs = _by_action(function_needs(_inv([_fn("f", "r")], [role], (public,)), "f"))
    assert needs["secretsmanager:GetSecretValue"].decision == "allowed"
    assert "ec2:CreateNetworkInterface" not in needs
    private = _mapping(
        None,
        kafka_bootstrap_servers=("b1:9092",),
        source_access=(
            SourceAccess("SASL_SCRAM_512_AUTH", secret),
            SourceAccess("VPC_SUBNET", "subnet:subnet-1"),
        ),
    )
    needs = _by_action(function_needs(_inv([_fn("f", "r")], [role], (private,)), "f"))
    assert needs["ec2:CreateNetworkInterface"].decision == "denied"


def test_documentdb_parameter_groups_are_unknown_unless_allowed_on_any() -> None:
    # with-documentdb page, "Prerequisites and permissions": rds:DescribeDBClusters,
    # rds:DescribeDBClusterParameters, rds:DescribeDBSubnetGroups, the EC2 actions and the secret
    # (https://docs.aws.amazon.com/lambda/latest/dg/with-documentdb.html).
    cluster = f"arn:aws:rds:{R}:{A}:cluster:docs"
    role = _role("r", CREATE_GROUP, _basic("f"), _allow(["rds:DescribeDBClusters"], cluster))
    needs = _by_action(function_needs(_inv([_fn("f", "r")], [role], (_mapping(cluster),)), "f"))
    assert needs["rds:DescribeDBClusters"].decision == "allowed"
    params = needs["rds:DescribeDBClusterParameters"]
    assert params.decision == "unknown"
    assert any("not in the inventory" in u for u in params.unknown_because)
    wide = _role("r", CREATE_GROUP, _basic("f"), _allow(["rds:Describe*"]))
    needs = _by_action(function_needs(_inv([_fn("f", "r")], [wide], (_mapping(cluster),)), "f"))
    assert needs["rds:DescribeDBClusterParameters"].decision == "allowed"


def test_dead_letter_queue_and_async_destinations() -> None:
    # invocation-async-retain-records page: destinations need sqs:SendMessage, sns:Publish,
    # lambda:InvokeFunction, events:PutEvents; a dead-letter queue sqs:SendMessage or sns:Publish
    # (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
    topic = f"arn:aws:sns:{R}:{A}:dlq"
    bus = f"arn:aws:events:{R}:{A}:event-bus/default"
    target = f"{FN}:audit"
    config = FunctionConfig(dead_letter_target=topic)
    invoke = (EventInvokeConfig(f"{FN}:f:$LATEST", on_success=bus, on_failure=target),)
    role = _role(
        "r", CREATE_GROUP, _basic("f"), _allow("sns:Publish", topic), _allow("events:PutEvents", bus)
    )
    audit = Function(f"{FN}:audit", "audit", R, A, role=f"{ROLE}/r", policy=PolicySlot())
    inv = _inv([_fn("f", "r", config, event_invoke_configs=invoke), audit], [role])
    needs = _by_action(function_needs(inv, "f"))
    assert needs["sns:Publish"].requirement.setting == "dead-letter-queue"
    assert needs["sns:Publish"].decision == "allowed"
    assert needs["events:PutEvents"].decision == "allowed"
    assert needs["lambda:InvokeFunction"].requirement.resource == target
    assert needs["lambda:InvokeFunction"].decision == "denied"


KEY = f"arn:aws:kms:{R}:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("statement", "decision"),
    [
        (_allow("kms:Decrypt", KEY), "allowed"),
        (None, "unknown"),
        ({"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}, "denied"),
    ],
)
def test_a_customer_managed_environment_key(statement: dict[str, Any] | None, decision: str) -> None:
    # configuration-envvars-encryption: with a customer managed key "Lambda uses your permissions to create
    # a grant on the key" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html);
    # KMS key policies must explicitly allow access, IAM policies alone do not
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). So an
    # identity Allow is "allowed, assuming the key policy delegates", no Allow is unknown (the grant or the
    # key policy may allow), an explicit Deny is denied.
    statements = [CREATE_GROUP, _basic("f")] + ([statement] if statement else [])
    config = FunctionConfig(kms_key_arn=KEY, environment_variables=True)
    need = _by_action(function_needs(_inv([_fn("f", "r", config)], [_role("r", *statements)]), "f"))[
        "kms:Decrypt"
    ]
    assert need.decision == decision
    if decision == "allowed":
        assert any("key policy" in a for a in need.assumes)
    if decision == "unknown":
        assert any("grant" in u for u in need.unknown_because)
    no_variables = FunctionConfig(kms_key_arn=KEY, environment_variables=False)
    plain = function_needs(_inv([_fn("f", "r", no_variables)], [_role("r", *statements)]), "f")
    assert "kms:Decrypt" not in _by_action(plain)


def test_efs_mount_with_the_access_point_condition() -> None:
    # configuration-filesystem page: elasticfilesystem:ClientMount and ClientWrite (not for read-only)
    # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html); EFS policies can key on
    # elasticfilesystem:AccessPointArn (https://docs.aws.amazon.com/efs/latest/ug/access-points-iam-policy.html).
    # Without a file system policy EFS lets any client that can reach a mount target in, so the role's
    # policies alone never make it "denied" (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
    ap = f"arn:aws:elasticfilesystem:{R}:{A}:access-point/fsap-0123"
    config = FunctionConfig(file_systems=(FileSystemConfig(ap, "/mnt/data"),))
    scoped = {
        "Effect": "Allow",
        "Action": "elasticfilesystem:ClientMount",
        "Resource": "*",
        "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": ap}},
    }
    needs = _by_action(
        function_needs(_inv([_fn("f", "r", config)], [_role("r", CREATE_GROUP, _basic("f"), scoped)]), "f")
    )
    mount = needs["elasticfilesystem:ClientMount"]
    assert mount.decision == "allowed"
    assert any("the file system of " + ap in a for a in mount.assumes)
    write = needs["elasticfilesystem:ClientWrite"]
    assert write.decision == "unknown"  # a statement naming the file system itself could allow it
    # The simulator gets the access point as the context the need was asked with.
    report = function_needs(_inv([_fn("f", "r", config)], [_role("r", scoped)]), "f")
    question = report.question(mount)
    assert question is not None and question.context == (("elasticfilesystem:AccessPointArn", ap),)
    roleless = _inv([replace(_fn("f", "r", config), role=None)], [_role("r", scoped)])
    report = function_needs(roleless, "f")
    assert report.question(report.needs[0]) is None  # no execution role: nothing to ask


def test_the_permissions_boundary_and_an_scp_are_named_as_the_blocking_layer() -> None:
    # Permissions boundaries and SCPs limit what identity policies grant
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    config = FunctionConfig(tracing_mode="Active")
    boundary = ManagedPolicy(BOUNDARY, "boundary", PolicySlot(document=_doc(_allow("logs:*"))))
    role = _role("r", _allow(["logs:*", "xray:*"]), boundary=BOUNDARY)
    inv = _inv([_fn("f", "r", config)], [role], managed_policies=(boundary,))
    needs = _by_action(function_needs(inv, "f"))
    assert needs["xray:PutTraceSegments"].blocked_by == BlockedBy.BOUNDARY
    assert needs["logs:PutLogEvents"].decision == "allowed"
    scp = NamedPolicy("no-xray", PolicySlot(document=_doc(_allow(["logs:*"]))))
    inv = _inv([_fn("f", "r", config)], [_role("r", _allow(["logs:*", "xray:*"]))], scps=((scp,),))
    assert _by_action(function_needs(inv, "f"))["xray:PutTraceSegments"].blocked_by == BlockedBy.SCP
    deny = _role("r", _allow(["logs:*", "xray:*"]), {"Effect": "Deny", "Action": "xray:*", "Resource": "*"})
    need = _by_action(function_needs(_inv([_fn("f", "r", config)], [deny]), "f"))["xray:PutTraceSegments"]
    assert need.explicit_deny and need.blocked == "explicit-deny"
    assert need.decided_by[0].effect == "Deny"


def test_what_was_not_read_makes_the_report_unknown() -> None:
    role = _role("r", CREATE_GROUP, _basic("f"))
    unread_config = Function(f"{FN}:f", "f", R, A, role=f"{ROLE}/r", config_unknown="not in the snapshot")
    inv = Inventory(
        A, (R,), "2026-12-01T00:00:00Z", "test", functions=(unread_config,), roles=(role,), scps=()
    )
    report = function_needs(inv, "f")
    assert all(n.decision == "allowed" for n in report.needs)  # the logs needs are still answered...
    assert all(any("LoggingConfig was not read" in a for a in n.assumes) for n in report.needs)
    assert report.decision == "unknown"
    assert any("configuration of f" in u and "not in the snapshot" in u for u in report.unread)
    assert any("event source mappings of us-east-1: not read" in u for u in report.unread)
    assert any("asynchronous invocation destinations" in u for u in report.unread)
    assert report.to_json()["decision"] == "unknown"


def test_an_unknown_function_is_bad_input() -> None:
    inv = _inv([_fn("f", "r")], [_role("r")])
    with pytest.raises(InputError, match="no function named"):
        function_needs(inv, "nope")


def test_a_need_allowed_only_under_a_condition_is_conditional_with_its_condition() -> None:
    # Over an inventory the request context is open: a key no one can know (the source IP Lambda calls
    # from) makes the need conditional, with the condition as data
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip).
    only_from = {
        "Effect": "Allow",
        "Action": "xray:*",
        "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
    config = FunctionConfig(tracing_mode="Active")
    inv = _inv([_fn("f", "r", config)], [_role("r", CREATE_GROUP, _basic("f"), only_from)])
    report = function_needs(inv, "f")
    need = _by_action(report)["xray:PutTraceSegments"]
    assert need.decision == "conditional"
    assert [[(t.key, t.operator, t.values) for t in alt] for alt in need.allowed_if] == [
        [("aws:SourceIp", "IpAddress", ("10.0.0.0/8",))]
    ]
    assert report.decision == "conditional"
    assert need.to_json()["allowed_if"] == [
        [{"key": "aws:SourceIp", "operator": "IpAddress", "values": ["10.0.0.0/8"]}]
    ]
    unmet = [u for u in unmet_needs(inv) if u.need.requirement.action == "xray:PutTraceSegments"]
    assert unmet[0].severity == "low" and "only if aws:SourceIp in 10.0.0.0/8" in unmet[0].why


def test_unmet_needs_are_execution_role_findings_whose_proof_replays() -> None:
    from lambdaperm_tui.analysis.findings import FindingKind, Severity, account_findings
    from lambdaperm_tui.analysis.needs import need_findings
    from lambdaperm_tui.iam.evaluate import evaluate
    from lambdaperm_tui.iam.scenario import load_scenario

    role = _role(
        "r", CREATE_GROUP, _basic("f"), _allow(["sqs:DeleteMessage", "sqs:GetQueueAttributes"], QUEUE)
    )
    inv = _inv([_fn("f", "r")], [role], (_mapping(QUEUE, state="Enabled"),))
    findings, unknown = need_findings(inv)
    assert unknown == ()
    (finding,) = findings
    assert (finding.kind, finding.severity, finding.resource, finding.principal) == (
        FindingKind.EXECUTION_ROLE,
        Severity.HIGH,
        f"{FN}:f",
        f"{ROLE}/r",
    )
    assert finding.actions == ("sqs:ReceiveMessage",)
    assert finding.proof is not None and finding.proof["expected"] == "implicit_deny"
    request, policies = load_scenario({k: v for k, v in finding.proof.items() if k != "expected"})
    assert evaluate(request, policies).decision.value == "implicit_deny"
    assert finding in account_findings(inv).findings
