"""Make the in-process moto server keep AWS-shaped, per-qualifier Lambda resource policies.

Pinned to moto ``5.2.5`` (``install()`` refuses any other version: the patch replaces internals).

What moto 5.2.5 gets wrong, and what this module changes
--------------------------------------------------------
* **One policy for every qualifier.** moto's versions are shallow copies of ``$LATEST`` that share its
  ``Policy`` object, and aliases resolve to a version, so ``AddPermission --qualifier prod`` lands in the same
  statement list as the unqualified function. AWS keeps one policy per function, per version and per alias,
  and a request is checked against the policy of exactly the ARN it names. This adapter keeps one policy per
  (function, qualifier) for ``AddPermission``, ``RemovePermission`` and ``GetPolicy``; deleting a function,
  a version or an alias deletes its policies, as AWS does.
* **AddPermission options outside ``Condition``.** moto leaves ``EventSourceToken`` out, keeps
  ``FunctionUrlAuthType``/``InvokedViaFunctionUrl`` as top-level keys, and lets ``PrincipalOrgID``
  and ``SourceAccount`` overwrite each other's ``StringEquals``. AWS writes every option as a condition;
  the adapter builds each statement with ``iam/lambda_permission.py`` (the rule, with its AWS pages, that
  ``aws/compat.py`` also applies), after checking the call as AWS does.
* **Layer version permissions.** moto leaves a bare account id as the principal and ``OrganizationId`` as
  an unknown top-level key. AWS writes ``{"AWS": "arn:aws:iam::A:root"}`` and, for an organization,
  ``Principal "*"`` with ``StringEquals aws:PrincipalOrgID``
  (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html).
* **Function URLs.** moto ignores ``Qualifier`` (one URL per function) and has no route for
  ``ListFunctionUrlConfigs``. This adapter keeps one URL config per function or alias, answers
  ``Get/Update/Delete`` with ``Qualifier`` and serves ``ListFunctionUrlConfigs``. URL ids are derived from the
  ARN so a seeded account is the same on every run.
* **IAM account details.** ``GetAccountAuthorizationDetails`` omits ``PolicyName`` and ``PolicyId`` from
  each managed policy; the adapter gives moto's ``ManagedPolicy`` the attributes its serializer looks for.
* **Revision ids** are derived from the policy content (deterministic), not random.
* **AWS managed policies.** moto loads no AWS managed policies unless
  ``MOTO_IAM_LOAD_MANAGED_POLICIES`` is set for the whole process (about 1,300 documents).
  ``add_aws_managed_policies`` copies just the named ones from moto's bundled data into one account.

What moto does not model (and this adapter does not add)
--------------------------------------------------------
Authorization of any kind: moto does not evaluate resource policies, identity policies, boundaries,
function URL auth types (URLs cannot be invoked at all), SCPs or RCPs; there is no AWS Organizations link
between the demo account and the organization ids named in policies; the IAM policy simulator is not
modelled; ``ListFunctions``, ``ListAliases``, ``ListVersionsByFunction`` and ``ListLayers`` ignore
``MaxItems``/``Marker`` (one page); ``PutResourcePolicy``/``GetResourcePolicy`` for Lambda are not served;
``GetAccountAuthorizationDetails`` returns every managed policy loaded, attached or not; control-plane
throttling quotas are not enforced; IAM users cannot have a permissions boundary
(``PutUserPermissionsBoundary`` is not implemented), so the demo's boundaries are on roles only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from lambdaperm_tui.iam.lambda_permission import AddPermissionError, permission_statement

# moto's account for requests that name no other (``MOTO_ACCOUNT_ID`` overrides it).
MOTO_DEFAULT_ACCOUNT_ID = "123456789012"


def default_account_id() -> str:
    """moto's account for requests that name no other: ``MOTO_ACCOUNT_ID`` if set, else 123456789012."""
    return os.environ.get("MOTO_ACCOUNT_ID") or MOTO_DEFAULT_ACCOUNT_ID


PINNED_MOTO_VERSION = "5.2.5"

_INSTALL_LOCK = threading.Lock()
# Server threads serve requests concurrently; one lock keeps every store update atomic.
_STORE_LOCK = threading.RLock()
_MARKER = "_lambdaperm_adapter_installed"

_LAYER_PRINCIPAL = re.compile(r"^(\d{12}|\*|arn:aws[a-zA-Z-]*:iam::\d{12}:root)$")
_URL_QUALIFIER = re.compile(r"^(?!\d+$)[0-9a-zA-Z_-]+$")


class AdapterError(RuntimeError):
    """The adapter cannot be installed (wrong moto version, moto missing)."""


# --------------------------------------------------------------------------- errors, AWS-shaped


def _client_error(code: str, message: str, status: int) -> Exception:
    from moto.awslambda.exceptions import LambdaClientError

    err = LambdaClientError(code, message)
    err.code = status
    return err


def _not_found(message: str = "The resource you requested does not exist.") -> Exception:
    return _client_error("ResourceNotFoundException", message, 404)


def _conflict(message: str) -> Exception:
    return _client_error("ResourceConflictException", message, 409)


def _invalid(message: str) -> Exception:
    return _client_error("InvalidParameterValueException", message, 400)


def _precondition_failed() -> Exception:
    return _client_error(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetPolicy API to retrieve the latest Revision Id",
        412,
    )


# --------------------------------------------------------------------------- stores


@dataclass
class _PolicyDoc:
    """The statements of one resource policy (function, version, alias or layer version)."""

    resource_arn: str
    statements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def revision(self) -> str:
        # Content-derived so that the same seed yields the same revision ids on every run.
        digest = hashlib.sha256(
            (self.resource_arn + json.dumps(self.statements, sort_keys=True)).encode()
        ).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def document(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Id": "default", "Statement": list(self.statements)}

    def wire_format(self) -> str:
        return json.dumps({"Policy": json.dumps(self.document()), "RevisionId": self.revision})


@dataclass
class _UrlConfig:
    function_arn: str
    url: str
    auth_type: str
    cors: Any
    invoke_mode: str
    created: str
    last_modified: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "FunctionUrl": self.url,
            "FunctionArn": self.function_arn,
            "AuthType": self.auth_type,
            "CreationTime": self.created,
            "LastModifiedTime": self.last_modified,
            "InvokeMode": self.invoke_mode,
        }
        if self.cors is not None:
            out["Cors"] = self.cors
        return out


def _policies(backend: Any) -> dict[tuple[str, str], _PolicyDoc]:
    """Function policies of one backend (account + region), keyed by (function name, qualifier or "")."""
    store: dict[tuple[str, str], _PolicyDoc] | None = getattr(backend, "_lambdaperm_policies", None)
    if store is None:
        store = {}
        backend._lambdaperm_policies = store
    return store


def _layer_policies(backend: Any) -> dict[str, _PolicyDoc]:
    store: dict[str, _PolicyDoc] | None = getattr(backend, "_lambdaperm_layer_policies", None)
    if store is None:
        store = {}
        backend._lambdaperm_layer_policies = store
    return store


def _urls(backend: Any) -> dict[tuple[str, str], _UrlConfig]:
    store: dict[tuple[str, str], _UrlConfig] | None = getattr(backend, "_lambdaperm_urls", None)
    if store is None:
        store = {}
        backend._lambdaperm_urls = store
    return store


# --------------------------------------------------------------------------- resolution


def split_function_name(name_or_arn: str) -> tuple[str, str | None]:
    """Split a function name, partial ARN or ARN into (name, qualifier or None)."""
    text = unquote(name_or_arn)
    parts = text.split(":")
    if text.startswith("arn:") and len(parts) >= 7 and parts[5] == "function":
        return parts[6], (parts[7] if len(parts) > 7 else None)
    if len(parts) >= 3 and parts[1] == "function":  # 123456789012:function:name[:qualifier]
        return parts[2], (parts[3] if len(parts) > 3 else None)
    if len(parts) == 2:
        return parts[0], parts[1]
    return text, None


def _resolve(backend: Any, name_or_arn: str, qualifier: str | None) -> tuple[str, str, str]:
    """Return (function name, qualifier key, exact resource ARN); raise AWS's errors when absent.

    The qualifier key is "" for the unqualified function. AddPermission refuses ``$LATEST`` (as AWS does);
    for reads, ``$LATEST`` is taken as the unqualified function, whose policy governs it.
    """
    name, from_name = split_function_name(name_or_arn)
    if qualifier and from_name and qualifier != from_name:
        raise _invalid("The derived qualifier from the function name does not match the specified qualifier.")
    qualifier = qualifier or from_name
    latest = backend.get_function(name)  # raises ResourceNotFoundException for an unknown function
    base_arn: str = latest.function_arn
    if base_arn.endswith(":$LATEST"):
        base_arn = base_arn[: -len(":$LATEST")]
    if not qualifier or qualifier == "$LATEST":
        return name, "", base_arn
    if qualifier.isdigit():
        versions = {str(v.version) for v in backend.list_versions_by_function(name)}
        if qualifier not in versions:
            raise _not_found(f"Function not found: {base_arn}:{qualifier}")
    else:
        alias_names = {a.name for a in backend.list_aliases(name)}
        if qualifier not in alias_names:
            raise _not_found(f"Alias not found: {base_arn}:{qualifier}")
    return name, qualifier, f"{base_arn}:{qualifier}"


# --------------------------------------------------------------------------- statement shapes


def _statement(params: dict[str, Any], resource_arn: str) -> dict[str, Any]:
    """The statement AWS stores for the call (``iam/lambda_permission.py``), its errors as AWS's."""
    try:
        return permission_statement(params, resource_arn)
    except AddPermissionError as exc:
        raise _invalid(str(exc)) from exc


def function_statement(params: dict[str, Any], resource_arn: str) -> dict[str, Any]:
    """Check one AddPermission call as AWS does and build the policy statement it stores."""
    sid = params.get("StatementId")
    action = params.get("Action")
    if isinstance(sid, str) and not re.match(r"^[a-zA-Z0-9_-]{1,100}$", sid):
        raise _invalid(f"StatementId {sid!r} must match [a-zA-Z0-9-_]{{1,100}}.")
    if isinstance(action, str) and action and not action.lower().startswith("lambda:"):
        raise _invalid(f"Action {action!r} is not a Lambda action.")
    if params.get("FunctionUrlAuthType") and params["FunctionUrlAuthType"] not in ("NONE", "AWS_IAM"):
        raise _invalid("FunctionUrlAuthType must be NONE or AWS_IAM.")
    return _statement(params, resource_arn)


def layer_statement(params: dict[str, Any], layer_version_arn: str) -> dict[str, Any]:
    """Check one AddLayerVersionPermission call as AWS does and build the policy statement it stores."""
    sid = params.get("StatementId")
    principal = params.get("Principal")
    if not isinstance(sid, str) or not re.match(r"^([a-zA-Z0-9-_]+)$", sid):
        raise _invalid("StatementId is required and must match ([a-zA-Z0-9-_]+).")
    if params.get("Action") != "lambda:GetLayerVersion":
        raise _invalid("Action must be lambda:GetLayerVersion.")
    if not isinstance(principal, str) or not _LAYER_PRINCIPAL.match(principal):
        raise _invalid("Principal must be an account id, its root ARN, or *.")
    if params.get("OrganizationId") and principal != "*":
        raise _invalid("OrganizationId can only be used with Principal *.")
    # A layer permission has no other option: only the organization becomes a condition.
    return _statement(
        {k: params[k] for k in ("StatementId", "Action", "Principal", "OrganizationId") if k in params},
        layer_version_arn,
    )


def _check_revision(doc: _PolicyDoc | None, revision: Any) -> None:
    if isinstance(revision, list):
        revision = revision[0] if revision else ""
    if revision and (doc is None or doc.revision != revision):
        raise _precondition_failed()


def _add(store: dict[Any, _PolicyDoc], key: Any, resource_arn: str, stmt: dict[str, Any], rev: Any) -> str:
    doc = store.get(key)
    _check_revision(doc, rev)
    if doc is None:
        doc = _PolicyDoc(resource_arn)
    if any(s.get("Sid") == stmt["Sid"] for s in doc.statements):
        raise _conflict(
            f"The statement id ({stmt['Sid']}) provided already exists. "
            "Please specify a new statement id, or remove the existing statement."
        )
    doc.statements.append(stmt)
    store[key] = doc
    return doc.revision


def _remove(store: dict[Any, _PolicyDoc], key: Any, sid: str, rev: Any) -> None:
    doc = store.get(key)
    if doc is None:
        raise _not_found("No policy is associated with the given resource.")
    _check_revision(doc, rev)
    kept = [s for s in doc.statements if s.get("Sid") != sid]
    if len(kept) == len(doc.statements):
        raise _not_found(f"Statement {sid} is not found in resource policy.")
    if kept:
        doc.statements = kept
    else:
        # AWS deletes a policy with its last statement: GetPolicy then answers ResourceNotFound.
        del store[key]


# --------------------------------------------------------------------------- backend replacements


def _add_permission(self: Any, function_name: str, qualifier: str | None, raw: str) -> dict[str, Any]:
    params = json.loads(raw or "{}")
    if (qualifier or split_function_name(function_name)[1]) == "$LATEST":
        # https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
        raise _invalid("Lambda does not support adding policies to version $LATEST.")
    with _STORE_LOCK:
        name, key, arn = _resolve(self, function_name, qualifier)
        stmt = function_statement(params, arn)
        _add(_policies(self), (name, key), arn, stmt, params.get("RevisionId"))
    return stmt


def _remove_permission(
    self: Any, function_name: str, sid: str, revision: Any = "", qualifier: str | None = None
) -> None:
    with _STORE_LOCK:
        name, key, _ = _resolve(self, function_name, qualifier)
        _remove(_policies(self), (name, key), sid, revision)


def _get_policy(self: Any, function_name: str, qualifier: str | None = None) -> str:
    with _STORE_LOCK:
        name, key, _ = _resolve(self, function_name, qualifier)
        doc = _policies(self).get((name, key))
        if doc is None:
            raise _not_found()
        return doc.wire_format()


def _add_layer_version_permission(
    self: Any, layer_name: str, version_number: Any, statement: str
) -> tuple[dict[str, Any], str]:
    params = json.loads(statement or "{}")
    with _STORE_LOCK:
        lv_arn: str = self.get_layer_version(layer_name, str(version_number)).arn
        stmt = layer_statement(params, lv_arn)
        rev = _add(_layer_policies(self), lv_arn, lv_arn, stmt, params.get("RevisionId"))
    return stmt, rev


def _get_layer_version_policy(self: Any, layer_name: str, version_number: Any) -> str:
    with _STORE_LOCK:
        lv_arn: str = self.get_layer_version(layer_name, str(version_number)).arn
        doc = _layer_policies(self).get(lv_arn)
        if doc is None:
            raise _not_found()
        return doc.wire_format()


def _remove_layer_version_permission(
    self: Any, layer_name: str, version_number: Any, sid: str, revision: Any = ""
) -> None:
    with _STORE_LOCK:
        lv_arn: str = self.get_layer_version(layer_name, str(version_number)).arn
        _remove(_layer_policies(self), lv_arn, sid, revision)


def _wrap_delete_function(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
        name, from_name = split_function_name(function_name)
        qual = qualifier or from_name
        original(self, function_name, qualifier)
        with _STORE_LOCK:
            for store in (_policies(self), _urls(self)):
                for key in [k for k in store if k[0] == name and (not qual or k[1] == qual)]:
                    del store[key]

    return delete_function


def _wrap_delete_alias(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_alias(self: Any, name: str, function_name: str) -> None:
        original(self, name, function_name)
        fn_name, _ = split_function_name(function_name)
        with _STORE_LOCK:
            _policies(self).pop((fn_name, name), None)
            _urls(self).pop((fn_name, name), None)

    return delete_alias


# --------------------------------------------------------------------------- function URLs


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _url_target(backend: Any, function_name: str, qualifier: str | None) -> tuple[str, str, str]:
    name, from_name = split_function_name(function_name)
    qual = qualifier or from_name
    if qual and not _URL_QUALIFIER.match(qual):
        raise _invalid("Qualifier for a function URL must be an alias name.")
    return _resolve(backend, function_name, qual)


def create_url_config(
    backend: Any, function_name: str, qualifier: str | None, body: dict[str, Any]
) -> _UrlConfig:
    """CreateFunctionUrlConfig for a function or an alias."""
    auth = body.get("AuthType")
    if auth not in ("NONE", "AWS_IAM"):
        raise _invalid("AuthType must be NONE or AWS_IAM.")
    with _STORE_LOCK:
        name, key, arn = _url_target(backend, function_name, qualifier)
        store = _urls(backend)
        if (name, key) in store:
            raise _conflict(
                f"Failed to create function url config for [functionArn = {arn}]. "
                "Error message:  FunctionUrlConfig exists for this Lambda function"
            )
        url_id = hashlib.sha256(arn.encode()).hexdigest()[:32]
        region = arn.split(":")[3]
        now = _now()
        cfg = _UrlConfig(
            function_arn=arn,
            url=f"https://{url_id}.lambda-url.{region}.on.aws/",
            auth_type=str(auth),
            cors=body.get("Cors"),
            invoke_mode=str(body.get("InvokeMode") or "BUFFERED"),
            created=now,
            last_modified=now,
        )
        store[(name, key)] = cfg
        return cfg


def get_url_config(backend: Any, function_name: str, qualifier: str | None) -> _UrlConfig:
    """GetFunctionUrlConfig for a function or an alias."""
    with _STORE_LOCK:
        name, key, _ = _url_target(backend, function_name, qualifier)
        cfg = _urls(backend).get((name, key))
        if cfg is None:
            raise _not_found()
        return cfg


def update_url_config(
    backend: Any, function_name: str, qualifier: str | None, body: dict[str, Any]
) -> _UrlConfig:
    """UpdateFunctionUrlConfig for a function or an alias."""
    with _STORE_LOCK:
        cfg = get_url_config(backend, function_name, qualifier)
        if body.get("AuthType"):
            if body["AuthType"] not in ("NONE", "AWS_IAM"):
                raise _invalid("AuthType must be NONE or AWS_IAM.")
            cfg.auth_type = str(body["AuthType"])
        if "Cors" in body:
            cfg.cors = body["Cors"]
        if body.get("InvokeMode"):
            cfg.invoke_mode = str(body["InvokeMode"])
        cfg.last_modified = _now()
        return cfg


def delete_url_config(backend: Any, function_name: str, qualifier: str | None) -> None:
    """DeleteFunctionUrlConfig for a function or an alias."""
    with _STORE_LOCK:
        name, key, _ = _url_target(backend, function_name, qualifier)
        if _urls(backend).pop((name, key), None) is None:
            raise _not_found()


def list_url_configs(backend: Any, function_name: str) -> list[_UrlConfig]:
    """ListFunctionUrlConfigs: the function's URL and its aliases' URLs."""
    with _STORE_LOCK:
        name, _, _ = _resolve(backend, function_name, None)
        return sorted((c for k, c in _urls(backend).items() if k[0] == name), key=lambda c: c.function_arn)


# --------------------------------------------------------------------------- response handlers


def _query(resp: Any, key: str) -> str | None:
    value = resp.querystring.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def _url_function_name(resp: Any) -> str:
    return unquote(resp.path.split("?")[0].rstrip("/").split("/")[-2])


def _h_remove_permission(self: Any) -> tuple[int, dict[str, Any], str]:
    path = self.path.split("?")[0]
    function_name = unquote(path.split("/")[-3])
    statement_id = path.split("/")[-1]
    self.backend.remove_permission(
        function_name, statement_id, _query(self, "RevisionId") or "", qualifier=_query(self, "Qualifier")
    )
    return 204, {"status": 204}, "{}"


def _h_create_url(self: Any) -> tuple[int, dict[str, Any], str]:
    cfg = create_url_config(self.backend, _url_function_name(self), _query(self, "Qualifier"), self.json_body)
    return 201, {"status": 201}, json.dumps(cfg.to_dict())


def _h_get_url(self: Any) -> tuple[int, dict[str, Any], str]:
    cfg = get_url_config(self.backend, _url_function_name(self), _query(self, "Qualifier"))
    return 200, {"status": 200}, json.dumps(cfg.to_dict())


def _h_update_url(self: Any) -> tuple[int, dict[str, Any], str]:
    cfg = update_url_config(self.backend, _url_function_name(self), _query(self, "Qualifier"), self.json_body)
    return 200, {"status": 200}, json.dumps(cfg.to_dict())


def _h_delete_url(self: Any) -> tuple[int, dict[str, Any], str]:
    delete_url_config(self.backend, _url_function_name(self), _query(self, "Qualifier"))
    return 204, {"status": 204}, "{}"


def _h_list_urls(self: Any) -> tuple[int, dict[str, Any], str]:
    configs = list_url_configs(self.backend, _url_function_name(self))
    max_items = int(_query(self, "MaxItems") or 50)
    start = int(_query(self, "Marker") or 0)
    page = configs[start : start + max_items]
    out: dict[str, Any] = {"FunctionUrlConfigs": [c.to_dict() for c in page]}
    if start + max_items < len(configs):
        out["NextMarker"] = str(start + max_items)
    return 200, {"status": 200}, json.dumps(out)


def _attribute_getter(name: str) -> Callable[[Any], Any]:
    def get(self: Any) -> Any:
        return getattr(self, name)

    return get


_LIST_URLS_ROUTE = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"


# --------------------------------------------------------------------------- install


def _check_version() -> None:
    try:
        import moto
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise AdapterError("the demo needs moto: pip install 'lambdaperm-tui[demo]'") from exc
    if moto.__version__ != PINNED_MOTO_VERSION:
        raise AdapterError(
            f"the demo adapter is written for moto {PINNED_MOTO_VERSION}, found moto {moto.__version__}; "
            f"install moto[server]=={PINNED_MOTO_VERSION}"
        )


def is_installed() -> bool:
    """True when ``install()`` has patched moto in this process."""
    try:
        from moto.awslambda.models import LambdaBackend
    except ImportError:
        return False
    return bool(getattr(LambdaBackend, _MARKER, False))


def install() -> None:
    """Patch moto's Lambda backend and routes in this process. Idempotent; raises ``AdapterError``.

    Call it before the first Lambda request reaches a moto server: the server builds its routing table on
    the first request per service, and ``ListFunctionUrlConfigs`` needs a route of its own.
    """
    with _INSTALL_LOCK:
        _check_version()
        if is_installed():
            return
        from moto.awslambda import urls
        from moto.awslambda.models import LambdaBackend
        from moto.awslambda.responses import LambdaResponse

        patches: dict[str, Any] = {
            "add_permission": _add_permission,
            "remove_permission": _remove_permission,
            "get_policy": _get_policy,
            "add_layer_version_permission": _add_layer_version_permission,
            "get_layer_version_policy": _get_layer_version_policy,
            "remove_layer_version_permission": _remove_layer_version_permission,
            "delete_function": _wrap_delete_function(LambdaBackend.delete_function),
            "delete_alias": _wrap_delete_alias(LambdaBackend.delete_alias),
        }
        for attr, func in patches.items():
            setattr(LambdaBackend, attr, func)
        handlers: dict[str, Any] = {
            "remove_permission": _h_remove_permission,
            "create_function_url_config": _h_create_url,
            "get_function_url_config": _h_get_url,
            "update_function_url_config": _h_update_url,
            "delete_function_url_config": _h_delete_url,
            "list_function_url_configs": _h_list_urls,
        }
        for attr, func in handlers.items():
            setattr(LambdaResponse, attr, func)
        # GetAccountAuthorizationDetails leaves PolicyName/PolicyId out of its Policies list: moto's
        # serializer looks for snake_case twins of the shape's member names, which ManagedPolicy lacks.
        from moto.iam.models import ManagedPolicy

        for attr, source in (("policy_name", "name"), ("policy_id", "id")):
            if not hasattr(ManagedPolicy, attr):
                setattr(ManagedPolicy, attr, property(_attribute_getter(source)))
        if _LIST_URLS_ROUTE not in urls.url_paths:
            urls.url_paths[_LIST_URLS_ROUTE] = LambdaResponse.dispatch
        setattr(LambdaBackend, _MARKER, True)


def add_aws_managed_policies(account_id: str, names: list[str]) -> list[str]:
    """Copy the named AWS managed policies from moto's bundled data into one account; return their ARNs.

    Idempotent. Raises ``KeyError`` naming a policy that moto's data does not have.
    """
    _check_version()
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, iam_backends

    data = json.loads(aws_managed_policies_data)
    backend = iam_backends[account_id]["aws"]
    arns: list[str] = []
    with _STORE_LOCK:
        for name in names:
            if name not in data:
                raise KeyError(f"moto {PINNED_MOTO_VERSION} has no AWS managed policy named {name!r}")
            policy = AWSManagedPolicy.from_data(name, account_id, "us-east-1", data[name])
            if policy.arn not in backend.managed_policies:
                backend.managed_policies[policy.arn] = policy
                backend.aws_managed_policies.append(policy)
            arns.append(policy.arn)
    return arns
