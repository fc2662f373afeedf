"""The read-only allowlist, against every operation of every service the factory builds clients for.

botocore's service models list each service's operations; every one of them is classified here, so an
operation added to a model (a new ``Get*`` that mints credentials) or to the allowlist is caught.
"""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
import pytest

from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.guard import READS, SERVICES, ReadOnlyViolation, is_read_operation
from lambdaperm_tui.aws.loader import Loader
from tests.aws.loopback import loopback

# A read's name: a read verb, then a noun.
_READ_NAME = re.compile(r"^(List|Get|Describe)[A-Z]")
# Names of operations that create credentials, tokens, sessions or reports, or expose secrets, whatever
# their verb (sts:GetSessionToken, sts:GetWebIdentityToken, sts:GetScopedCredentials, iam:GetLoginProfile,
# ecr:GetAuthorizationToken, iam:GenerateCredentialReport, sts:AssumeRole...).
_MINTS = re.compile(
    r"Token|Credential|Assume|Federat|Session|Password|Secret|AccessKey|Login|SSHPublicKey|Generate|Sign"
)
# The three STS operations of issue 7 item 13 that an earlier prefix rule let through.
_MINTING_GETS = ("GetWebIdentityToken", "GetScopedCredentials", "GetDelegatedAccessToken")


def _operations(service: str) -> tuple[str, ...]:
    return tuple(botocore.session.get_session().get_service_model(service).operation_names)


def test_the_factory_serves_exactly_the_services_with_an_allowlist(aws_env: Path) -> None:
    assert set(SERVICES) == set(Loader.SERVICES)
    factory = ClientFactory(region="us-east-1")
    with pytest.raises(ValueError, match="no read-only allowlist for service 'ec2'"):
        factory.client("ec2")


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_of_the_service_is_classified(service: str) -> None:
    operations = _operations(service)
    allowed = {op for op in operations if is_read_operation(service, op)}
    # The allowlist names only real operations (a typo would silently allow nothing, or a look-alike).
    assert READS[service] <= set(operations), READS[service] - set(operations)
    assert allowed == READS[service]
    for operation in sorted(allowed):
        assert _READ_NAME.match(operation), f"{service}:{operation} is not named as a read"
        assert not _MINTS.search(operation), f"{service}:{operation} looks like it mints credentials"
    # Everything else is refused, the mutating operations and the reads the tool does not need alike.
    refused = set(operations) - allowed
    assert refused and all(not is_read_operation(service, op) for op in refused)


def test_sts_allows_only_the_identity_check() -> None:
    sts = _operations("sts")
    assert [op for op in sts if is_read_operation("sts", op)] == ["GetCallerIdentity"]
    for operation in _MINTING_GETS + ("GetSessionToken", "GetFederationToken", "AssumeRole"):
        assert operation in sts
        assert not is_read_operation("sts", operation)


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("lambda", "AddPermission"),
        ("lambda", "Invoke"),
        ("lambda", "GetFunctionConfiguration"),  # a read the loader does not make
        # Versions come from ListFunctions(FunctionVersion=ALL), so this read is not needed either.
        ("lambda", "ListVersionsByFunction"),
        ("iam", "GenerateCredentialReport"),
        ("iam", "GetCredentialReport"),
        ("iam", "CreateRole"),
        ("organizations", "CreatePolicy"),
        ("ec2", "DescribeRegions"),  # a service without an allowlist
    ],
)
def test_refused(service: str, operation: str) -> None:
    assert not is_read_operation(service, operation)


@pytest.mark.parametrize("operation", _MINTING_GETS + ("GetSessionToken",))
def test_a_refused_operation_never_reaches_the_server(aws_env: Path, operation: str) -> None:
    with loopback("answer") as server:
        factory = ClientFactory(region="us-east-1", endpoint_url=server.endpoint_url, max_attempts=1)
        sts = factory.client("sts")
        method = getattr(sts, re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower())
        params = sts.meta.service_model.operation_model(operation).input_shape
        # Fill the required parameters so that nothing but the guard could stop the request.
        kwargs = {name: _dummy(params.members[name].type_name) for name in params.required_members}
        with pytest.raises(ReadOnlyViolation, match=f"sts:{operation}"):
            method(**kwargs)
        assert server.requests == 0 and server.connections == 0
        # The same client does reach the server with the one STS read it needs: the counter counts.
        assert sts.get_caller_identity()["Account"] == "111122223333"
        assert server.requests == 1


def _dummy(type_name: str) -> object:
    return {"string": "x" * 20, "integer": 900, "list": ["x" * 20], "structure": {}}.get(type_name, "x")
