"""The functions of the Sql transform, with the result type SeaTunnel gives each.

Semantics follow H2's definitions, which SeaTunnel's function reference is based on.
A function returns null when any argument is null, except where noted (CONCAT,
CONCAT_WS, COALESCE, IFNULL, NULLIF, the time functions without arguments).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from stconfig.server.engine.errors import PluginError
from stconfig.server.engine.transforms.text import python_replacement
from stconfig.server.engine.types import (
    BIGINT,
    BOOLEAN,
    DATE,
    DOUBLE,
    INT,
    STRING,
    TIME,
    TIMESTAMP,
    DataType,
)
from stconfig.server.engine.values import java_string

TypeRule = Callable[[list[DataType]], DataType]


@dataclass
class Function:
    implementation: Callable[..., Any]
    result: TypeRule
    null_in_null_out: bool = True


def _fixed(kind: DataType) -> TypeRule:
    return lambda types: kind


def _first(types: list[DataType]) -> DataType:
    return types[0] if types else STRING


def numeric_result(left: DataType, right: DataType) -> DataType:
    """Return the type of an arithmetic result, as SeaTunnel's Zeta SQL engine types it."""
    names = {left.name, right.name}
    if names & {"DOUBLE", "FLOAT"}:
        return DOUBLE
    if "DECIMAL" in names:
        precision = max(left.precision, right.precision, 1)
        scale = max(left.scale, right.scale)
        return DataType("DECIMAL", precision=precision, scale=scale)
    if "BIGINT" in names:
        return BIGINT
    if names <= {"TINYINT", "SMALLINT", "INT", "NULL"}:
        return INT
    return DOUBLE


def _integral(types: list[DataType]) -> DataType:
    return BIGINT if types and types[0].name == "BIGINT" else INT


def _text(value: Any) -> str:
    return value if isinstance(value, str) else java_string(value)


# String functions


def _pad(left: bool) -> Callable[..., str]:
    def pad(text: Any, length: int, filler: str = " ") -> str:
        text, length = _text(text), int(length)
        if len(text) >= length:
            return text[:length]
        fill = (filler * length)[: length - len(text)] if filler else ""
        return fill + text if left else text + fill

    return pad


def _trim(how: str) -> Callable[..., str]:
    def trim(text: Any, characters: str = " ") -> str:
        text = _text(text)
        if how == "left":
            return text.lstrip(characters)
        if how == "right":
            return text.rstrip(characters)
        return text.strip(characters)

    return trim


def _regex_flags(flags: str | None) -> int:
    result = 0
    for flag in flags or "":
        if flag == "i":
            result |= re.IGNORECASE
        elif flag == "c":
            result &= ~re.IGNORECASE
        elif flag == "n":
            result |= re.DOTALL
        elif flag == "m":
            result |= re.MULTILINE
    return result


def _regexp_replace(text: Any, pattern: str, replacement: str, flags: str | None = None) -> str:
    return re.sub(pattern, python_replacement(replacement), _text(text), flags=_regex_flags(flags))


def _regexp_like(text: Any, pattern: str, flags: str | None = None) -> bool:
    return re.search(pattern, _text(text), flags=_regex_flags(flags)) is not None


def _regexp_substr(
    text: Any,
    pattern: str,
    position: int = 1,
    occurrence: int = 1,
    flags: str | None = None,
    group: int = 0,
) -> str | None:
    matches = list(
        re.finditer(pattern, _text(text)[int(position) - 1 :], flags=_regex_flags(flags))
    )
    if len(matches) < int(occurrence):
        return None
    return matches[int(occurrence) - 1].group(int(group))


def _substring(text: Any, start: int, length: int | None = None) -> str:
    text, start = _text(text), int(start)
    begin = start - 1 if start > 0 else max(len(text) + start, 0)
    return text[begin:] if length is None else text[begin : begin + int(length)]


def _soundex(text: Any) -> str:
    codes = {
        c: str(d)
        for d, letters in enumerate(("AEIOUYHW", "BFPV", "CGJKQSXZ", "DT", "L", "MN", "R"))
        for c in letters
    }
    letters = [c for c in _text(text).upper() if c.isalpha()]
    if not letters:
        return ""
    result = letters[0]
    last = codes.get(letters[0], "")
    for char in letters[1:]:
        code = codes.get(char, "")
        if code and code != "0" and code != last:
            result += code
        if char not in "HW":
            last = code
    return (result + "000")[:4]


def _translate(text: Any, source: str, target: str) -> str:
    table: dict[int, int | None] = {}
    for index, char in enumerate(source):
        table.setdefault(ord(char), ord(target[index]) if index < len(target) else None)
    return _text(text).translate(table)


def _hextoraw(text: str) -> str:
    return "".join(chr(int(text[i : i + 4], 16)) for i in range(0, len(text), 4))


def _rawtohex(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return "".join(f"{ord(char):04x}" for char in _text(value))


def _des_cipher(key: str) -> Any:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    except ImportError:  # cryptography before 43
        from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES
    # Three copies of one 8-byte key make TripleDES plain DES, which SeaTunnel's DES UDF uses.
    single = key.encode("utf-8")[:8].ljust(8, b"\0")
    return Cipher(TripleDES(single * 3), modes.ECB())


def _des_encrypt(key: str, text: Any) -> str:
    from cryptography.hazmat.primitives import padding

    padder = padding.PKCS7(64).padder()
    data = padder.update(_text(text).encode("utf-8")) + padder.finalize()
    encryptor = _des_cipher(key).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode("ascii")


def _des_decrypt(key: str, text: str) -> str:
    from cryptography.hazmat.primitives import padding

    decryptor = _des_cipher(key).decryptor()
    data = decryptor.update(base64.b64decode(text)) + decryptor.finalize()
    unpadder = padding.PKCS7(64).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode("utf-8")


def _concat(*values: Any) -> str:
    return "".join(_text(value) for value in values if value is not None)


def _concat_ws(separator: Any, *values: Any) -> str:
    return ("" if separator is None else _text(separator)).join(
        _text(value) for value in values if value is not None
    )


def _locate(search: Any, text: Any, start: int = 1) -> int:
    return _text(text).find(_text(search), max(int(start) - 1, 0)) + 1


# Numeric functions


def _round(value: Any, digits: int = 0, mode: str = ROUND_HALF_UP) -> Any:
    exponent = Decimal(1).scaleb(-int(digits))
    rounded = Decimal(str(value)).quantize(exponent, rounding=mode)
    if isinstance(value, float):
        return float(rounded)
    if isinstance(value, int):
        return int(rounded)
    return rounded


def _mod(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        return (
            int(math.fmod(left, right)) if abs(left) < 2**52 else left - right * int(left / right)
        )
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return Decimal(left) % Decimal(right)
    # Decimal arithmetic, as SeaTunnel's MOD gives 2.2 for MOD(13, 5.4), not 2.1999999999999993.
    return float(Decimal(str(left)) % Decimal(str(right)))


def _ceil(value: Any) -> int:
    return math.ceil(value)


def _sign(value: Any) -> int:
    return (value > 0) - (value < 0)


def _log(base: Any, value: Any) -> float:
    return math.log(value) / math.log(base)


# Date and time functions

_JAVA_PATTERN = re.compile(r"yyyy|yy|MM|dd|HH|hh|mm|ss|SSS|a|EEEE|EEE|MMMM|MMM")
_PYTHON_DIRECTIVES = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "dd": "%d",
    "HH": "%H",
    "hh": "%I",
    "mm": "%M",
    "ss": "%S",
    "SSS": "%f",
    "a": "%p",
    "EEEE": "%A",
    "EEE": "%a",
}


def python_date_format(pattern: str) -> str:
    """Turn a Java date pattern (`yyyy-MM-dd HH:mm:ss`) into a strftime format."""
    return _JAVA_PATTERN.sub(lambda m: _PYTHON_DIRECTIVES[m.group()], pattern.replace("%", "%%"))


def format_datetime(value: Any, pattern: str) -> str:
    text = value.strftime(python_date_format(pattern))
    if "SSS" in pattern and isinstance(value, dt.datetime | dt.time):
        text = text.replace(f"{value.microsecond:06d}", f"{value.microsecond // 1000:03d}")
    return text


def _zone(name: str | None) -> dt.tzinfo | None:
    if not name:
        return None
    match = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", name.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        offset = dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return dt.timezone(sign * offset)
    if name.strip().upper() in ("UTC", "GMT", "Z"):
        return dt.UTC
    from zoneinfo import ZoneInfo

    return ZoneInfo(name.strip())


def _from_unixtime(
    seconds: Any, pattern: str = "yyyy-MM-dd HH:mm:ss", zone: str | None = None
) -> str:
    moment = dt.datetime.fromtimestamp(
        int(seconds), tz=_zone(zone) or dt.datetime.now().astimezone().tzinfo
    )
    return format_datetime(moment.replace(tzinfo=None), pattern)


def _to_char(value: Any, pattern: str | None = None) -> str:
    if pattern is not None and isinstance(value, dt.date | dt.time):
        return format_datetime(value, pattern)
    return _text(value)


def _parse_datetime(text: str, pattern: str) -> dt.datetime:
    return dt.datetime.strptime(text, python_date_format(pattern))


def _is_date(text: Any, pattern: str) -> bool:
    try:
        _parse_datetime(_text(text), pattern)
    except ValueError:
        return False
    return True


_UNITS = {
    "YEAR": "years",
    "YEARS": "years",
    "YY": "years",
    "MONTH": "months",
    "MONTHS": "months",
    "MM": "months",
    "WEEK": "weeks",
    "DAY": "days",
    "DAYS": "days",
    "DD": "days",
    "HOUR": "hours",
    "HH": "hours",
    "MINUTE": "minutes",
    "MI": "minutes",
    "SECOND": "seconds",
    "SS": "seconds",
    "MILLISECOND": "milliseconds",
    "MS": "milliseconds",
}


def _unit(name: Any) -> str:
    unit = _UNITS.get(str(name).strip().upper())
    if unit is None:
        raise PluginError(
            f"Sql: unknown date unit {name!r}; use YEAR, MONTH, DAY, HOUR, MINUTE or SECOND"
        )
    return unit


def _add_months(value: Any, months: int) -> Any:
    month = value.month - 1 + months
    year = value.year + month // 12
    month = month % 12 + 1
    day = min(
        value.day,
        [
            31,
            29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1],
    )
    return value.replace(year=year, month=month, day=day)


def _dateadd(unit: Any, amount: Any, value: Any) -> Any:
    name = _unit(unit)
    if name == "years":
        return _add_months(value, 12 * int(amount))
    if name == "months":
        return _add_months(value, int(amount))
    return value + dt.timedelta(**{name: int(amount)})


def _datediff(unit: Any, start: Any, end: Any) -> int:
    name = _unit(unit)
    if name in ("years", "months"):
        months = (end.year - start.year) * 12 + end.month - start.month
        return months // 12 if name == "years" else months
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    if not isinstance(end, dt.datetime):
        end = dt.datetime.combine(end, dt.time())
    seconds = (end - start).total_seconds()
    divisor = {
        "weeks": 604800,
        "days": 86400,
        "hours": 3600,
        "minutes": 60,
        "seconds": 1,
        "milliseconds": 0.001,
    }[name]
    return int(seconds // divisor)


def _date_trunc(unit: Any, value: Any) -> Any:
    name = _unit(unit)
    fields = ["years", "months", "days", "hours", "minutes", "seconds"]
    keep = fields.index(name) if name in fields else len(fields)
    replace: dict[str, int] = {}
    for index, part in enumerate(("month", "day", "hour", "minute", "second", "microsecond")):
        if index >= keep and hasattr(value, part):
            replace[part] = 1 if part in ("month", "day") else 0
    return value.replace(**replace)


def _extract(field: Any, value: Any) -> int:
    name = str(field).upper()
    if name == "DOW" or name == "DAY_OF_WEEK":
        return value.isoweekday() % 7 + 1
    if name == "DOY" or name == "DAY_OF_YEAR":
        return value.timetuple().tm_yday
    if name == "QUARTER":
        return (value.month - 1) // 3 + 1
    if name == "WEEK":
        return value.isocalendar()[1]
    if name == "MILLISECOND":
        return value.microsecond // 1000
    return int(getattr(value, name.lower()))


FUNCTIONS: dict[str, Function] = {
    # String functions
    "ASCII": Function(lambda s: ord(_text(s)[0]) if _text(s) else None, _fixed(INT)),
    "BIT_LENGTH": Function(
        lambda s: len(s if isinstance(s, bytes) else _text(s).encode()) * 8, _fixed(BIGINT)
    ),
    "CHAR_LENGTH": Function(lambda s: len(_text(s)), _fixed(BIGINT)),
    "LENGTH": Function(lambda s: len(_text(s)), _fixed(BIGINT)),
    "OCTET_LENGTH": Function(
        lambda s: len(s if isinstance(s, bytes) else _text(s).encode()), _fixed(BIGINT)
    ),
    "CHAR": Function(lambda n: chr(int(n)), _fixed(STRING)),
    "CHR": Function(lambda n: chr(int(n)), _fixed(STRING)),
    "CONCAT": Function(_concat, _fixed(STRING), null_in_null_out=False),
    "CONCAT_WS": Function(_concat_ws, _fixed(STRING), null_in_null_out=False),
    "HEXTORAW": Function(_hextoraw, _fixed(STRING)),
    "RAWTOHEX": Function(_rawtohex, _fixed(STRING)),
    "INSERT": Function(
        lambda s, start, length, add: (
            _text(s)[: int(start) - 1] + _text(add) + _text(s)[int(start) - 1 + int(length) :]
        ),
        _fixed(STRING),
    ),
    "LOWER": Function(lambda s: _text(s).lower(), _fixed(STRING)),
    "LCASE": Function(lambda s: _text(s).lower(), _fixed(STRING)),
    "UPPER": Function(lambda s: _text(s).upper(), _fixed(STRING)),
    "UCASE": Function(lambda s: _text(s).upper(), _fixed(STRING)),
    "LEFT": Function(lambda s, n: _text(s)[: int(n)], _fixed(STRING)),
    "RIGHT": Function(lambda s, n: _text(s)[-int(n) :] if int(n) > 0 else "", _fixed(STRING)),
    "LOCATE": Function(_locate, _fixed(INT)),
    "INSTR": Function(lambda s, search, start=1: _locate(search, s, start), _fixed(INT)),
    "POSITION": Function(_locate, _fixed(INT)),
    "LPAD": Function(_pad(True), _fixed(STRING)),
    "RPAD": Function(_pad(False), _fixed(STRING)),
    "LTRIM": Function(_trim("left"), _fixed(STRING)),
    "RTRIM": Function(_trim("right"), _fixed(STRING)),
    "TRIM": Function(_trim("both"), _fixed(STRING)),
    "REGEXP_REPLACE": Function(_regexp_replace, _fixed(STRING)),
    "REGEXP_LIKE": Function(_regexp_like, _fixed(BOOLEAN)),
    "REGEXP_SUBSTR": Function(_regexp_substr, _fixed(STRING), null_in_null_out=False),
    "REPEAT": Function(lambda s, n: _text(s) * int(n), _fixed(STRING)),
    "REPLACE": Function(lambda s, a, b="": _text(s).replace(_text(a), _text(b)), _fixed(STRING)),
    "SOUNDEX": Function(_soundex, _fixed(STRING)),
    "SPACE": Function(lambda n: " " * int(n), _fixed(STRING)),
    "SUBSTRING": Function(_substring, _fixed(STRING)),
    "SUBSTR": Function(_substring, _fixed(STRING)),
    "TO_CHAR": Function(_to_char, _fixed(STRING)),
    "TRANSLATE": Function(_translate, _fixed(STRING)),
    "DES_ENCRYPT": Function(_des_encrypt, _fixed(STRING)),
    "DES_DECRYPT": Function(_des_decrypt, _fixed(STRING)),
    # Numeric functions
    "ABS": Function(abs, _first),
    "ACOS": Function(lambda x: math.acos(x), _fixed(DOUBLE)),
    "ASIN": Function(lambda x: math.asin(x), _fixed(DOUBLE)),
    "ATAN": Function(lambda x: math.atan(x), _fixed(DOUBLE)),
    "ATAN2": Function(lambda y, x: math.atan2(y, x), _fixed(DOUBLE)),
    "COS": Function(lambda x: math.cos(x), _fixed(DOUBLE)),
    "COSH": Function(lambda x: math.cosh(x), _fixed(DOUBLE)),
    "COT": Function(lambda x: 1 / math.tan(x), _fixed(DOUBLE)),
    "SIN": Function(lambda x: math.sin(x), _fixed(DOUBLE)),
    "SINH": Function(lambda x: math.sinh(x), _fixed(DOUBLE)),
    "TAN": Function(lambda x: math.tan(x), _fixed(DOUBLE)),
    "TANH": Function(lambda x: math.tanh(x), _fixed(DOUBLE)),
    "MOD": Function(_mod, lambda types: numeric_result(types[0], types[1])),
    "CEIL": Function(_ceil, _integral),
    "CEILING": Function(_ceil, _integral),
    "EXP": Function(lambda x: math.exp(x), _fixed(DOUBLE)),
    "FLOOR": Function(lambda x: math.floor(x), _integral),
    "LN": Function(lambda x: math.log(x), _fixed(DOUBLE)),
    "LOG": Function(_log, _fixed(DOUBLE)),
    "LOG10": Function(lambda x: math.log10(x), _fixed(DOUBLE)),
    "RADIANS": Function(lambda x: math.radians(x), _fixed(DOUBLE)),
    "DEGREES": Function(lambda x: math.degrees(x), _fixed(DOUBLE)),
    "SQRT": Function(lambda x: math.sqrt(x), _fixed(DOUBLE)),
    "PI": Function(lambda: math.pi, _fixed(DOUBLE)),
    "POWER": Function(lambda x, y: math.pow(x, y), _fixed(DOUBLE)),
    "RAND": Function(lambda seed=None: random.random(), _fixed(DOUBLE), null_in_null_out=False),
    "RANDOM": Function(lambda seed=None: random.random(), _fixed(DOUBLE), null_in_null_out=False),
    "ROUND": Function(_round, _first),
    "SIGN": Function(_sign, _fixed(INT)),
    "TRUNC": Function(lambda x, n=0: _round(x, n, ROUND_DOWN), _first),
    "TRUNCATE": Function(lambda x, n=0: _round(x, n, ROUND_DOWN), _first),
    # Date and time functions
    "CURRENT_DATE": Function(lambda: dt.date.today(), _fixed(DATE), null_in_null_out=False),
    "CURRENT_TIME": Function(
        lambda: dt.datetime.now().time().replace(microsecond=0),
        _fixed(TIME),
        null_in_null_out=False,
    ),
    "CURRENT_TIMESTAMP": Function(
        lambda: dt.datetime.now(), _fixed(TIMESTAMP), null_in_null_out=False
    ),
    "NOW": Function(lambda: dt.datetime.now(), _fixed(TIMESTAMP), null_in_null_out=False),
    "DATEADD": Function(_dateadd, lambda types: types[2] if len(types) > 2 else TIMESTAMP),
    "TIMESTAMPADD": Function(_dateadd, lambda types: types[2] if len(types) > 2 else TIMESTAMP),
    "DATEDIFF": Function(_datediff, _fixed(BIGINT)),
    "DATE_TRUNC": Function(_date_trunc, lambda types: types[1] if len(types) > 1 else TIMESTAMP),
    "DAYNAME": Function(lambda d: d.strftime("%A"), _fixed(STRING)),
    "DAY_OF_MONTH": Function(lambda d: d.day, _fixed(INT)),
    "DAY_OF_WEEK": Function(lambda d: d.isoweekday() % 7 + 1, _fixed(INT)),
    "DAY_OF_YEAR": Function(lambda d: d.timetuple().tm_yday, _fixed(INT)),
    "EXTRACT": Function(_extract, _fixed(INT)),
    "FORMATDATETIME": Function(format_datetime, _fixed(STRING)),
    "HOUR": Function(lambda d: d.hour, _fixed(INT)),
    "MINUTE": Function(lambda d: d.minute, _fixed(INT)),
    "MONTH": Function(lambda d: d.month, _fixed(INT)),
    "MONTHNAME": Function(lambda d: d.strftime("%B"), _fixed(STRING)),
    "PARSEDATETIME": Function(_parse_datetime, _fixed(TIMESTAMP)),
    "TO_DATE": Function(_parse_datetime, _fixed(TIMESTAMP)),
    "IS_DATE": Function(_is_date, _fixed(BOOLEAN)),
    "QUARTER": Function(lambda d: (d.month - 1) // 3 + 1, _fixed(INT)),
    "SECOND": Function(lambda d: d.second, _fixed(INT)),
    "WEEK": Function(lambda d: d.isocalendar()[1], _fixed(INT)),
    "YEAR": Function(lambda d: d.year, _fixed(INT)),
    "FROM_UNIXTIME": Function(_from_unixtime, _fixed(STRING)),
    # System functions
    "COALESCE": Function(
        lambda *values: next((v for v in values if v is not None), None),
        _first,
        null_in_null_out=False,
    ),
    "IFNULL": Function(
        lambda value, other: other if value is None else value, _first, null_in_null_out=False
    ),
    "NULLIF": Function(lambda a, b: None if a == b else a, _first, null_in_null_out=False),
    "UUID": Function(lambda: str(uuid.uuid4()), _fixed(STRING), null_in_null_out=False),
}


def find_function(name: str, sql: str) -> Function:
    function = FUNCTIONS.get(name.upper())
    if function is None:
        known = ", ".join(sorted(FUNCTIONS))
        raise PluginError(f"Sql: unknown function {name} in {sql}; the runner supports: {known}")
    return function


def call(function: Function, args: Sequence[Any]) -> Any:
    if function.null_in_null_out and any(arg is None for arg in args):
        return None
    return function.implementation(*args)
