"""Parse request bodies and parameters into values, with 400 errors that name the fix."""

from __future__ import annotations

import re
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
    valid = f"job ids are whole numbers from 1 to {MAX_JOB_ID}"
    if isinstance(value, bool) or value is None or value == "":
        raise BadRequest(
            f"{what} must be a job id, a whole number from 1 to {MAX_JOB_ID}; got {value!r}"
        )
    number = _whole_number(value)
    if number is None:
        kind = "a valid job id" if _is_decimal(value) else "a number"
        raise BadRequest(f"{what} {_shown(value)} is not {kind}; {valid}")
    if not 1 <= number <= MAX_JOB_ID:
        raise BadRequest(f"{what} {_shown(value)} is not a valid job id; {valid}")
    return number


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# More significant digits than any valid job id has; longer numbers are not converted,
# because Python refuses to convert strings of more than 4300 digits.
_MAX_ID_DIGITS = len(str(MAX_JOB_ID)) + 1
_SHOWN_CHARACTERS = 40


def _whole_number(value: Any) -> int | None:
    """Return `value` as an int if it is an int or an integer in decimal digits, signed or not.

    A number too long to be a job id comes back as `MAX_JOB_ID + 1`.
    """
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not _INTEGER.fullmatch(value):
        return None
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-").lstrip("0") or "0"
    if len(digits) > _MAX_ID_DIGITS:
        return MAX_JOB_ID + 1
    return sign * int(digits)


def _is_decimal(value: Any) -> bool:
    return isinstance(value, float) or (isinstance(value, str) and bool(_DECIMAL.fullmatch(value)))


def _shown(value: Any) -> str:
    """Return `repr(value)`, shortened for messages."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARACTERS else f"{text[:_SHOWN_CHARACTERS]}..."


def lookup_id(text: str) -> int | None:
    """Parse the id in a `job-info/<id>` path; None for a number that no job can have."""
    if not re.fullmatch(r"-?[0-9]+", text):
        raise BadRequest(
            f"job id {_shown(text)} is not a number; job ids are whole numbers from 1 to "
            f"{MAX_JOB_ID}"
        )
    number = _whole_number(text)
    return number if number is not None and 1 <= number <= MAX_JOB_ID else None


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
