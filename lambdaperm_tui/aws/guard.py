"""The read-only guard: every client the factory builds refuses any operation that is not a read.

The guard runs on botocore's ``before-call`` event, which fires after the request is built and before it
is signed or sent, so a refused operation never leaves the process. The rule is one allowlist
(``is_read_operation``): an operation whose name starts with ``List``, ``Get`` or ``Describe``, or one
named in ``EXTRA_READS``, minus the few ``Get*`` operations in ``NOT_READS`` that mint credentials.
"""

from __future__ import annotations

from typing import Any

READ_PREFIXES: tuple[str, ...] = ("List", "Get", "Describe")

# Reads whose names do not start with a read prefix. (Both reads this tool relies on most,
# sts:GetCallerIdentity and iam:GetAccountAuthorizationDetails, already match the prefixes; they are
# named here so the allowlist documents them explicitly.)
EXTRA_READS: frozenset[tuple[str, str]] = frozenset(
    {
        ("sts", "GetCallerIdentity"),
        ("iam", "GetAccountAuthorizationDetails"),
        ("iam", "SimulatePrincipalPolicy"),  # evaluates, changes nothing; not used by the loader
    }
)

# Operations with a read-looking name that create something (temporary credentials). Refused.
NOT_READS: frozenset[tuple[str, str]] = frozenset(
    {
        ("sts", "GetSessionToken"),
        ("sts", "GetFederationToken"),
        ("sso", "GetRoleCredentials"),
    }
)


class ReadOnlyViolation(RuntimeError):
    """Raised before a non-read operation is sent. The message names the service and operation."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"refused {service}:{operation}: lambdaperm-tui is read-only and never sends an operation "
            "that could change an account"
        )
        self.service = service
        self.operation = operation


def is_read_operation(service: str, operation: str) -> bool:
    """True when ``service:operation`` (botocore service name, API operation name) is on the allowlist."""
    key = (service, operation)
    if key in NOT_READS:
        return False
    return key in EXTRA_READS or operation.startswith(READ_PREFIXES)


def refuse_non_reads(model: Any, **_: Any) -> None:
    """botocore ``before-call`` handler: raise ``ReadOnlyViolation`` for any operation not allowlisted."""
    service = str(model.service_model.service_name)
    operation = str(model.name)
    if not is_read_operation(service, operation):
        raise ReadOnlyViolation(service, operation)


def install_guard(client: Any) -> None:
    """Register the guard on one botocore client (idempotent: botocore dedupes by unique_id)."""
    client.meta.events.register_first("before-call", refuse_non_reads, unique_id="lambdaperm-read-only-guard")
