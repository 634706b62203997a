"""The Bottle app of the REST node: SeaTunnel's endpoints at the v1 and v2 paths.

Each endpoint is served at `/hazelcast/rest/maps/<name>` (v1, SeaTunnel's port 5801 API)
and at `/<name>` (v2). Every response is JSON, errors included: Bottle's own 404 and 405
pages are replaced, and every exception becomes `{"status": "fail", "message": ...}`.
Request bodies are read from the raw bytes whatever their Content-Type.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bottle
import orjson

from stconfig.errors import StconfigError
from stconfig.server.config import NodeConfig
from stconfig.server.errors import (
    BadRequest,
    Forbidden,
    HttpError,
    PayloadTooLarge,
    Unauthorized,
    error_body,
)
from stconfig.server.node import Node, SubmitParams

logger = logging.getLogger(__name__)

V1_PREFIX = "/hazelcast/rest/maps"
JSON_TYPE = "application/json"

# Endpoint groups, as in SeaTunnel's hazelcast.yaml: DATA covers the job endpoints and
# CLUSTER_WRITE the ones that change something. CLUSTER_READ endpoints are always on.
DATA = "DATA"
CLUSTER_WRITE = "CLUSTER_WRITE"
CLUSTER_READ = "CLUSTER_READ"

Handler = Callable[["Call"], Any]


@dataclass
class Call:
    """One request, as the endpoint handlers see it."""

    node: Node
    body: bytes
    rest: str
    query: bottle.FormsDict
    version: int


@dataclass(frozen=True)
class Endpoint:
    """One SeaTunnel endpoint. `parameter` is the path segment it takes after its name, if any."""

    name: str
    method: str
    groups: tuple[str, ...]
    handler: Handler
    parameter: str = ""

    @property
    def usage(self) -> str:
        return f"{self.method} {self.name}{self.parameter}"


def _running_jobs(call: Call) -> bytes:
    return call.node.running_jobs()


def _job_info(call: Call) -> bytes:
    return call.node.job_info(call.rest)


def _finished_jobs(call: Call) -> bytes:
    return call.node.finished_jobs(call.rest or None)


def _monitoring(call: Call) -> list[Any]:
    return call.node.monitoring()


def _overview(call: Call) -> dict[str, str]:
    return call.node.overview({key: call.query[key] for key in call.query})


def _submit_job(call: Call) -> dict[str, Any]:
    params = SubmitParams.from_mapping({key: call.query.getunicode(key) for key in call.query})
    return call.node.submit(call.body, params)


def _submit_jobs(call: Call) -> list[dict[str, Any]]:
    return call.node.submit_batch(call.body)


def _stop_job(call: Call) -> dict[str, int]:
    return call.node.stop(call.body)


def _stop_jobs(call: Call) -> list[dict[str, int]]:
    return call.node.stop_batch(call.body)


def _encrypt_config(call: Call) -> bottle.HTTPResponse:
    job, warnings = call.node.encrypt_config(call.body, call.query.getunicode("format"))
    for warning in warnings:
        logger.warning("encrypt-config: %s", warning)
    headers = {"Content-Type": JSON_TYPE}
    if warnings:
        headers["X-Stconfig-Warning"] = "; ".join(warnings)
    return bottle.HTTPResponse(orjson.dumps(job), status=200, headers=headers)


ENDPOINTS = (
    Endpoint("running-jobs", "GET", (DATA,), _running_jobs),
    Endpoint("running-job", "GET", (DATA,), _job_info, parameter="/<jobId>"),
    Endpoint("job-info", "GET", (DATA,), _job_info, parameter="/<jobId>"),
    Endpoint("finished-jobs", "GET", (DATA,), _finished_jobs, parameter="[/<state>]"),
    Endpoint("system-monitoring-information", "GET", (CLUSTER_READ,), _monitoring),
    Endpoint("overview", "GET", (CLUSTER_READ,), _overview),
    Endpoint("submit-job", "POST", (DATA, CLUSTER_WRITE), _submit_job),
    Endpoint("submit-jobs", "POST", (DATA, CLUSTER_WRITE), _submit_jobs),
    Endpoint("stop-job", "POST", (DATA, CLUSTER_WRITE), _stop_job),
    Endpoint("stop-jobs", "POST", (DATA, CLUSTER_WRITE), _stop_jobs),
    Endpoint("encrypt-config", "POST", (DATA, CLUSTER_WRITE), _encrypt_config),
)

# SeaTunnel endpoints that this node does not serve, as paths after the v1 prefix or `/`.
# Their subpaths (`logs/<jobId>`, `log/<file>`) are SeaTunnel's too.
UNSERVED_ENDPOINTS = (
    "submit-job/upload",
    "logs",
    "log",
    "get-all-log-name",
    "thread-dump",
    "running-threads",
    "update-tags",
)


def create_app(node: Node, config: NodeConfig) -> bottle.Bottle:
    """Build the node's WSGI app; nothing is registered on Bottle's global default app."""
    app = bottle.Bottle(catchall=True)
    app.default_error_handler = _bottle_error
    guard = _Guard(node, config)
    for endpoint in ENDPOINTS:
        view = guard.wrap(endpoint)
        for prefix, version in ((V1_PREFIX, 1), ("", 2)):
            methods = [endpoint.method]
            if endpoint.method == "POST" and version == 1:
                methods.append("PUT")  # SeaTunnel's v1 API takes PUT wherever it takes POST
            path = f"{prefix}/{endpoint.name}"
            callback = _bind_version(view, version)
            app.route(path, methods, callback)
            if endpoint.parameter:
                app.route(f"{path}/<rest:re:.*>", methods, callback)
    return app


def _bind_version(view: Callable[[int, str], Any], version: int) -> Callable[..., Any]:
    def callback(rest: str = "") -> Any:
        return view(version, rest)

    return callback


def _bottle_error(error: bottle.HTTPError) -> bytes:
    """Turn Bottle's own errors (unknown path, wrong method) into JSON bodies."""
    bottle.response.content_type = JSON_TYPE
    if error.status_code == 404:
        message = not_found_message(bottle.request.path)
    elif error.status_code == 405:
        allowed = error.headers.get("Allow", "")
        message = (
            f"method {bottle.request.method} is not allowed on {bottle.request.path}; use {allowed}"
        )
    elif error.status_code >= 500:
        message = "internal error in the node; the node log has the details"
    else:
        message = str(error.body or error.status_line)
    return error_body(message)


def not_found_message(path: str) -> str:
    """Build the 404 message for `path`, naming the endpoints that this node serves."""
    served = ", ".join(endpoint.usage for endpoint in ENDPOINTS)
    listing = f"these endpoints under {V1_PREFIX}/ (v1) and at / (v2): {served}"
    unserved = unserved_endpoint(path)
    if unserved is not None:
        return (
            f"stconfig's node does not support SeaTunnel's {unserved} endpoint ({path}); "
            f"it serves {listing}"
        )
    return f"no endpoint at {path}; this node serves {listing}"


def unserved_endpoint(path: str) -> str | None:
    """Return the SeaTunnel endpoint that `path` requests, if this node does not serve it."""
    relative = path.removeprefix(V1_PREFIX) if path.startswith(f"{V1_PREFIX}/") else path
    relative = relative.strip("/")
    for name in UNSERVED_ENDPOINTS:
        if relative == name or relative.startswith(f"{name}/"):
            return name
    return None


class _Guard:
    """Checks and error handling that every endpoint shares."""

    def __init__(self, node: Node, config: NodeConfig) -> None:
        self.node = node
        self.config = config
        self.disabled = disabled_groups(config)

    def wrap(self, endpoint: Endpoint) -> Callable[[int, str], Any]:
        def view(version: int, rest: str) -> Any:
            counters = self.node.counters
            counters.started()
            try:
                return self._serve(endpoint, version, rest)
            finally:
                counters.finished()

        return view

    def _serve(self, endpoint: Endpoint, version: int, rest: str) -> Any:
        request = bottle.request
        try:
            self._authenticate(request)
            self._check_groups(endpoint)
            body = self._read_body(request) if endpoint.method == "POST" else b""
            call = Call(self.node, body, rest.rstrip("/"), request.query, version)
            result = endpoint.handler(call)
        except HttpError as exc:
            return _error_response(exc.status, str(exc), exc.errors, _auth_headers(exc))
        except StconfigError as exc:
            return _error_response(400, str(exc))
        except Exception:
            logger.exception("%s %s failed", request.method, request.path)
            return _error_response(500, "internal error in the node; the node log has the details")
        if isinstance(result, bottle.HTTPResponse):
            return result
        bottle.response.content_type = JSON_TYPE
        return result if isinstance(result, bytes) else orjson.dumps(result)

    def _authenticate(self, request: bottle.BaseRequest) -> None:
        """Accept the request's credentials, or raise 401 naming what is missing or wrong.

        The messages repeat no part of the header, because it may contain a secret.
        """
        config = self.config
        if not config.has_auth:
            return
        header = request.get_header("Authorization", "").strip()
        accepted = _accepted_credentials(config)
        if not header:
            raise Unauthorized(
                f"authentication required: send an Authorization header with {accepted}"
            )

        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and config.auth_token:
            if _same(credentials.strip(), config.auth_token):
                return
            raise Unauthorized(
                "invalid credentials: the bearer token in the Authorization header is not "
                "this node's token; send the right token"
            )
        if scheme.lower() == "basic" and config.auth_user and config.auth_password:
            user, password = _basic_credentials(credentials)
            if _same(user, config.auth_user) and _same(password, config.auth_password):
                return
            raise Unauthorized(
                "invalid credentials: the basic-auth user name or password in the "
                "Authorization header is wrong; send the node's user name and password"
            )
        raise Unauthorized(
            "invalid credentials: the Authorization header uses a scheme this node does not "
            f"accept; send {accepted}"
        )

    def _check_groups(self, endpoint: Endpoint) -> None:
        for group in endpoint.groups:
            if group in self.disabled:
                raise Forbidden(
                    f"{endpoint.name} is disabled on this node, because {self.disabled[group]}"
                )

    def _read_body(self, request: bottle.BaseRequest) -> bytes:
        limit = self.config.max_body_bytes
        length_text = request.environ.get("CONTENT_LENGTH") or ""
        if length_text.strip():
            try:
                length = int(length_text)
            except ValueError:
                raise BadRequest(f"Content-Length {length_text!r} is not a number") from None
            if length > limit:
                raise PayloadTooLarge(too_large_message(limit))
            return request.environ["wsgi.input"].read(length) if length else b""
        body = request.environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(too_large_message(limit))
        return body


def disabled_groups(config: NodeConfig) -> dict[str, str]:
    """Map each disabled endpoint group to the settings that disabled it, as a clause."""
    reasons: dict[str, str] = {}
    if not config.data_enabled:
        reasons[DATA] = _group_disabled_in_config(DATA)
    write_reasons = []
    if config.read_only:
        write_reasons.append("the node was started with --read-only")
    if not config.cluster_write_enabled:
        write_reasons.append(_group_disabled_in_config(CLUSTER_WRITE))
    if write_reasons:
        reasons[CLUSTER_WRITE] = ", and ".join(write_reasons)
    return reasons


def _group_disabled_in_config(group: str) -> str:
    return (
        f"the endpoint group {group} is disabled in the node config "
        f"(hazelcast.network.rest-api.endpoint-groups.{group}.enabled is false)"
    )


def _accepted_credentials(config: NodeConfig) -> str:
    kinds = []
    if config.auth_token:
        kinds.append("the node's bearer token (Authorization: Bearer TOKEN)")
    if config.auth_user and config.auth_password:
        kinds.append(
            "the node's basic-auth user name and password "
            "(Authorization: Basic, then base64 of USER:PASSWORD)"
        )
    return " or ".join(kinds)


def too_large_message(limit: int) -> str:
    return (
        f"request body is larger than this node's limit of {limit} bytes; send a smaller "
        "job, or raise stconfig.max-body-size in the node config"
    )


def _error_response(
    status: int,
    message: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> bottle.HTTPResponse:
    all_headers = {"Content-Type": JSON_TYPE, **(headers or {})}
    return bottle.HTTPResponse(error_body(message, errors), status=status, headers=all_headers)


def _auth_headers(exc: HttpError) -> dict[str, str] | None:
    if isinstance(exc, Unauthorized):
        return {"WWW-Authenticate": 'Basic realm="stconfig", Bearer realm="stconfig"'}
    return None


def _basic_credentials(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    user, _, password = decoded.partition(":")
    return user, password


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
