"""Amazon Resource Names: parsing, validation, wildcard matching and the Lambda ARN forms.

ARN layout (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
``arn:partition:service:region:account-id:resource``. Matching of a policy's Resource element against
the request's ARN is case-sensitive, with ``*`` (any run of characters) and ``?`` (one character)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html); the
matcher is ``iam/wildcard.py``.

Lambda ARNs (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html): a request
names exactly one of ``function:NAME`` (unqualified), ``function:NAME:7`` (version),
``function:NAME:$LATEST``, ``function:NAME:ALIAS``, ``layer:NAME`` or ``layer:NAME:3``. Matching is plain
ARN matching, so ``function:f`` does not match ``function:f:1``, ``function:f:*`` matches the qualified
forms only, and ``function:f*`` matches both (and every other function whose name starts with ``f``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from .errors import RequestError


def _q(value: object) -> str:
    """``value`` quoted for a one-line error message (control characters escaped, long text cut)."""
    text = json.dumps(str(value), ensure_ascii=False)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85")
    return text if len(text) <= 120 else text[:117] + '..."'


__all__ = [
    "Arn",
    "LambdaArn",
    "PARTITIONS",
    "parse_arn",
    "parse_lambda_arn",
]

# The partitions whose principals this tool understands (commercial, China, GovCloud).
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

_PARTITION_RE = re.compile(r"^aws(-[a-z]+)*$")
_SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REGION_RE = re.compile(r"^([a-z]{2}(-[a-z]+)+-\d+|\*)?$")
_ACCOUNT_RE = re.compile(r"^(\d{12}|aws)?$")
_LAMBDA_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,140}$")
_VERSION_RE = re.compile(r"^\d{1,20}$")


@dataclass(frozen=True, slots=True)
class Arn:
    """A parsed ARN. ``resource`` is everything after the fifth colon (it may contain colons)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: object, field: str = "resource") -> Arn:
    """Parse and validate an ARN; raise ``RequestError`` naming ``field`` and the faulty part."""
    if not isinstance(text, str):
        raise RequestError(f"{field}: must be an ARN string, got {type(text).__name__}")
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise RequestError(
            f"{field}: {_q(text)} is not an ARN (arn:partition:service:region:account:resource)"
        )
    _, partition, service, region, account, resource = parts
    if not _PARTITION_RE.fullmatch(partition):
        raise RequestError(f"{field}: {_q(text)} has an invalid partition {_q(partition)}")
    if not _SERVICE_RE.fullmatch(service):
        raise RequestError(f"{field}: {_q(text)} has an invalid service {_q(service)}")
    if not _REGION_RE.fullmatch(region):
        raise RequestError(f"{field}: {_q(text)} has an invalid region {_q(region)}")
    if not _ACCOUNT_RE.fullmatch(account):
        raise RequestError(
            f"{field}: {_q(text)} has an invalid account id {_q(account)} (12 digits expected)"
        )
    if not resource:
        raise RequestError(f"{field}: {_q(text)} has an empty resource part")
    return Arn(partition, service, region, account, resource)


@dataclass(frozen=True, slots=True)
class LambdaArn:
    """A Lambda function or layer ARN in one of its exact forms.

    ``kind`` is ``function`` or ``layer``; ``qualifier`` the text after the name (version number,
    ``$LATEST`` or alias name for functions, version number for layers) or None when unqualified;
    ``qualifier_kind`` says which it is.
    """

    arn: str
    partition: str
    region: str
    account: str
    kind: Literal["function", "layer"]
    name: str
    qualifier: str | None
    qualifier_kind: Literal["version", "latest", "alias", "layer_version"] | None

    @property
    def unqualified(self) -> str:
        """The ARN without its qualifier (the function or the layer itself)."""
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}:{self.kind}:{self.name}"


def parse_lambda_arn(text: object, field: str = "resource") -> LambdaArn:
    """Parse a Lambda function (plain, version, ``$LATEST``, alias) or layer (plain, version) ARN.

    Raises ``RequestError`` naming ``field`` when ``text`` is not one of those forms.
    """
    arn = parse_arn(text, field)
    if arn.service != "lambda":
        raise RequestError(f"{field}: {_q(arn)} is not a Lambda ARN (service is {_q(arn.service)})")
    if not arn.region or arn.region == "*" or not arn.account or arn.account == "aws":
        raise RequestError(f"{field}: {_q(arn)} must name a region and a 12-digit account")
    parts = arn.resource.split(":")
    kind = parts[0]
    if kind not in ("function", "layer") or len(parts) not in (2, 3):
        raise RequestError(
            f"{field}: {_q(arn)} is not a Lambda function:NAME[:QUALIFIER] or layer:NAME[:VERSION] ARN"
        )
    name = parts[1]
    if not _LAMBDA_NAME_RE.fullmatch(name):
        raise RequestError(f"{field}: {_q(arn)} has an invalid {kind} name {_q(name)}")
    qualifier = parts[2] if len(parts) == 3 else None
    qualifier_kind: Literal["version", "latest", "alias", "layer_version"] | None = None
    if qualifier is not None:
        if kind == "layer":
            if not _VERSION_RE.fullmatch(qualifier):
                raise RequestError(f"{field}: {_q(arn)} has an invalid layer version {_q(qualifier)}")
            qualifier_kind = "layer_version"
        elif qualifier == "$LATEST":
            qualifier_kind = "latest"
        elif _VERSION_RE.fullmatch(qualifier):
            qualifier_kind = "version"
        elif re.fullmatch(r"[A-Za-z0-9_-]{1,128}", qualifier):
            qualifier_kind = "alias"
        else:
            raise RequestError(f"{field}: {_q(arn)} has an invalid qualifier {_q(qualifier)}")
    return LambdaArn(
        arn=str(arn),
        partition=arn.partition,
        region=arn.region,
        account=arn.account,
        kind="function" if kind == "function" else "layer",
        name=name,
        qualifier=qualifier,
        qualifier_kind=qualifier_kind,
    )
