"""Reading and writing rows in the LocalFile formats: text, csv, json, parquet and orc.

Parquet and orc need the optional `pyarrow` package (`pip install 'stconfig[parquet]'`).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from stconfig.server.engine.errors import PluginError, invalid_value_error
from stconfig.server.engine.types import Column, DataType, TableSchema
from stconfig.server.engine.values import ConversionError, from_json, from_text, to_text

FORMATS = ("CSV", "TEXT", "PARQUET", "ORC", "JSON", "EXCEL", "XML", "BINARY")
SUPPORTED_FORMATS = ("text", "csv", "json", "parquet", "orc")
SUFFIXES = {"text": "txt", "csv": "csv", "json": "json", "parquet": "parquet", "orc": "orc"}


def file_format(value: Any, default: str | None) -> str:
    """Return the lower-case format name, with SeaTunnel's error for an unknown one."""
    if value is None:
        if default is None:
            raise PluginError(
                "There are unconfigured options, the options('file_format_type') are required."
            )
        return default
    name = str(value).strip().upper()
    if name not in FORMATS:
        raise invalid_value_error(
            "LocalFile",
            "file_format_type",
            value,
            "Could not parse value for enum class org.apache.seatunnel.connectors.seatunnel."
            "file.config.FileFormat. Expected one of: [[CSV, TEXT, PARQUET, ORC, JSON, EXCEL, "
            "XML, BINARY]]",
        )
    if name.lower() not in SUPPORTED_FORMATS:
        raise PluginError(
            f"LocalFile: file_format_type {name.lower()} is not supported by stconfig's runner; "
            f"use one of {', '.join(SUPPORTED_FORMATS)}, or run the job on a SeaTunnel cluster"
        )
    return name.lower()


def require_pyarrow(kind: str) -> Any:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.orc  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise PluginError(
            f"LocalFile: the {kind} format needs pyarrow; install it with "
            "pip install 'stconfig[parquet]'"
        ) from None
    return pyarrow


# Reading


def split_pattern(delimiter: str) -> Callable[[str], list[str]]:
    """Return a splitter for a Java-regex delimiter, using str.split when it is a plain string."""
    if re.escape(delimiter) == delimiter or len(delimiter) == 1:
        return lambda line: line.split(delimiter)
    pattern = re.compile(delimiter)
    return pattern.split


@dataclass(frozen=True)
class TextFile:
    """The lines of one text, csv or json file, and how error messages name them.

    `name` is the file as messages show it, and `first_line` is the 1-based line number
    of `lines[0]` in the file (header rows that are skipped come before it).
    """

    name: str
    lines: list[str]
    first_line: int = 1


def line_error(name: str, line: int, detail: str, field: str | None = None) -> PluginError:
    """Return the error for one line of a LocalFile input, naming the file and line."""
    place = f"{name} line {line}" if field is None else f"{name} line {line}, field '{field}'"
    return PluginError(f"LocalFile source: {place}: {detail}")


def read_text_rows(
    source: TextFile,
    table: TableSchema,
    delimiter: str,
    formats: Mapping[str, str],
    *,
    csv_mode: bool,
) -> Iterator[tuple[Any, ...]]:
    types = table.types
    if csv_mode:
        csv_delimiter = delimiter[:1] or ","

        def parts_of(line: str) -> list[str]:
            return next(csv.reader([line], delimiter=csv_delimiter))

    else:
        parts_of = split_pattern(delimiter)
    for number, line in enumerate(source.lines, start=source.first_line):
        parts = parts_of(line)
        if len(parts) < len(types):
            parts += [""] * (len(types) - len(parts))
        try:
            row = tuple(
                from_text(part, kind, formats) for part, kind in zip(parts, types, strict=False)
            )
        except ConversionError:
            raise _text_field_error(source.name, number, parts, table, formats) from None
        yield row


def _text_field_error(
    name: str, line: int, parts: list[str], table: TableSchema, formats: Mapping[str, str]
) -> PluginError:
    """Find the field of a line that cannot be converted, and return its error."""
    for part, column in zip(parts, table.columns, strict=False):
        try:
            from_text(part, column.type, formats)
        except ConversionError as exc:
            return line_error(name, line, str(exc), column.name)
    return line_error(name, line, "a field cannot be converted to its type")


def read_json_rows(source: TextFile, table: TableSchema) -> Iterator[tuple[Any, ...]]:
    columns = table.columns
    for number, line in enumerate(source.lines, start=source.first_line):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            detail = f"invalid JSON: {exc.msg} at column {exc.colno}"
            raise line_error(source.name, number, detail) from None
        if not isinstance(record, dict):
            detail = f"expected a JSON object, found {_json_kind(record)}"
            raise line_error(source.name, number, detail)
        row = []
        for column in columns:
            try:
                row.append(_json_field(record, column))
            except ConversionError as exc:
                raise line_error(source.name, number, str(exc), column.name) from None
        yield tuple(row)


def _json_field(record: Mapping[str, Any], column: Column) -> Any:
    value = record.get(column.name)
    if value is None:
        return None
    return from_json(value, column.type)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


# Arrow-based formats


def arrow_type(kind: Any) -> DataType:
    """Map a pyarrow type to a SeaTunnel type."""
    import pyarrow.types as types

    if types.is_boolean(kind):
        return DataType("BOOLEAN")
    for check, name in (
        (types.is_int8, "TINYINT"),
        (types.is_int16, "SMALLINT"),
        (types.is_int32, "INT"),
        (types.is_int64, "BIGINT"),
        (types.is_float32, "FLOAT"),
        (types.is_float64, "DOUBLE"),
        (types.is_date, "DATE"),
        (types.is_time, "TIME"),
        (types.is_timestamp, "TIMESTAMP"),
        (types.is_null, "NULL"),
    ):
        if check(kind):
            return DataType(name)
    if types.is_string(kind) or types.is_large_string(kind):
        return DataType("STRING")
    if types.is_binary(kind) or types.is_large_binary(kind) or types.is_fixed_size_binary(kind):
        return DataType("BYTES")
    if types.is_decimal(kind):
        return DataType("DECIMAL", precision=kind.precision, scale=kind.scale)
    if types.is_map(kind):
        return DataType("MAP", key=arrow_type(kind.key_type), value=arrow_type(kind.item_type))
    if types.is_list(kind) or types.is_large_list(kind):
        return DataType("ARRAY", element=arrow_type(kind.value_type))
    if types.is_struct(kind):
        return DataType(
            "ROW",
            fields=tuple(
                (kind.field(i).name, arrow_type(kind.field(i).type)) for i in range(kind.num_fields)
            ),
        )
    if types.is_integer(kind):
        return DataType("BIGINT")
    return DataType("STRING")


def arrow_value(value: Any, kind: DataType) -> Any:
    """Turn a value from `to_pylist` into the runner's value of `kind`."""
    if value is None:
        return None
    name = kind.name
    if name == "MAP" and kind.key is not None and kind.value is not None:
        pairs = value.items() if isinstance(value, dict) else value
        return {arrow_value(k, kind.key): arrow_value(v, kind.value) for k, v in pairs}
    if name == "ARRAY" and kind.element is not None:
        return [arrow_value(item, kind.element) for item in value]
    if name == "ROW":
        if isinstance(value, Mapping):
            return tuple(arrow_value(value.get(sub_name), sub) for sub_name, sub in kind.fields)
        return tuple(value)
    if name == "TIMESTAMP" and isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if name == "STRING" and not isinstance(value, str):
        return str(value)
    return value


def read_arrow_table(path: Path, name: str, kind: str, columns: list[str] | None) -> Any:
    """Read a parquet or orc file; `name` is how error messages show the file."""
    pa = require_pyarrow(kind)
    try:
        if kind == "parquet":
            return pa.parquet.read_table(path, columns=columns)
        return pa.orc.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise arrow_error(name, kind, exc) from None


def read_arrow_schema(path: Path, name: str, kind: str) -> Any:
    """Read the schema of a parquet or orc file; `name` is how error messages show the file."""
    pa = require_pyarrow(kind)
    try:
        if kind == "parquet":
            return pa.parquet.read_schema(path)
        return pa.orc.ORCFile(path).schema
    except (pa.ArrowException, OSError) as exc:
        raise arrow_error(name, kind, exc) from None


def arrow_error(name: str, kind: str, exc: Exception) -> PluginError:
    """Return the error for a parquet or orc file that pyarrow cannot read."""
    detail = " ".join(str(exc).split())
    return PluginError(f"LocalFile source: cannot read {name} as {kind}: {detail}")


# Writing


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def row_encoder(
    kind: str, table: TableSchema, delimiter: str, formats: Mapping[str, str], encoding: str
) -> Callable[[list[tuple[Any, ...]]], bytes]:
    """Return a function that encodes rows as the bytes of a text, csv or json file.

    Text and csv rows end with a newline here; the writer strips the final one, because
    SeaTunnel puts the row delimiter between rows.
    """
    if kind == "json":
        return _json_encoder(table)
    types = table.types
    simple = all(t.name == "STRING" for t in types)

    def encode(rows: list[tuple[Any, ...]]) -> bytes:
        if simple:
            lines = [delimiter.join(value or "" for value in row) for row in rows]
        else:
            lines = [
                delimiter.join(
                    to_text(value, t, formats) for value, t in zip(row, types, strict=False)
                )
                for row in rows
            ]
        return ("\n".join(lines) + "\n").encode(encoding)

    return encode


def _json_encoder(table: TableSchema) -> Callable[[list[tuple[Any, ...]]], bytes]:
    names = table.names
    nested = [(i, t) for i, t in enumerate(table.types) if t.name in ("ROW", "ARRAY", "MAP")]
    option = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
    dumps = orjson.dumps
    default = _json_default

    if not nested:

        def encode(rows: list[tuple[Any, ...]]) -> bytes:
            return b"".join(
                [
                    dumps(dict(zip(names, row, strict=False)), default=default, option=option)
                    for row in rows
                ]
            )

        return encode

    def encode_nested(rows: list[tuple[Any, ...]]) -> bytes:
        out = []
        for row in rows:
            record = dict(zip(names, row, strict=False))
            for i, t in nested:
                record[names[i]] = _json_ready(row[i], t)
            out.append(dumps(record, default=default, option=option))
        return b"".join(out)

    return encode_nested


def _json_ready(value: Any, kind: DataType) -> Any:
    if value is None:
        return None
    if kind.name == "ROW":
        return {
            name: _json_ready(item, sub)
            for item, (name, sub) in zip(value, kind.fields, strict=False)
        }
    if kind.name == "ARRAY" and kind.element is not None:
        return [_json_ready(item, kind.element) for item in value]
    if kind.name == "MAP" and kind.value is not None:
        return {key: _json_ready(item, kind.value) for key, item in value.items()}
    return value


def write_arrow_file(
    path: Path, kind: str, table: TableSchema, rows: list[tuple[Any, ...]]
) -> None:
    pa = require_pyarrow(kind)
    schema = pa.schema(
        [pa.field(column.name, _to_arrow(pa, column.type)) for column in table.columns]
    )
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in table.columns]
    arrays = [
        pa.array([_arrow_ready(v, column.type) for v in values], type=schema.field(i).type)
        for i, (values, column) in enumerate(zip(columns, table.columns, strict=True))
    ]
    data = pa.Table.from_arrays(arrays, schema=schema)
    if kind == "parquet":
        pa.parquet.write_table(data, path)
    else:
        pa.orc.write_table(data, path)


def _to_arrow(pa: Any, kind: DataType) -> Any:
    simple = {
        "STRING": pa.string(),
        "BOOLEAN": pa.bool_(),
        "TINYINT": pa.int8(),
        "SMALLINT": pa.int16(),
        "INT": pa.int32(),
        "BIGINT": pa.int64(),
        "FLOAT": pa.float32(),
        "DOUBLE": pa.float64(),
        "NULL": pa.null(),
        "BYTES": pa.binary(),
        "DATE": pa.date32(),
        "TIME": pa.time64("us"),
        "TIMESTAMP": pa.timestamp("us"),
    }
    if kind.name in simple:
        return simple[kind.name]
    if kind.name == "DECIMAL":
        return pa.decimal128(kind.precision, kind.scale)
    if kind.name == "ARRAY" and kind.element is not None:
        return pa.list_(_to_arrow(pa, kind.element))
    if kind.name == "MAP" and kind.key is not None and kind.value is not None:
        return pa.map_(_to_arrow(pa, kind.key), _to_arrow(pa, kind.value))
    return pa.struct([pa.field(name, _to_arrow(pa, sub)) for name, sub in kind.fields])


def _arrow_ready(value: Any, kind: DataType) -> Any:
    if value is None:
        return None
    if kind.name == "MAP" and kind.key is not None and kind.value is not None:
        return [(k, _arrow_ready(v, kind.value)) for k, v in value.items()]
    if kind.name == "ROW":
        return {
            name: _arrow_ready(item, sub)
            for item, (name, sub) in zip(value, kind.fields, strict=False)
        }
    return value
