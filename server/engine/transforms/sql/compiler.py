"""Turn the syntax tree of a query into Python closures over a row tuple, with types.

Each expression compiles once, when the job starts, into a function of the row and
the SeaTunnel type of its result; rows then only run the closures.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from stconfig.server.engine.errors import PluginError
from stconfig.server.engine.transforms.sql import functions
from stconfig.server.engine.transforms.sql.parser import (
    Binary,
    Call,
    Case,
    Cast,
    ColumnRef,
    InList,
    IsNull,
    Like,
    Literal,
    Node,
    SqlError,
    Star,
    Unary,
)
from stconfig.server.engine.types import (
    BIGINT,
    BOOLEAN,
    DOUBLE,
    INT,
    NULL,
    STRING,
    DataType,
    TableSchema,
    parse_type,
)
from stconfig.server.engine.values import (
    ConversionError,
    from_json,
    java_string,
    parse_date,
    parse_time,
    parse_timestamp,
    rescale,
    shown_value,
    to_float32,
)

Evaluator = Callable[[tuple[Any, ...]], Any]
Compiled = tuple[Evaluator, DataType]

_CAST_ALIASES = {
    "VARCHAR": "string",
    "CHAR": "string",
    "TEXT": "string",
    "INTEGER": "int",
    "LONG": "bigint",
    "NUMERIC": "decimal",
    "REAL": "float",
    "BINARY": "bytes",
    "DATETIME": "timestamp",
}
_UNIT_FUNCTIONS = {"DATEADD", "TIMESTAMPADD", "DATEDIFF", "DATE_TRUNC", "EXTRACT"}


class Compiler:
    """Compile expressions against one input table."""

    def __init__(self, schema: TableSchema, table_name: str, sql: str) -> None:
        self.schema = schema
        self.table_name = table_name
        self.sql = sql

    def compile(self, node: Node) -> Compiled:
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        if method is None:
            raise SqlError(f"Unsupported SQL Expression: {node.text}")
        return method(node)

    # Leaves

    def _literal(self, node: Literal) -> Compiled:
        value = node.value
        kind = {"int": INT, "decimal": DOUBLE, "string": STRING, "null": NULL, "bool": BOOLEAN}[
            node.kind
        ]
        if node.kind == "int" and not -(2**31) <= value < 2**31:
            kind = BIGINT
        return (lambda row: value), kind

    def _star(self, node: Star) -> Compiled:
        raise SqlError(f"Unsupported SQL Expression: {self.sql}")

    def _columnref(self, node: ColumnRef) -> Compiled:
        parts = list(node.parts)
        if (
            self.schema.index(parts[0]) < 0
            and len(parts) > 1
            and parts[0].lower() == self.table_name.lower()
        ):
            parts = parts[1:]
        position = self.schema.index(parts[0])
        if position < 0:
            raise PluginError(
                f"Sql: field '{parts[0]}' of {self.sql} is not in the input table "
                f"(columns: {', '.join(self.schema.names)})"
            )
        kind = self.schema.columns[position].type
        getters: list[Callable[[Any], Any]] = []
        for part in parts[1:]:
            if kind.name == "ROW":
                names = [name for name, _ in kind.fields]
                if part not in names:
                    raise PluginError(
                        f"Sql: {node.text} names '{part}', which is not a field of {kind}"
                    )
                index = names.index(part)
                kind = kind.fields[index][1]
                getters.append(lambda value, index=index: value[index])
            elif kind.name == "MAP":
                assert kind.value is not None
                kind = kind.value
                getters.append(lambda value, key=part: value.get(key))
            else:
                raise PluginError(f"Sql: {node.text} reads '{part}' from a value of type {kind}")
        if not getters:
            return (lambda row: row[position]), kind

        def walk(row: tuple[Any, ...]) -> Any:
            value = row[position]
            for get in getters:
                if value is None:
                    return None
                value = get(value)
            return value

        return walk, kind

    # Operators

    def _unary(self, node: Unary) -> Compiled:
        operand, kind = self.compile(node.operand)
        if node.op == "NOT":
            return (lambda row: _not(operand(row))), BOOLEAN
        if node.op == "-":
            return (lambda row: None if (v := operand(row)) is None else -v), kind
        return operand, kind

    def _binary(self, node: Binary) -> Compiled:
        left, left_type = self.compile(node.left)
        right, right_type = self.compile(node.right)
        op = node.op
        if op == "AND":
            return (lambda row: _and(left(row), lambda: right(row))), BOOLEAN
        if op == "OR":
            return (lambda row: _or(left(row), lambda: right(row))), BOOLEAN
        if op == "||":
            return (lambda row: _concat(left(row), right(row))), STRING
        if op in ("=", "!=", "<", "<=", ">", ">="):
            compare = _COMPARISONS[op]
            return (lambda row: _compare(left(row), right(row), compare)), BOOLEAN
        result = functions.numeric_result(left_type, right_type)
        arithmetic = _arithmetic(op, result)

        def compute(row: tuple[Any, ...]) -> Any:
            left_value, right_value = left(row), right(row)
            try:
                return arithmetic(left_value, right_value)
            except (ValueError, TypeError, ArithmeticError):
                raise PluginError(
                    f"Sql transform: {node.text} cannot be computed for "
                    f"{shown_value(left_value)} and {shown_value(right_value)}"
                ) from None

        return compute, result

    def _isnull(self, node: IsNull) -> Compiled:
        operand, _ = self.compile(node.operand)
        if node.negated:
            return (lambda row: operand(row) is not None), BOOLEAN
        return (lambda row: operand(row) is None), BOOLEAN

    def _inlist(self, node: InList) -> Compiled:
        operand, _ = self.compile(node.operand)
        items = [self.compile(item)[0] for item in node.items]
        negated = node.negated

        def member(row: tuple[Any, ...]) -> bool | None:
            value = operand(row)
            if value is None:
                return None
            found = any(_compare(value, item(row), lambda a, b: a == b) for item in items)
            return found != negated

        return member, BOOLEAN

    def _like(self, node: Like) -> Compiled:
        operand, _ = self.compile(node.operand)
        pattern, _ = self.compile(node.pattern)
        negated = node.negated
        cache: dict[str, re.Pattern[str]] = {}

        def like(row: tuple[Any, ...]) -> bool | None:
            value, text = operand(row), pattern(row)
            if value is None or text is None:
                return None
            regex = cache.get(text)
            if regex is None:
                regex = cache[text] = like_regex(text)
            return (regex.fullmatch(_as_text(value)) is not None) != negated

        return like, BOOLEAN

    def _call(self, node: Call) -> Compiled:
        function = functions.find_function(node.name, self.sql)
        args = list(node.args)
        if node.name in _UNIT_FUNCTIONS and args and isinstance(args[0], ColumnRef):
            first = args[0]
            if len(first.parts) == 1 and self.schema.index(first.parts[0]) < 0:
                args[0] = Literal(first.parts[0], "string", text=first.text)
        compiled = [self.compile(arg) for arg in args]
        evaluators = [item[0] for item in compiled]
        kind = function.result([item[1] for item in compiled])
        if (
            node.name in ("CEIL", "CEILING", "FLOOR")
            and compiled
            and compiled[0][1].name in ("INT", "TINYINT", "SMALLINT")
        ):
            kind = INT
        convert = _result_converter(kind)

        def call(row: tuple[Any, ...]) -> Any:
            arguments = [evaluate(row) for evaluate in evaluators]
            try:
                value = functions.call(function, arguments)
            except ConversionError as exc:
                raise PluginError(f"Sql transform: {node.text}: {exc}") from None
            except (ValueError, TypeError, ArithmeticError, IndexError):
                shown = ", ".join(shown_value(argument) for argument in arguments)
                raise PluginError(
                    f"Sql transform: {node.text} failed for the arguments ({shown})"
                ) from None
            return convert(value)

        return call, kind

    def _cast(self, node: Cast) -> Compiled:
        operand, _ = self.compile(node.operand)
        text = node.type_text.strip()
        base = re.match(r"\w+", text)
        if base and base.group().upper() in _CAST_ALIASES:
            text = _CAST_ALIASES[base.group().upper()] + text[base.end() :]
        if re.fullmatch(r"(?i)decimal", text):
            text = "decimal(38, 18)"
        target = parse_type(text, node.text)
        convert = cast_converter(target)

        def cast(row: tuple[Any, ...]) -> Any:
            value = operand(row)
            if value is None:
                return None
            try:
                return convert(value)
            except ConversionError as exc:
                raise PluginError(f"Sql transform: {node.text}: {exc}") from None
            except (ValueError, TypeError, ArithmeticError):
                raise PluginError(
                    f"Sql transform: {node.text}: cannot read {shown_value(value)} as {target}"
                ) from None

        return cast, target

    def _case(self, node: Case) -> Compiled:
        operand = self.compile(node.operand)[0] if node.operand is not None else None
        branches = [(self.compile(when)[0], self.compile(then)) for when, then in node.branches]
        default = self.compile(node.default) if node.default is not None else None
        kinds = [then[1] for _, then in branches] + ([default[1]] if default else [])
        kind = next((k for k in kinds if k.name != "NULL"), NULL)

        def case(row: tuple[Any, ...]) -> Any:
            subject = operand(row) if operand is not None else None
            for when, (then, _) in branches:
                test = when(row)
                if (operand is not None and _compare(subject, test, lambda a, b: a == b)) or (
                    operand is None and test is True
                ):
                    return then(row)
            return default[0](row) if default is not None else None

        return case, kind


def like_regex(pattern: str) -> re.Pattern[str]:
    """Turn a SQL LIKE pattern (`%` any run, `_` one character) into a regular expression."""
    parts = []
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else java_string(value)


def _concat(left: Any, right: Any) -> str | None:
    if left is None or right is None:
        return None
    return _as_text(left) + _as_text(right)


def _not(value: Any) -> bool | None:
    return None if value is None else not value


def _and(left: Any, right: Callable[[], Any]) -> bool | None:
    if left is False:
        return False
    other = right()
    if other is False:
        return False
    return None if left is None or other is None else True


def _or(left: Any, right: Callable[[], Any]) -> bool | None:
    if left is True:
        return True
    other = right()
    if other is True:
        return True
    return None if left is None or other is None else False


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(left: Any, right: Any, compare: Callable[[Any, Any], bool]) -> bool | None:
    if left is None or right is None:
        return None
    left, right = _comparable(left, right)
    try:
        return compare(left, right)
    except TypeError:
        return compare(_as_text(left), _as_text(right))


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    numbers = (int, float, Decimal)
    if isinstance(left, str) and isinstance(right, numbers) and not isinstance(right, bool):
        return _number(left), right
    if isinstance(right, str) and isinstance(left, numbers) and not isinstance(left, bool):
        return left, _number(right)
    if isinstance(left, dt.datetime) and isinstance(right, str):
        return left, parse_timestamp(right)
    if isinstance(left, dt.date) and isinstance(right, str):
        return left, parse_date(right)
    if isinstance(left, dt.time) and isinstance(right, str):
        return left, parse_time(right)
    if isinstance(left, Decimal) and isinstance(right, float):
        return float(left), right
    if isinstance(left, float) and isinstance(right, Decimal):
        return left, float(right)
    return left, right


def _number(text: str) -> Any:
    try:
        return Decimal(text.strip())
    except ArithmeticError:
        return text


def _arithmetic(op: str, result: DataType) -> Callable[[Any, Any], Any]:
    integral = result.name in ("INT", "BIGINT", "TINYINT", "SMALLINT")
    decimal = result.name == "DECIMAL"

    def apply(left: Any, right: Any) -> Any:
        if left is None or right is None:
            return None
        if decimal:
            left, right = Decimal(str(left)), Decimal(str(right))
        elif not integral:
            left, right = float(left), float(right)
        if op == "+":
            value = left + right
        elif op == "-":
            value = left - right
        elif op == "*":
            value = left * right
        elif op == "/":
            if integral:
                if right == 0:
                    raise PluginError("Sql: division by zero")
                value = abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)
            else:
                value = (
                    left / right
                    if right != 0
                    else (math.copysign(math.inf, left) if left else math.nan)
                )
        else:
            value = _java_remainder(left, right, integral)
        return _wrap(value, result) if integral else value

    return apply


def _java_remainder(left: Any, right: Any, integral: bool) -> Any:
    if integral:
        quotient = abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)
        return left - right * quotient
    if isinstance(left, Decimal):
        return left % right
    return math.fmod(left, right)


def _wrap(value: int, kind: DataType) -> int:
    """Wrap an integer result around as Java's int and long arithmetic does."""
    bits = 64 if kind.name == "BIGINT" else 32
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _result_converter(kind: DataType) -> Callable[[Any], Any]:
    if kind.name in ("INT", "BIGINT"):
        return lambda value: int(value) if isinstance(value, float | Decimal) else value
    if kind.name == "DOUBLE":
        return lambda value: (
            float(value)
            if isinstance(value, int | Decimal) and not isinstance(value, bool)
            else value
        )
    return lambda value: value


def _cast_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value))


def _cast_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return parse_timestamp(str(value))


def _cast_time(value: Any) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    return parse_time(str(value))


def cast_converter(target: DataType) -> Callable[[Any], Any]:
    """Return a function converting any value to `target`, as CAST does."""
    name = target.name
    if name == "STRING":
        return lambda value: _as_text(value)
    if name in ("TINYINT", "SMALLINT", "INT", "BIGINT"):
        return lambda value: int(Decimal(value.strip())) if isinstance(value, str) else int(value)
    if name == "DOUBLE":
        return lambda value: float(value)
    if name == "FLOAT":
        return lambda value: to_float32(float(value))
    if name == "DECIMAL":
        return lambda value: rescale(Decimal(str(value).strip()), target.scale)
    if name == "DATE":
        return _cast_date
    if name == "TIMESTAMP":
        return _cast_timestamp
    if name == "TIME":
        return _cast_time
    if name == "BYTES":
        return lambda value: value if isinstance(value, bytes) else _as_text(value).encode("utf-8")
    return lambda value: from_json(value, target)
