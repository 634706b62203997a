"""Parse request bodies and parameters into values, with 400 errors that name the fix."""

from __future__ import annotations

from typing import Any

import orjson

from stconfig.server.errors import BadRequest
from stconfig.server.store import MAX_JOB_ID

FORMATS = ("json", "hocon")


def body_text(body: bytes) -> str:
    """Decode a request body as UTF-8 text; an empty or undecodable body is a 400."""
    if not body.strip():
        raise BadRequest("Request body is empty.")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"Request body is not UTF-8 text (invalid byte at offset {exc.start}); "
            "send the job as UTF-8"
        ) from None


def json_body(body: bytes) -> Any:
    """Parse a request body as JSON, whatever its Content-Type."""
    text = body_text(body)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Invalid JSON format in request body: {exc}") from None


def json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object, not {json_type(value)}")
    return value


def json_array(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadRequest(f"{what} must be a JSON array, not {json_type(value)}")
    return value


def json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def job_id(value: Any, what: str = "jobId") -> int:
    """Parse a job id given as a JSON number or a decimal string."""
    if isinstance(value, bool) or value is None or value == "":
        raise BadRequest(f"{what} must be a job id, a positive integer; got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise BadRequest(f"{what} {value!r} is not a number; job ids are positive integers")
    if not 1 <= number <= MAX_JOB_ID:
        raise BadRequest(f"{what} {number} is out of range; job ids are 1 to {MAX_JOB_ID}")
    return number


def lookup_id(text: str) -> int | None:
    """Parse the id in a `job-info/<id>` path; None for a number that no job can have."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise BadRequest(f"job id {text!r} is not a number; job ids are positive integers")
    number = int(text)
    return number if 1 <= number <= MAX_JOB_ID else None


def flag(value: Any) -> bool:
    """Read a boolean flag as SeaTunnel does: true (any case) is true, anything else false."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def config_format(value: str | None) -> str:
    if value in (None, ""):
        return "json"
    lowered = value.lower()
    if lowered not in FORMATS:
        raise BadRequest(f"format {value!r} is not supported; use one of: {', '.join(FORMATS)}")
    return lowered
