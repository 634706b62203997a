"""HTTP error types of the REST node, and the one function that builds an error body."""

from __future__ import annotations

from typing import Any

import orjson

from stconfig.errors import StconfigError


class HttpError(StconfigError):
    """An expected failure of a request, returned as `status` and a JSON error body."""

    status = 500

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors


class BadRequest(HttpError):
    status = 400


class Unauthorized(HttpError):
    status = 401


class Forbidden(HttpError):
    status = 403


class NotFound(HttpError):
    status = 404


class MethodNotAllowed(HttpError):
    status = 405


class Conflict(HttpError):
    status = 409


class PayloadTooLarge(HttpError):
    status = 413


def error_body(message: str, errors: list[dict[str, Any]] | None = None) -> bytes:
    """Return SeaTunnel's error body, `{"status": "fail", "message": ...}`, as JSON bytes.

    `errors` carries validation findings when there are any.
    """
    body: dict[str, Any] = {"status": "fail", "message": message}
    if errors is not None:
        body["errors"] = errors
    return orjson.dumps(body)
