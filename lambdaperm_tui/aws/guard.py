"""The read-only guard: every client the factory builds refuses any operation it does not need to read.

The guard runs on botocore's ``before-call`` event, which fires after the request is built and before it
is signed or sent, so a refused operation never leaves the process. The rule is one explicit allowlist per
service (``READS``): the reads the loader and the credential check make, and nothing else. A name pattern
(``Get*``, ``List*``) is not enough: STS alone has six ``Get*`` operations that mint credentials or tokens
(``GetSessionToken``, ``GetFederationToken``, ``GetWebIdentityToken``, ``GetScopedCredentials``,
``GetDelegatedAccessToken``...), and a future one would pass a prefix rule unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# Every operation lambdaperm-tui sends, per botocore service name. Adding one is a deliberate act: it must
# be a read that creates nothing (no credentials, tokens, reports or sessions); tests/aws/test_guard.py
# checks every entry against botocore's service models.
READS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "lambda": frozenset(
            {
                "ListFunctions",
                "GetFunction",
                "ListAliases",
                "GetPolicy",
                "ListFunctionUrlConfigs",
                "GetFunctionUrlConfig",
                "ListLayers",
                "ListLayerVersions",
                "GetLayerVersionPolicy",
                "ListEventSourceMappings",
                "ListFunctionEventInvokeConfigs",
            }
        ),
        "iam": frozenset(
            {
                "GetAccountAuthorizationDetails",
                "ListRoles",
                "GetRole",
                "ListRolePolicies",
                "GetRolePolicy",
                "ListAttachedRolePolicies",
                "ListUsers",
                "GetUser",
                "ListUserPolicies",
                "GetUserPolicy",
                "ListAttachedUserPolicies",
                "ListGroupsForUser",
                "ListGroups",
                "ListGroupPolicies",
                "GetGroupPolicy",
                "ListAttachedGroupPolicies",
                "GetPolicy",
                "GetPolicyVersion",
            }
        ),
        # Who the credentials belong to (the account id); mints nothing.
        "sts": frozenset({"GetCallerIdentity"}),
        "organizations": frozenset(
            {"DescribeOrganization", "ListParents", "ListPoliciesForTarget", "DescribePolicy"}
        ),
    }
)

# The services the factory builds clients for: exactly those with an allowlist.
SERVICES: tuple[str, ...] = tuple(READS)


class ReadOnlyViolation(RuntimeError):
    """Raised before a non-allowlisted operation is sent. The message names the service and operation."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"refused {service}:{operation}: lambdaperm-tui is read-only and sends only the reads it needs "
            "(the allowlist in lambdaperm_tui/aws/guard.py)"
        )
        self.service = service
        self.operation = operation


def is_read_operation(service: str, operation: str) -> bool:
    """True when ``service:operation`` (botocore service name, API operation name) is on the allowlist."""
    return operation in READS.get(service, frozenset())


def refuse_non_reads(model: Any, **_: Any) -> None:
    """botocore ``before-call`` handler: raise ``ReadOnlyViolation`` for any operation not allowlisted."""
    service = str(model.service_model.service_name)
    operation = str(model.name)
    if not is_read_operation(service, operation):
        raise ReadOnlyViolation(service, operation)


def install_guard(client: Any) -> None:
    """Register the guard on one botocore client (idempotent: botocore dedupes by unique_id)."""
    client.meta.events.register_first("before-call", refuse_non_reads, unique_id="lambdaperm-read-only-guard")
