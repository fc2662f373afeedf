"""The demo's execution-role story: functions whose configuration needs something of their role, some met
and some not (what ``needs`` and ``triggers`` should find; docs/demo.md has the table).

Kept apart from ``seed.py`` (which seeds the access story) so both can grow without stepping on each
other; ``seed.seed`` calls ``seed_execution_needs`` once, in the first region.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The functions this module adds, by name (the tests and docs/demo.md use these).
QUEUE_WORKER = "order-queue-worker"  # SQS mapping; the role cannot sqs:ReceiveMessage
STREAM_READER = "clickstream-processor"  # Kinesis mapping + on-failure queue; all met
TRACED = "checkout-traced"  # tracing Active; the role has no X-Ray actions
VPC_WITHOUT_ENI = "inventory-sync-vpc"  # in a VPC; the role lacks the network-interface actions
VPC_WITH_ENI = "reporting-vpc"  # in a VPC with AWSLambdaVPCAccessExecutionRole; met
ASYNC_NOTIFIER = "async-notifier"  # on-failure destination queue; met
ENV_KEY = "secrets-reader"  # env vars under a customer managed key; the role may kms:Decrypt it

NEEDS_FUNCTIONS = (
    QUEUE_WORKER,
    STREAM_READER,
    TRACED,
    VPC_WITHOUT_ENI,
    VPC_WITH_ENI,
    ASYNC_NOTIFIER,
    ENV_KEY,
)

# moto does not check subnets or security groups named in a VpcConfig; these ids exist nowhere.
_SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
_SECURITY_GROUPS = ["sg-0a1b2c3d4e5f60001"]


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(sid: str, actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


@dataclass(frozen=True)
class _NeedFn:
    name: str
    role: str
    description: str
    managed: tuple[str, ...] = ("AWSLambdaBasicExecutionRole",)
    inline: tuple[dict[str, Any], ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


def seed_execution_needs(
    client: Callable[[str, str], Any],
    account: str,
    region: str,
    managed_arn: Callable[[str], str],
    zip_bytes: bytes,
) -> None:
    """Create the queues, stream, roles, functions, mappings and invoke configs of the story in ``region``.

    ``client(service, region)`` gives a boto3 client routed to ``account``; ``managed_arn(name)`` the ARN
    of an AWS managed policy the demo copied into the account.
    """
    sqs = client("sqs", region)
    kinesis = client("kinesis", region)
    iam = client("iam", region)
    lam = client("lambda", region)

    def queue(name: str) -> str:
        sqs.create_queue(QueueName=name)
        return f"arn:aws:sqs:{region}:{account}:{name}"

    orders_queue = queue("orders-to-fulfil")
    click_failures = queue("clickstream-failures")
    notifier_failures = queue("notifier-failures")
    kinesis.create_stream(StreamName="clickstream", ShardCount=1)
    stream = f"arn:aws:kinesis:{region}:{account}:stream/clickstream"
    key = f"arn:aws:kms:{region}:{account}:key/5e1c7a2b-0d3f-4e6a-9b8c-1f2e3d4c5b6a"

    functions = [
        _NeedFn(
            QUEUE_WORKER,
            "queue-worker-role",
            "Fulfils orders from the SQS queue (its role cannot receive)",
            inline=(
                _allow("QueueHousekeeping", ["sqs:DeleteMessage", "sqs:GetQueueAttributes"], orders_queue),
            ),
        ),
        _NeedFn(
            STREAM_READER,
            "stream-reader-role",
            "Aggregates the clickstream; failed batches go to a queue",
            inline=(
                _allow(
                    "ReadClickstream",
                    [
                        "kinesis:DescribeStream",
                        "kinesis:DescribeStreamSummary",
                        "kinesis:GetRecords",
                        "kinesis:GetShardIterator",
                        "kinesis:ListShards",
                    ],
                    stream,
                ),
                _allow("FailedBatches", ["sqs:SendMessage"], click_failures),
            ),
        ),
        _NeedFn(
            TRACED,
            "checkout-role",
            "Checkout with active X-Ray tracing (its role cannot send traces)",
            options={"TracingConfig": {"Mode": "Active"}},
        ),
        _NeedFn(
            VPC_WITHOUT_ENI,
            "inventory-sync-role",
            "Syncs the warehouse database inside the VPC (its role cannot manage network interfaces)",
            options={"VpcConfig": {"SubnetIds": _SUBNETS, "SecurityGroupIds": _SECURITY_GROUPS}},
        ),
        _NeedFn(
            VPC_WITH_ENI,
            "reporting-vpc-role",
            "Reads the reporting database inside the VPC",
            managed=("AWSLambdaVPCAccessExecutionRole",),
            options={"VpcConfig": {"SubnetIds": _SUBNETS, "SecurityGroupIds": _SECURITY_GROUPS}},
        ),
        _NeedFn(
            ASYNC_NOTIFIER,
            "notifier-role",
            "Sends notifications; failed asynchronous events go to a queue",
            inline=(_allow("FailedEvents", ["sqs:SendMessage"], notifier_failures),),
        ),
        _NeedFn(
            ENV_KEY,
            "secrets-reader-role",
            "Environment variables encrypted with a customer managed key",
            inline=(_allow("DecryptEnvironment", ["kms:Decrypt"], key),),
            options={"KMSKeyArn": key, "Environment": {"Variables": {"STAGE": "prod"}}},
        ),
    ]
    trust = _doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    for fn in functions:
        role = iam.create_role(RoleName=fn.role, AssumeRolePolicyDocument=trust, Path="/service-role/")
        for name in fn.managed:
            iam.attach_role_policy(RoleName=fn.role, PolicyArn=managed_arn(name))
        if fn.inline:
            iam.put_role_policy(RoleName=fn.role, PolicyName="execution", PolicyDocument=_doc(*fn.inline))
        lam.create_function(
            FunctionName=fn.name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="app.handler",
            Code={"ZipFile": zip_bytes},
            Description=fn.description,
            Timeout=30,
            MemorySize=256,
            Tags={"team": "platform", "story": "execution-role"},
            **fn.options,
        )
    lam.create_event_source_mapping(EventSourceArn=orders_queue, FunctionName=QUEUE_WORKER, BatchSize=10)
    lam.create_event_source_mapping(
        EventSourceArn=stream,
        FunctionName=STREAM_READER,
        StartingPosition="LATEST",
        BatchSize=100,
        DestinationConfig={"OnFailure": {"Destination": click_failures}},
    )
    lam.put_function_event_invoke_config(
        FunctionName=ASYNC_NOTIFIER,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": notifier_failures}},
    )


__all__ = ["NEEDS_FUNCTIONS", "seed_execution_needs"]
