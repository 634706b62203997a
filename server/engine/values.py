"""Convert values between SeaTunnel types, config JSON, text and Java's string forms."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from array import array
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from stconfig.server.engine.types import INTEGER_RANGES, DataType

DATE_FORMATS = {"yyyy-MM-dd": "%Y-%m-%d", "yyyy.MM.dd": "%Y.%m.%d", "yyyy/MM/dd": "%Y/%m/%d"}
DATETIME_FORMATS = {
    "yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S",
    "yyyy.MM.dd HH:mm:ss": "%Y.%m.%d %H:%M:%S",
    "yyyy/MM/dd HH:mm:ss": "%Y/%m/%d %H:%M:%S",
    "yyyyMMddHHmmss": "%Y%m%d%H%M%S",
}
TIME_FORMATS = {"HH:mm:ss": "%H:%M:%S", "HH:mm:ss.SSS": "%H:%M:%S.%f"}


class ConversionError(ValueError):
    """A value that cannot be read as the requested type."""


def to_float32(value: float) -> float:
    """Round a float to the nearest 32-bit float, as a Java `Float` stores it."""
    return array("f", (value,))[0]


# From config JSON (FakeSource `rows`, Assert `equals_to`, Jdbc and JSON files)


def from_json(value: Any, kind: DataType) -> Any:
    """Convert a JSON value to the Python value of `kind`, as SeaTunnel's JSON converter does."""
    if value is None:
        return None
    converter = _JSON_CONVERTERS.get(kind.name)
    if converter is None:
        raise ConversionError(f"no conversion from JSON to {kind}")
    try:
        return converter(value, kind)
    except ConversionError:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ConversionError(f"cannot read {shown_value(value)} as {kind}{_reason(exc)}") from None


def shown_value(value: Any) -> str:
    """Return a value's repr for an error message, shortened to at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason(exc: Exception) -> str:
    """Return the part of a parser's error that helps a user, as `: reason`, or ''.

    `Decimal` and `float` errors only repeat the value or name an internal class, so
    they add nothing. JSON and base64 errors show where the text went wrong.
    """
    if isinstance(exc, json.JSONDecodeError):
        return f": invalid JSON ({exc.msg} at character {exc.pos + 1})"
    if isinstance(exc, binascii.Error):
        return f": invalid base64 ({exc})"
    return ""


def _json_string(value: Any, kind: DataType) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _json_boolean(value: Any, kind: DataType) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise ConversionError(f"{shown_value(value)} is not a boolean")


def _json_integer(value: Any, kind: DataType) -> int:
    if isinstance(value, bool):
        raise ConversionError(f"{shown_value(value)} is not a number")
    number = int(value) if isinstance(value, int) else int(Decimal(str(value).strip()))
    low, high = INTEGER_RANGES[kind.name]
    if not low <= number <= high:
        raise ConversionError(f"{shown_value(value)} is out of range for {kind}")
    return number


def _json_float(value: Any, kind: DataType) -> float:
    if isinstance(value, bool):
        raise ConversionError(f"{shown_value(value)} is not a number")
    number = float(value)
    return to_float32(number) if kind.name == "FLOAT" else number


_WIDE = Context(prec=200)


def _json_decimal(value: Any, kind: DataType) -> Decimal:
    if isinstance(value, bool):
        raise ConversionError(f"{shown_value(value)} is not a number")
    number = Decimal(str(value).strip())
    return rescale(number, kind.scale) if kind.precision else number


def rescale(number: Decimal, scale: int) -> Decimal:
    """Return `number` with exactly `scale` digits after the point, rounding half up."""
    return number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=_WIDE)


def _json_bytes(value: Any, kind: DataType) -> bytes:
    if isinstance(value, bytes):
        return value
    return base64.b64decode(str(value))


def _json_array(value: Any, kind: DataType) -> list[Any]:
    if isinstance(value, str):
        value = json.loads(value)
    assert kind.element is not None
    return [from_json(item, kind.element) for item in value]


def _json_map(value: Any, kind: DataType) -> dict[Any, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    assert kind.key is not None and kind.value is not None
    return {from_json(key, kind.key): from_json(item, kind.value) for key, item in value.items()}


def _json_row(value: Any, kind: DataType) -> tuple[Any, ...]:
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, Mapping):
        return tuple(from_json(value.get(name), sub) for name, sub in kind.fields)
    return tuple(from_json(item, sub) for item, (_, sub) in zip(value, kind.fields, strict=False))


_JSON_CONVERTERS: dict[str, Callable[[Any, DataType], Any]] = {
    "STRING": _json_string,
    "BOOLEAN": _json_boolean,
    "TINYINT": _json_integer,
    "SMALLINT": _json_integer,
    "INT": _json_integer,
    "BIGINT": _json_integer,
    "FLOAT": _json_float,
    "DOUBLE": _json_float,
    "DECIMAL": _json_decimal,
    "NULL": lambda value, kind: None,
    "BYTES": _json_bytes,
    "DATE": lambda value, kind: parse_date(str(value)),
    "TIME": lambda value, kind: parse_time(str(value)),
    "TIMESTAMP": lambda value, kind: parse_timestamp(str(value)),
    "ARRAY": _json_array,
    "MAP": _json_map,
    "ROW": _json_row,
}


# Dates and times in the forms SeaTunnel accepts


def parse_date(text: str, pattern: str | None = None) -> dt.date:
    text = text.strip()
    if text.upper() == "CURRENT_DATE":
        return dt.date.today()
    formats = [DATE_FORMATS[pattern]] if pattern in DATE_FORMATS else list(DATE_FORMATS.values())
    for form in formats:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    try:
        return parse_timestamp(text).date()
    except ConversionError:
        raise ConversionError(f"{shown_value(text)} is not a date such as 2024-01-31") from None


def parse_time(text: str, pattern: str | None = None) -> dt.time:
    text = text.strip()
    if text == "CURRENT_TIME":
        return dt.datetime.now().time().replace(microsecond=0)
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        pass
    for form in TIME_FORMATS.values():
        try:
            return dt.datetime.strptime(text, form).time()
        except ValueError:
            continue
    raise ConversionError(f"{shown_value(text)} is not a time such as 13:45:00")


def parse_timestamp(text: str, pattern: str | None = None) -> dt.datetime:
    text = text.strip()
    if text.upper() == "CURRENT_TIMESTAMP":
        return dt.datetime.now().replace(microsecond=0)
    if pattern in DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, DATETIME_FORMATS[pattern])
        except ValueError:
            pass
    try:
        parsed = dt.datetime.fromisoformat(text)
        return parsed.replace(tzinfo=None)
    except ValueError:
        pass
    for form in (*DATETIME_FORMATS.values(), "%Y-%m-%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S.%f"):
        try:
            return dt.datetime.strptime(text, form)
        except ValueError:
            continue
    raise ConversionError(f"{shown_value(text)} is not a timestamp such as 2024-01-31 13:45:00")


# From text (LocalFile text and csv)


def from_text(text: str, kind: DataType, formats: Mapping[str, str], level: int = 1) -> Any:
    """Convert one field of a text or csv line to `kind`; nested levels use \\x02, \\x03, ..."""
    name = kind.name
    if name == "STRING":
        return text
    if text == "":
        return None
    if name == "ARRAY":
        assert kind.element is not None
        separator = chr(level + 1)
        return [from_text(part, kind.element, formats, level + 1) for part in text.split(separator)]
    if name == "MAP":
        assert kind.key is not None and kind.value is not None
        entries = {}
        for entry in text.split(chr(level + 1)):
            key, _, item = entry.partition(chr(level + 2))
            entries[from_text(key, kind.key, formats, level + 2)] = from_text(
                item, kind.value, formats, level + 2
            )
        return entries
    if name == "ROW":
        parts = text.split(chr(level + 1))
        return tuple(
            from_text(part, sub, formats, level + 1)
            for part, (_, sub) in zip(parts, kind.fields, strict=False)
        )
    if name == "DATE":
        return parse_date(text, formats.get("date_format"))
    if name == "TIME":
        return parse_time(text, formats.get("time_format"))
    if name == "TIMESTAMP":
        return parse_timestamp(text, formats.get("datetime_format"))
    if name == "BYTES":
        return text.encode("utf-8")
    return from_json(text, kind)


def to_text(value: Any, kind: DataType, formats: Mapping[str, str], level: int = 1) -> str:
    """Render a value for a text or csv file, the inverse of `from_text`."""
    if value is None:
        return ""
    name = kind.name
    if name == "STRING":
        return value
    if name == "ARRAY":
        assert kind.element is not None
        return chr(level + 1).join(
            to_text(item, kind.element, formats, level + 1) for item in value
        )
    if name == "MAP":
        assert kind.key is not None and kind.value is not None
        return chr(level + 1).join(
            to_text(key, kind.key, formats, level + 2)
            + chr(level + 2)
            + to_text(item, kind.value, formats, level + 2)
            for key, item in value.items()
        )
    if name == "ROW":
        return chr(level + 1).join(
            to_text(item, sub, formats, level + 1)
            for item, (_, sub) in zip(value, kind.fields, strict=False)
        )
    if name == "DATE":
        return value.strftime(DATE_FORMATS.get(formats.get("date_format", ""), "%Y-%m-%d"))
    if name == "TIME":
        pattern = formats.get("time_format", "HH:mm:ss")
        if pattern == "HH:mm:ss.SSS":
            return value.strftime("%H:%M:%S.") + f"{value.microsecond // 1000:03d}"
        return value.strftime("%H:%M:%S")
    if name == "TIMESTAMP":
        pattern = DATETIME_FORMATS.get(formats.get("datetime_format", ""), "%Y-%m-%d %H:%M:%S")
        return value.strftime(pattern)
    if name == "BYTES":
        return value.decode("utf-8", errors="replace")
    return java_string(value)


# Java's string forms (Console output, Assert lengths, metrics)


def java_double(value: float) -> str:
    """Format a float as Java's `Double.toString` does."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    return _java_float_text(repr(value), value)


def java_float(value: float) -> str:
    """Format a float as Java's `Float.toString` does: the shortest text of the 32-bit value."""
    if math.isnan(value) or math.isinf(value) or value == 0:
        return java_double(value)
    single = to_float32(value)
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if to_float32(float(text)) == single:
            return _java_float_text(repr(float(text)), single)
    return _java_float_text(repr(single), single)


def _java_float_text(shortest: str, value: float) -> str:
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        if "e" in shortest:
            shortest = f"{Decimal(shortest):f}"
        return shortest if "." in shortest else shortest + ".0"
    mantissa, _, exponent = f"{Decimal(shortest):E}".partition("E")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0")
        if mantissa.endswith("."):
            mantissa += "0"
    else:
        mantissa += ".0"
    return f"{mantissa}E{int(exponent)}"


def java_string(value: Any, kind: DataType | None = None) -> str:
    """Return a value's text as Java's `toString` gives it (null as `null`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if kind is not None and kind.name == "FLOAT":
            return java_float(value)
        return java_double(value)
    if isinstance(value, Decimal):
        return _java_decimal(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() + "T" + _java_time(value.time())
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _java_time(value)
    if isinstance(value, bytes | bytearray):
        return "[" + ", ".join(str(b - 256 if b > 127 else b) for b in value) + "]"
    if isinstance(value, list | tuple):
        element = kind.element if kind is not None else None
        return "[" + ", ".join(java_string(item, element) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(
            {java_string(key): json_value(item) for key, item in value.items()},
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )
    return str(value)


def _java_decimal(value: Decimal) -> str:
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return str(value)
    adjusted = exponent + len(digits) - 1
    if exponent <= 0 and adjusted >= -6:
        return f"{value:f}"
    return str(value).replace("e", "E").replace("E+", "E+")


def _java_time(value: dt.time) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        text += f":{value.second:02d}"
    if value.microsecond:
        text += "." + (
            f"{value.microsecond:06d}".rstrip("0")
            if value.microsecond % 1000
            else f"{value.microsecond // 1000:03d}"
        )
    return text


def json_value(value: Any) -> Any:
    """Return a JSON-serializable form of a row value (for maps shown by Console)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.time):
        return java_string(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple):
        return [json_value(item) for item in value]
    if isinstance(value, list):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return value
