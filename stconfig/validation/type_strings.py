"""SeaTunnel type strings, such as `decimal(38, 18)` or `map<string, array<int>>`.

SeaTunnel maps the aliases `long`, `short` and `byte` first, then upper-cases the string
and removes its spaces (but not other white space) before matching it, so
`Decimal( 10 , 2 )` is valid. `array<T>` takes only the basic number, string and boolean
types; `map<K, V>` takes any type on either side, including `decimal(p, s)` keys and row
values. A row is a nested object, or
a string holding one such as `{a = int, b = string}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from stconfig import hocon
from stconfig.errors import StconfigError
from stconfig.validation.findings import Issue, ValuePath, error, quote, render_value

_ALIASES = {"LONG": "BIGINT", "SHORT": "SMALLINT", "BYTE": "TINYINT"}
_BASIC = ("STRING", "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE")
_SIMPLE = frozenset(
    (
        *_BASIC,
        "NULL",
        "BYTES",
        "DATE",
        "TIME",
        "TIMESTAMP",
        "BINARY_VECTOR",
        "FLOAT_VECTOR",
        "FLOAT16_VECTOR",
        "BFLOAT16_VECTOR",
        "SPARSE_FLOAT_VECTOR",
    )
)
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_SUFFIX = re.compile(r"([A-Z_]+)\(\d+\)")
VALID_TYPES = (
    "string, boolean, tinyint, smallint, int, bigint, float, double, decimal(p, s), "
    "bytes, date, time, timestamp, null, array<T>, map<K, V>, a nested row, or a vector type"
)
# SQL type names that users write for SeaTunnel's types.
_SQL_NAMES = {
    "VARCHAR": "string",
    "CHAR": "string",
    "TEXT": "string",
    "INTEGER": "int",
    "INT4": "int",
    "INT8": "bigint",
    "BOOL": "boolean",
    "DATETIME": "timestamp",
    "REAL": "float",
    "BINARY": "bytes",
    "BLOB": "bytes",
    "UUID": "string",
    "NUMERIC": "decimal(p, s)",
}


class _TypeError(Exception):
    pass


@lru_cache(maxsize=4096)
def type_string_problem(declared: str) -> str | None:
    """Return why `declared` is not a SeaTunnel type string, or None when it is one."""
    try:
        _check(declared)
    except _TypeError as exc:
        return str(exc)
    return None


def _check(declared: str) -> None:
    text = declared.strip()
    text = _ALIASES.get(text.upper(), text)
    upper = text.upper().replace(" ", "")
    if upper in _SIMPLE:
        return
    if upper.startswith("{"):
        _check_row_string(text)
    elif upper.startswith("DECIMAL"):
        _check_decimal(declared, upper)
    elif upper.startswith("ARRAY"):
        _check_array(declared, upper)
    elif upper.startswith("MAP"):
        _check_map(declared, upper)
    else:
        raise _TypeError(_unknown_message(declared, upper))


def _unknown_message(declared: str, upper: str) -> str:
    message = f"unknown SeaTunnel type {quote(declared)}; valid types: {VALID_TYPES}"
    suffix = _SUFFIX.fullmatch(upper)
    if suffix and suffix.group(1) in _SIMPLE:
        return message + f"; write {suffix.group(1).lower()} without a length or precision"
    hint = _SQL_NAMES.get(suffix.group(1) if suffix else upper)
    if hint:
        return message + f"; did you mean {quote(hint)}?"
    return message


def _check_decimal(declared: str, upper: str) -> None:
    match = _DECIMAL.fullmatch(upper)
    if match is None:
        raise _TypeError(f"{quote(declared)} needs a precision and a scale, such as decimal(10, 2)")
    precision, scale = int(match.group(1)), int(match.group(2))
    if precision == 0:
        raise _TypeError(f"{quote(declared)} has precision 0; use a precision of at least 1")
    if scale > precision:
        raise _TypeError(
            f"{quote(declared)} has scale {scale} larger than precision {precision}; "
            "the scale counts digits after the point and must be at most the precision"
        )


def _check_array(declared: str, upper: str) -> None:
    if not (upper.startswith("ARRAY<") and upper.endswith(">")):
        raise _TypeError(f"{quote(declared)} needs an element type, such as array<int>")
    element = upper[len("ARRAY<") : -1]
    if element not in _BASIC:
        allowed = ", ".join(name.lower() for name in _BASIC)
        raise _TypeError(
            f"{quote(declared)} has element type {quote(element.lower())}; SeaTunnel arrays "
            f"hold only {allowed}"
        )


def _check_map(declared: str, upper: str) -> None:
    start, end = upper.find("<"), upper.rfind(">")
    if start != 3 or end != len(upper) - 1:
        raise _TypeError(f"{quote(declared)} needs key and value types, such as map<string, int>")
    inner = upper[start + 1 : end]
    comma = inner.find(",")
    if inner.startswith("DECIMAL"):
        comma = inner.find(",", comma + 1)
    if comma <= 0:
        raise _TypeError(f"{quote(declared)} needs key and value types, such as map<string, int>")
    for part in (inner[:comma], inner[comma + 1 :]):
        problem = type_string_problem(part)
        if problem is not None:
            raise _TypeError(f"in {quote(declared)}: {problem}")


def _check_row_string(text: str) -> None:
    try:
        parsed = hocon.parse(f"row = {text}", "<row type>", dialect="plain").data.get("row")
    except StconfigError:
        raise _TypeError(
            f"{quote(text)} is not a valid row type; write it as {{name = type, ...}}"
        ) from None
    if not isinstance(parsed, dict) or not parsed:
        raise _TypeError(f"{quote(text)} is not a valid row type; write it as {{name = type, ...}}")
    for name, value in parsed.items():
        problem = _field_problem(value)
        if problem is not None:
            raise _TypeError(f"in row field {quote(name)}: {problem}")


def _field_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return type_string_problem(value)
    if isinstance(value, dict):
        for name, inner in value.items():
            problem = _field_problem(inner)
            if problem is not None:
                return f"in row field {quote(name)}: {problem}"
        return None
    return f"expected a type string or a nested row object, got {render_value(value)}"


def check_plugin_types(plugin: Mapping[str, Any], prefix: ValuePath) -> list[Issue]:
    """Check the type strings of a plugin: its `schema`, its tables, and Assert's field rules."""
    issues: list[Issue] = []
    issues.extend(_check_table_schema(plugin.get("schema"), prefix + ("schema",)))
    for index, table in _dict_items(plugin.get("tables_configs")):
        issues.extend(
            _check_table_schema(table.get("schema"), prefix + ("tables_configs", index, "schema"))
        )
    rules = plugin.get("rules")
    if isinstance(rules, dict):
        issues.extend(_check_assert_rules(rules, prefix + ("rules",)))
        for index, table in _dict_items(rules.get("tables_configs")):
            issues.extend(_check_assert_rules(table, prefix + ("rules", "tables_configs", index)))
    return issues


def _dict_items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _check_table_schema(schema: Any, path: ValuePath) -> list[Issue]:
    if not isinstance(schema, dict):
        return []
    issues: list[Issue] = []
    fields = schema.get("fields")
    if isinstance(fields, dict):
        issues.extend(_check_fields(fields, path + ("fields",)))
    for index, column in _dict_items(schema.get("columns")):
        if "type" in column:
            issues.extend(_check_one(column["type"], path + ("columns", index, "type")))
    return issues


def _check_fields(fields: Mapping[str, Any], path: ValuePath) -> list[Issue]:
    issues: list[Issue] = []
    for name, declared in fields.items():
        if isinstance(declared, dict):
            issues.extend(_check_fields(declared, path + (name,)))
        else:
            issues.extend(_check_one(declared, path + (name,)))
    return issues


def _check_one(declared: Any, path: ValuePath) -> list[Issue]:
    if isinstance(declared, dict):
        return _check_fields(declared, path)
    if not isinstance(declared, str):
        return [
            error(
                path,
                f"expected a type string, got {render_value(declared)}; quote it, "
                'for example "null" or "int"',
            )
        ]
    problem = type_string_problem(declared)
    return [] if problem is None else [error(path, problem)]


def _check_assert_rules(rules: Mapping[str, Any], path: ValuePath) -> list[Issue]:
    issues: list[Issue] = []
    for index, rule in _dict_items(rules.get("field_rules")):
        if "field_type" in rule:
            issues.extend(
                _check_one(rule["field_type"], path + ("field_rules", index, "field_type"))
            )
    catalog_rule = rules.get("catalog_table_rule")
    if isinstance(catalog_rule, dict):
        for index, column in _dict_items(catalog_rule.get("column_rule")):
            if "type" in column:
                issues.extend(
                    _check_one(
                        column["type"], path + ("catalog_table_rule", "column_rule", index, "type")
                    )
                )
    return issues
