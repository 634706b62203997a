"""FakeSource: random or explicit rows, generated a column at a time.

Generating a whole batch column by column (one `random.choices` call for all the
letters of a string column, say) costs a fraction of building each row value by value.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import string
import sys
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from stconfig.server.engine.errors import (
    PluginError,
    invalid_value_error,
    option_error,
    seatunnel_error,
)
from stconfig.server.engine.plugins import JobContext, Source, SourceReader
from stconfig.server.engine.rows import KINDS_BY_NAME, Batch
from stconfig.server.engine.types import Column, DataType, parse_schema
from stconfig.server.engine.values import (
    ConversionError,
    from_json,
    parse_date,
    parse_time,
    parse_timestamp,
    to_float32,
)

BATCH_ROWS = 2048
FLOAT_MAX = 3.4028234663852886e38
# Upper bounds of the `<type>.min`/`<type>.max` options, and the text SeaTunnel prints.
_BOUNDS: dict[str, tuple[float, str]] = {
    "tinyint": (127, "127"),
    "smallint": (32767, "32767"),
    "int": (2147483647, "2147483647"),
    "bigint": (9223372036854775807, "9223372036854775807"),
    "float": (FLOAT_MAX, "3.4028235E38"),
    "double": (sys.float_info.max, "1.7976931348623157E308"),
}
_LETTERS = string.ascii_letters
_DIGITS = string.digits

Generator = Callable[[int], list[Any]]


class FakeOptions:
    """The options of one FakeSource table, checked as SeaTunnel checks them."""

    def __init__(self, options: Mapping[str, Any], source: Source) -> None:
        self.options = options
        self.source = source
        self.row_num = self._int("row.num", 5)
        self.split_num = max(self._int("split.num", 1), 1)
        self.split_interval = self._int("split.read-interval", 1) / 1000
        self.map_size = self._int("map.size", 5)
        self.array_size = self._int("array.size", 5)
        self.bytes_length = self._int("bytes.length", 5)
        self.string_length = self._int("string.length", 5)
        self._check_templates()
        self.bounds = {kind: self._bounds(kind) for kind in _BOUNDS}

    def get(self, key: str, default: Any = None) -> Any:
        from stconfig.config import get_option

        value = get_option(self.options, key)
        return default if value is _missing() else value

    def _int(self, key: str, default: int) -> int:
        value = self.get(key, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise invalid_value_error(
                "FakeSource", key, value, f"FakeSource: option '{key}' is {value!r}, not an integer"
            ) from None

    def template(self, key: str) -> list[Any] | None:
        value = self.get(key)
        if isinstance(value, list) and value:
            return value
        return None

    def _check_templates(self) -> None:
        for kind in ("string", "tinyint", "smallint", "int", "bigint", "float", "double"):
            mode = self.get(f"{kind}.fake.mode")
            if mode is None:
                continue
            if str(mode).upper() not in ("RANGE", "TEMPLATE"):
                raise invalid_value_error(
                    "FakeSource",
                    f"{kind}.fake.mode",
                    mode,
                    "Could not parse value for enum class "
                    "org.apache.seatunnel.connectors.seatunnel.fake.config.FakeOption$FakeMode. "
                    "Expected one of: [[RANGE, TEMPLATE]]",
                )
            if str(mode).upper() == "TEMPLATE" and self.template(f"{kind}.template") is None:
                raise option_error(
                    f"There are unconfigured options, the options('{kind}.template') are "
                    f"required because ['{kind}.fake.mode' == TEMPLATE] is true."
                )

    def _bounds(self, kind: str) -> tuple[float, float]:
        limit, limit_text = _BOUNDS[kind]
        values = []
        for end, default in (("min", 0), ("max", limit)):
            value = self.get(f"{kind}.{end}", default)
            number = float(value) if kind in ("float", "double") else int(value)
            if not 0 <= number <= limit:
                raise PluginError(
                    seatunnel_error(
                        "COMMON-06",
                        "Illegal argument",
                        f"{kind}.{end} should >= 0 and <= {limit_text}",
                    )
                )
            values.append(number)
        return values[0], values[1]


def _missing() -> Any:
    from stconfig.hocon import MISSING

    return MISSING


class FakeTable:
    """One table of a FakeSource: its schema, options and row generator."""

    def __init__(self, options: Mapping[str, Any], source: Source) -> None:
        self.options = FakeOptions(options, source)
        self.schema = parse_schema(options, None, catalog="FakeSource")
        assert self.schema is not None
        self.rows = self._explicit_rows(options.get("rows"))
        self.generators = [self._column_generator(column) for column in self.schema.columns]

    def splits(self) -> list[int]:
        """Return the number of rows in each split of one reader."""
        row_num = self.options.row_num
        if row_num <= 0:
            return []
        size = math.ceil(row_num / self.options.split_num)
        if self.rows is not None:
            return [len(self.rows[0])] * math.ceil(row_num / size)
        return [min(size, row_num - start) for start in range(0, row_num, size)]

    def generate(self, count: int, offset: int) -> tuple[list[tuple[Any, ...]], list[str] | None]:
        if self.rows is not None:
            values, kinds = self.rows
            end = offset + count
            only_inserts = all(kind == "+I" for kind in kinds)
            return values[offset:end], None if only_inserts else kinds[offset:end]
        if not self.generators:
            return [()] * count, None
        columns = [generate(count) for generate in self.generators]
        return list(zip(*columns, strict=True)), None

    def _explicit_rows(self, rows: Any) -> tuple[list[tuple[Any, ...]], list[str]] | None:
        if rows is None:
            return None
        if not isinstance(rows, list):
            raise PluginError("FakeSource: option 'rows' must be a list of {kind, fields} objects")
        values: list[tuple[Any, ...]] = []
        kinds: list[str] = []
        for position, row in enumerate(rows):
            kind = row.get("kind") if isinstance(row, Mapping) else None
            if kind is None:
                raise PluginError(
                    f"FakeSource: rows[{position}] has no kind; "
                    "set kind = INSERT, UPDATE_BEFORE, UPDATE_AFTER or DELETE"
                )
            if str(kind) not in KINDS_BY_NAME:
                raise PluginError(
                    f"No enum constant org.apache.seatunnel.api.table.type.RowKind.{kind}"
                )
            kinds.append(KINDS_BY_NAME[str(kind)])
            values.append(self._row_values(row.get("fields"), position))
        return values, kinds

    def _row_values(self, fields: Any, position: int) -> tuple[Any, ...]:
        assert self.schema is not None
        columns = self.schema.columns
        if isinstance(fields, Mapping):
            raw = [fields.get(column.name) for column in columns]
        elif isinstance(fields, list):
            raw = list(fields) + [None] * (len(columns) - len(fields))
        else:
            raise PluginError(f"FakeSource: rows[{position}].fields must be a list or an object")
        values = []
        for value, column in zip(raw, columns, strict=False):
            try:
                values.append(from_json(value, column.type))
            except ConversionError as exc:
                raise PluginError(
                    f"FakeSource source: rows[{position}], field '{column.name}': {exc}"
                ) from None
        return tuple(values)

    # Random values, a column at a time

    def _column_generator(self, column: Column) -> Generator:
        if column.has_default:
            return _default_generator(column)
        length = column.length if column.length is not None else self.options.string_length
        generate = self._generator(column.type, length)
        if column.scale is not None and column.type.name in ("FLOAT", "DOUBLE"):
            scale = column.scale
            return lambda n: [round(value, scale) for value in generate(n)]
        return generate

    def _generator(self, kind: DataType, string_length: int | None = None) -> Generator:
        name = kind.name
        options = self.options
        if name == "STRING":
            template = options.template("string.template")
            if template is not None:
                return lambda n: random.choices(template, k=n)
            return _string_generator(
                options.string_length if string_length is None else string_length
            )
        if name == "BOOLEAN":
            return lambda n: random.choices((True, False), k=n)
        if name in ("TINYINT", "SMALLINT", "INT", "BIGINT"):
            return self._integer_generator(name.lower())
        if name in ("FLOAT", "DOUBLE"):
            return self._float_generator(name.lower())
        if name == "DECIMAL":
            return _decimal_generator(kind.precision, kind.scale)
        if name == "NULL":
            return lambda n: [None] * n
        if name == "BYTES":
            letters = _string_generator(options.bytes_length)
            return lambda n: [value.encode("ascii") for value in letters(n)]
        if name in ("DATE", "TIME", "TIMESTAMP"):
            return self._temporal_generator(name)
        if name == "ARRAY":
            assert kind.element is not None
            return _chunked(self._generator(kind.element), options.array_size, list)
        if name == "MAP":
            assert kind.key is not None and kind.value is not None
            return _map_generator(
                self._generator(kind.key), self._generator(kind.value), options.map_size
            )
        if name == "ROW":
            parts = [self._generator(sub) for _, sub in kind.fields]
            return lambda n: list(zip(*(part(n) for part in parts), strict=True))
        raise PluginError(f"FakeSource cannot generate values of type {kind}")

    def _integer_generator(self, kind: str) -> Generator:
        template = self.options.template(f"{kind}.template")
        if template is not None:
            values = [int(value) for value in template]
            return lambda n: random.choices(values, k=n)
        low, high = (int(bound) for bound in self.options.bounds[kind])
        if high < low:
            raise PluginError("Start value must be smaller or equal to end value.")
        if high == low:
            return lambda n: [low] * n
        population = range(low, high)
        return lambda n: random.choices(population, k=n)

    def _float_generator(self, kind: str) -> Generator:
        template = self.options.template(f"{kind}.template")
        if template is not None:
            values = [float(value) for value in template]
            generate: Generator = lambda n: random.choices(values, k=n)  # noqa: E731
        else:
            low, high = self.options.bounds[kind]
            if high < low:
                raise PluginError("Start value must be smaller or equal to end value.")
            width = high - low
            draw = random.random
            generate = lambda n: [low + width * draw() for _ in range(n)]  # noqa: E731
        if kind == "float":
            return lambda n: [to_float32(value) for value in generate(n)]
        return generate

    def _temporal_generator(self, name: str) -> Generator:
        def pick(key: str, low: int, high: int) -> Generator:
            template = self.options.template(key)
            if template is not None:
                values = [int(value) for value in template]
                return lambda n: random.choices(values, k=n)
            population = range(low, high + 1)
            return lambda n: random.choices(population, k=n)

        year = pick("date.year.template", dt.date.today().year, dt.date.today().year)
        month, day = pick("date.month.template", 1, 12), pick("date.day.template", 1, 28)
        hour, minute = pick("time.hour.template", 0, 23), pick("time.minute.template", 0, 59)
        second = pick("time.second.template", 0, 59)
        if name == "DATE":
            return lambda n: [
                dt.date(*parts) for parts in zip(year(n), month(n), day(n), strict=True)
            ]
        if name == "TIME":
            return lambda n: [
                dt.time(*parts) for parts in zip(hour(n), minute(n), second(n), strict=True)
            ]
        return lambda n: [
            dt.datetime(*parts)
            for parts in zip(year(n), month(n), day(n), hour(n), minute(n), second(n), strict=True)
        ]


def _string_generator(length: int) -> Generator:
    if length <= 0:
        return lambda n: [""] * n

    def generate(n: int) -> list[str]:
        letters = "".join(random.choices(_LETTERS, k=length * n))
        return [letters[i : i + length] for i in range(0, length * n, length)]

    return generate


def _decimal_generator(precision: int, scale: int) -> Generator:
    whole = max(precision - scale, 0)
    width = whole + scale

    def generate(n: int) -> list[Decimal]:
        digits = "".join(random.choices(_DIGITS, k=width * n))
        return (
            [
                Decimal(f"{digits[i : i + whole] or '0'}.{digits[i + whole : i + width]}")
                for i in range(0, width * n, width)
            ]
            if width
            else [Decimal(0)] * n
        )

    return generate


def _chunked(element: Generator, size: int, container: Callable[[list[Any]], Any]) -> Generator:
    def generate(n: int) -> list[Any]:
        values = element(n * size)
        return [container(values[i : i + size]) for i in range(0, n * size, size)]

    return generate


def _map_generator(keys: Generator, values: Generator, size: int) -> Generator:
    def generate(n: int) -> list[dict[Any, Any]]:
        all_keys, all_values = keys(n * size), values(n * size)
        return [
            dict(zip(all_keys[i : i + size], all_values[i : i + size], strict=True))
            for i in range(0, n * size, size)
        ]

    return generate


def _default_generator(column: Column) -> Generator:
    raw = column.default
    special = str(raw).strip().upper() if isinstance(raw, str) else ""
    kind = column.type.name

    def now_value() -> Any:
        if kind == "DATE":
            return parse_date("CURRENT_DATE")
        if kind == "TIME":
            return parse_time("CURRENT_TIME")
        return parse_timestamp("CURRENT_TIMESTAMP")

    if special in ("CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP") and kind in (
        "DATE",
        "TIME",
        "TIMESTAMP",
    ):
        return lambda n: [now_value()] * n
    try:
        value = from_json(raw, column.type)
    except ConversionError as exc:
        raise PluginError(f"FakeSource: defaultValue of column '{column.name}': {exc}") from None
    return lambda n: [value] * n


class FakeSource(Source):
    """Generates `row.num` rows per reader and table, in `split.num` splits."""

    plugin_name = "FakeSource"

    def __init__(self, options: Mapping[str, Any], context: JobContext) -> None:
        super().__init__(options, context)
        configs = options.get("tables_configs")
        if isinstance(configs, list) and configs:
            self.fake_tables = [FakeTable(config, self) for config in configs]
            names = [table.schema.table_id for table in self.fake_tables if table.schema]
            if len(set(names)) != len(names):
                raise PluginError(f"table name: {names} must be unique")
        else:
            self.fake_tables = [FakeTable(options, self)]
        self.tables = [table.schema for table in self.fake_tables if table.schema is not None]

    def create_reader(self, index: int, parallelism: int, state: Any) -> SourceReader:
        return FakeReader(self, state, streaming=self.context.streaming)


class FakeReader(SourceReader):
    """Walks the splits of each table in turn; its position is (table, split, offset)."""

    def __init__(self, source: FakeSource, state: Any, *, streaming: bool) -> None:
        self.source = source
        self.streaming = streaming
        self.plan = [(table, table.splits()) for table in source.fake_tables]
        position = state or {}
        self.table = int(position.get("table", 0))
        self.split = int(position.get("split", 0))
        self.offset = int(position.get("offset", 0))
        self.last_split_start = 0.0
        self.finished = False

    def poll(self) -> Batch | None:
        while self.table < len(self.plan):
            table, splits = self.plan[self.table]
            if self.split >= len(splits):
                self.table, self.split, self.offset = self.table + 1, 0, 0
                continue
            if self.offset == 0 and not self._split_due(table):
                return None
            count = min(self.max_rows or BATCH_ROWS, splits[self.split] - self.offset)
            rows, kinds = table.generate(count, self.offset)
            self.offset += count
            if self.offset >= splits[self.split]:
                self.split, self.offset = self.split + 1, 0
            assert table.schema is not None
            return Batch(table.schema.table_id, rows, kinds)
        if not self.streaming:
            self.finished = True
        return None

    # NOTE: SeaTunnel's reader also sleeps 1 s after each split; the runner only keeps
    # `split.read-interval` between splits, so small jobs finish without that wait.
    def _split_due(self, table: FakeTable) -> bool:
        now = time.monotonic()
        if self.last_split_start and now - self.last_split_start < table.options.split_interval:
            return False
        self.last_split_start = now
        return True

    def snapshot(self) -> Any:
        return {"table": self.table, "split": self.split, "offset": self.offset}
