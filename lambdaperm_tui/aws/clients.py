"""One factory for every boto3 client: standard config chain, explicit timeouts and retries, read-only.

The boto3 ``Session`` is created once (sessions are not thread-safe) and clients are created from it
under a lock and cached per (service, region); botocore clients themselves are thread-safe, so the
loader's worker threads share them. Every client gets the read-only guard before it is handed out.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

import boto3
import botocore.exceptions as bce
from botocore.config import Config

from .guard import SERVICES, install_guard

# How long one request may take before it is given up, retries included: an endpoint that accepts and never
# answers (or never accepts) must be a clear message within STALL_BUDGET seconds, not minutes (botocore's
# defaults, 60 s reads and up to 5 attempts in adaptive mode, made it 3 minutes). AWS answers its read
# APIs in well under a second, so 6 s without a byte is a stall; three attempts still ride out a throttle
# or a dropped connection (the loader paces Lambda itself, aws/ratelimit.py).
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 6.0
DEFAULT_MAX_ATTEMPTS = 3
STALL_BUDGET = 30.0
# botocore's backoff between attempts that failed without a throttle: rand(0, 1) * 0.05 s * 2 ** i
# (botocore/retries/standard.py, ExponentialBackoff); a timeout is never a throttle.
_RETRY_BACKOFF_BASE = 0.05

# Hosts of AWS's own endpoints; anything else (moto, LocalStack, a proxy) counts as a custom endpoint.
_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov")

_EXPIRED_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "AccessDeniedException",
    }
)


DEMO_HINT = "or try the built-in demo account: --demo"
NO_CREDENTIALS = f"no AWS credentials found: set AWS_PROFILE or run `aws configure` ({DEMO_HINT})"
NO_REGION = "no AWS region: pass --region or set AWS_REGION (or `region` in the profile)"
NO_CREDENTIALS_NOR_REGION = (
    "no AWS credentials and no AWS region: run `aws configure` (or set AWS_PROFILE) and pass --region "
    f"({DEMO_HINT})"
)


def request_budget(connect_timeout: float, read_timeout: float, max_attempts: int) -> float:
    """The longest one request can take with these settings before botocore gives up: every attempt
    connecting at the last moment and then waiting out its read, plus the backoff between attempts."""
    backoff = sum(_RETRY_BACKOFF_BASE * 2.0**i for i in range(max_attempts - 1))
    return max_attempts * (connect_timeout + read_timeout) + backoff


class CredentialsError(RuntimeError):
    """The AWS configuration or credentials cannot be used. The message says what to do; it never
    contains a credential."""


class ClientFactory:
    """Builds guarded, thread-safe-to-use boto3 clients from one session.

    ``profile``/``region``/``endpoint_url`` default to the standard chain (``AWS_PROFILE``,
    ``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` and the config files), exactly as the AWS
    CLI resolves them. ``max_workers`` sizes the connection pool so the loader's threads never wait for a
    connection. ``max_attempts`` counts every attempt, the first one included.
    """

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        max_workers: int = 8,
        *,
        retry_mode: str = "adaptive",
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.max_workers = max_workers
        self.max_attempts = max_attempts
        self.read_timeout = read_timeout
        self.budget = request_budget(connect_timeout, read_timeout, max_attempts)
        try:
            # ``credentials`` (aws_access_key_id, aws_secret_access_key[, aws_session_token]) is for the
            # in-process demo account only; a live account always goes through the standard chain.
            creds = dict(credentials or {})
            self._session = boto3.session.Session(
                aws_access_key_id=creds.get("aws_access_key_id"),
                aws_secret_access_key=creds.get("aws_secret_access_key"),
                aws_session_token=creds.get("aws_session_token"),
                profile_name=profile,
            )
            default_region = region or self._session.region_name
        except bce.ProfileNotFound as exc:
            raise CredentialsError(_profile_not_found(profile)) from exc
        except (bce.ConfigParseError, bce.InvalidConfigError) as exc:
            raise CredentialsError(f"the AWS config file cannot be read: {exc}") from exc
        if not default_region:
            raise CredentialsError(self._no_region())
        self.region: str = default_region
        self.config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": retry_mode, "total_max_attempts": max_attempts},  # type: ignore[arg-type]
            max_pool_connections=max(10, max_workers + 2),
            user_agent_extra="lambdaperm-tui",
        )
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._hooks: list[tuple[str, Callable[..., Any]]] = []

    def _no_region(self) -> str:
        """Why there is no region, saying at once when the credentials are missing too: fixing the region
        first only to be told about the credentials next is a wasted round trip for a new user."""
        try:
            missing = self._session.get_credentials() is None
        except bce.BotoCoreError:
            missing = False  # credentials that exist but fail are reported once a region is given
        return NO_CREDENTIALS_NOR_REGION if missing else f"{NO_REGION} ({DEMO_HINT})"

    def client(self, service: str, region: str | None = None) -> Any:
        """The guarded client for ``service`` in ``region`` (default region when None), created once."""
        if service not in SERVICES:
            # A client for a service without an allowlist could only ever be refused: fail at once, loudly.
            raise ValueError(f"no read-only allowlist for service {service!r} (lambdaperm_tui/aws/guard.py)")
        key = (service, region or self.region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                try:
                    # Any service name: boto3-stubs' overloads want a literal per service.
                    client = self._session.client(  # type: ignore[call-overload]
                        service, region_name=key[1], endpoint_url=self.endpoint_url, config=self.config
                    )
                except bce.ProfileNotFound as exc:
                    raise CredentialsError(_profile_not_found(self.profile)) from exc
                install_guard(client)
                for event, handler in self._hooks:
                    client.meta.events.register(event, handler)
                self._clients[key] = client
            return client

    def prepare(self, services: Sequence[str], regions: Sequence[str]) -> None:
        """Create the clients a load needs up front, before worker threads start."""
        for service in services:
            for region in regions:
                self.client(service, region)

    def register(self, event: str, handler: Callable[..., Any]) -> None:
        """Register a botocore event handler on every client, existing and future (tests, benchmarks)."""
        with self._lock:
            self._hooks.append((event, handler))
            clients = list(self._clients.values())
        for client in clients:
            client.meta.events.register(event, handler)

    @property
    def uses_aws_endpoint(self) -> bool:
        """True when requests go to AWS itself (so AWS's quotas apply), False for a custom endpoint."""
        url = str(self.client("lambda").meta.endpoint_url)
        host = urlparse(url).hostname or ""
        return host.endswith(_AWS_HOST_SUFFIXES)

    def effective_endpoint(self, service: str = "lambda") -> str:
        """The endpoint URL a service's client talks to (for headers and messages)."""
        return str(self.client(service).meta.endpoint_url)

    def is_sso_profile(self) -> bool:
        """True when the active profile gets its credentials from IAM Identity Center (SSO)."""
        try:
            scoped = self._session._session.get_scoped_config()
        except bce.BotoCoreError:
            return False
        return any(k in scoped for k in ("sso_session", "sso_start_url", "sso_account_id"))

    def _mfa_serial(self) -> str | None:
        """The ``mfa_serial`` of the profile in use or of a profile its role is assumed from, if any."""
        try:
            profiles = self._session._session.full_config.get("profiles", {})
        except bce.BotoCoreError:
            return None
        name: str | None = self._session.profile_name
        seen: set[str] = set()
        while name and name not in seen and isinstance(profiles.get(name), dict):
            seen.add(name)
            profile = profiles[name]
            if profile.get("mfa_serial"):
                return str(profile["mfa_serial"])
            name = profile.get("source_profile")
        return None

    def _needs_mfa(self) -> str:
        name = self._session.profile_name or "default"
        return (
            f"profile {name} needs an MFA code, typed at an interactive terminal, and there is none: run "
            f"lambdaperm-tui from a terminal, or use credentials that need no MFA (e.g. `aws sts "
            f"get-session-token` exported as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN)"
        )

    def check_credentials(self) -> str:
        """Resolve credentials and call sts:GetCallerIdentity; return the account id.

        Raises ``CredentialsError`` with an actionable one-line message. Run it before any UI starts, so
        an MFA prompt reaches the terminal and an expired SSO token is reported instead of hanging.
        """
        profile_hint = self.profile or "default"
        sso_hint = f"run `aws sso login --profile {profile_hint}`"
        mfa = CredentialsError(self._needs_mfa())
        if self._mfa_serial() and not _can_prompt():
            raise mfa  # before botocore's prompt, which would read EOF from a pipe or /dev/null
        try:
            creds = self._session.get_credentials()
        except bce.ProfileNotFound as exc:
            raise CredentialsError(_profile_not_found(self.profile)) from exc
        except (EOFError, bce.RefreshWithMFAUnsupportedError) as exc:
            raise mfa from exc
        except (bce.SSOTokenLoadError, bce.UnauthorizedSSOTokenError, bce.TokenRetrievalError) as exc:
            raise CredentialsError(f"the AWS SSO session has expired or is missing: {sso_hint}") from exc
        except bce.CredentialRetrievalError as exc:
            raise CredentialsError(credential_failure(exc, self.profile)) from exc
        except (bce.PartialCredentialsError, bce.InvalidConfigError) as exc:
            raise CredentialsError(f"AWS credentials cannot be loaded: {exc}") from exc
        if creds is None:
            raise CredentialsError(NO_CREDENTIALS)
        sts = self.client("sts")
        try:
            identity = sts.get_caller_identity()
        except bce.NoCredentialsError as exc:
            raise CredentialsError(NO_CREDENTIALS) from exc
        except (EOFError, bce.RefreshWithMFAUnsupportedError) as exc:
            # botocore asks for the code when the role is first assumed (during this call), with getpass:
            # without a terminal it reads standard input, and /dev/null or a pipe gives EOFError.
            raise mfa from exc
        except (bce.SSOTokenLoadError, bce.UnauthorizedSSOTokenError, bce.TokenRetrievalError) as exc:
            raise CredentialsError(f"the AWS SSO session has expired or is missing: {sso_hint}") from exc
        except bce.ReadTimeoutError as exc:
            raise CredentialsError(
                f"the AWS endpoint {sts.meta.endpoint_url} accepted the connection but did not answer "
                f"sts:GetCallerIdentity ({self.max_attempts} attempts, {self.read_timeout:g} s each): "
                "check --endpoint-url, AWS_ENDPOINT_URL and the network or proxy"
            ) from exc
        except (bce.EndpointConnectionError, bce.ConnectTimeoutError) as exc:
            raise CredentialsError(
                f"cannot reach the AWS endpoint {sts.meta.endpoint_url}: {type(exc).__name__}"
            ) from exc
        except bce.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            message = str(exc.response.get("Error", {}).get("Message", ""))
            if code in _EXPIRED_CODES:
                fix = sso_hint if self.is_sso_profile() else "refresh the credentials (`aws configure`)"
                raise CredentialsError(f"AWS rejected the credentials ({code}: {message}): {fix}") from exc
            raise CredentialsError(f"sts:GetCallerIdentity failed ({code}: {message})") from exc
        except bce.CredentialRetrievalError as exc:  # a refresh during the call
            raise CredentialsError(credential_failure(exc, self.profile)) from exc
        except bce.BotoCoreError as exc:
            raise CredentialsError(f"AWS credentials cannot be used: {exc}") from exc
        return str(identity["Account"])


def _can_prompt() -> bool:
    """Whether botocore's MFA prompt (``getpass``) has a terminal to ask on: /dev/tty on POSIX, else
    standard input being one."""
    if os.name == "posix":
        try:
            with open("/dev/tty", "rb"):
                return True
        except OSError:
            pass
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def credential_failure(exc: bce.CredentialRetrievalError, profile: str | None) -> str:
    """What to say when a credential provider failed, without its output.

    botocore puts the provider's error text in the exception (for ``credential_process``: the process's
    stderr, verbatim), and a failing helper may well print a token or a password there. Say which
    provider failed and how to see the details oneself, never the text.
    """
    provider = str(exc.kwargs.get("provider") or "a credential provider")
    flag = f" --profile {profile}" if profile else ""
    check = f"`aws sts get-caller-identity{flag}`"
    if provider == "custom-process":
        whose = f"profile {profile}" if profile else "the AWS profile in use"
        return (
            f"the credential_process of {whose} failed (its output is not shown: it may hold a secret); "
            f"run that command yourself, or {check}, to see why"
        )
    return (
        f"AWS credentials could not be retrieved from {provider} (the details are not shown: they may "
        f"hold a secret); run {check} to see why"
    )


def _profile_not_found(profile: str | None) -> str:
    return (
        f"AWS profile {profile!r} not found in ~/.aws/config or ~/.aws/credentials: "
        "check --profile / AWS_PROFILE or run `aws configure --profile NAME`"
    )
