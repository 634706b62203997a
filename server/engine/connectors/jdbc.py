"""Jdbc source and sink for SQLite databases (`jdbc:sqlite:<file>` URLs).

The runner speaks to SQLite through Python's standard `sqlite3` module; other JDBC URLs
are rejected with an error naming the supported form. The sink writes inside one transaction per
checkpoint, so rows become visible when a checkpoint, savepoint or the end of the job
commits them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stconfig.server.engine.errors import (
    PluginError,
    one_line,
    option_error,
    required_options_error,
)
from stconfig.server.engine.plugins import JobContext, Sink, SinkWriter, Source, SourceReader
from stconfig.server.engine.rows import DELETE, UPDATE_BEFORE, Batch
from stconfig.server.engine.types import Column, DataType, TableSchema
from stconfig.server.engine.values import ConversionError, from_json

BATCH_ROWS = 2048
_PREFIX = "jdbc:sqlite:"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def sqlite_path(url: Any, context: JobContext) -> str:
    """Return the database file of a `jdbc:sqlite:` URL, checked against the allowed roots."""
    text = str(url or "")
    if not text.startswith(_PREFIX):
        raise PluginError(
            "Jdbc: the runner supports only SQLite URLs such as jdbc:sqlite:/data/app.db; "
            "run jobs for other databases on a SeaTunnel cluster"
        )
    location = text[len(_PREFIX) :].split("?", 1)[0]
    if location in ("", ":memory:"):
        return ":memory:"
    return str(context.paths.check(location, "url"))


def _connect(path: str) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED")
    except sqlite3.Error as exc:
        raise PluginError(f"Jdbc: cannot open SQLite database {path}: {exc}") from None
    return connection


def _declared_type(declared: str | None) -> DataType:
    text = (declared or "").upper()
    match = re.match(r"(DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)", text)
    if match:
        return DataType("DECIMAL", precision=int(match.group(2)), scale=int(match.group(3)))
    for word, name in (
        ("BOOL", "BOOLEAN"),
        ("TINYINT", "TINYINT"),
        ("SMALLINT", "SMALLINT"),
        ("BIGINT", "BIGINT"),
        ("INT", "BIGINT"),
        ("DATETIME", "TIMESTAMP"),
        ("TIMESTAMP", "TIMESTAMP"),
        ("DATE", "DATE"),
        ("TIME", "TIME"),
        ("FLOAT", "DOUBLE"),
        ("DOUBLE", "DOUBLE"),
        ("REAL", "DOUBLE"),
        ("BLOB", "BYTES"),
        ("DECIMAL", "DECIMAL"),
        ("NUMERIC", "DECIMAL"),
    ):
        if word in text:
            if name == "DECIMAL":
                return DataType("DECIMAL", precision=38, scale=18)
            return DataType(name)
    return DataType("STRING")


def _value_from_sqlite(value: Any, kind: DataType) -> Any:
    if value is None:
        return None
    if kind.name == "BYTES":
        return bytes(value) if not isinstance(value, str) else value.encode("utf-8")
    if kind.name == "STRING" and not isinstance(value, str):
        return str(value)
    return from_json(value, kind)


def _row_from_sqlite(raw: tuple[Any, ...], table: TableSchema, number: int) -> tuple[Any, ...]:
    """Convert one result row; `number` is its 1-based position in the query's result."""
    row = []
    for value, column in zip(raw, table.columns, strict=False):
        try:
            row.append(_value_from_sqlite(value, column.type))
        except ConversionError as exc:
            raise PluginError(
                f"Jdbc source: row {number} of the query result, field '{column.name}': {exc}"
            ) from None
    return tuple(row)


def _value_to_sqlite(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bytes):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return json.dumps(value, default=str)


# Source


class JdbcSource(Source):
    plugin_name = "Jdbc"

    def __init__(self, options: Mapping[str, Any], context: JobContext) -> None:
        super().__init__(options, context)
        missing = [key for key in ("url", "driver") if options.get(key) is None]
        if missing:
            raise required_options_error(*missing)
        self.database = sqlite_path(options["url"], context)
        query, table_path = options.get("query"), options.get("table_path")
        if query is None and table_path is None:
            raise PluginError(
                "Either table path or query must be specified in source configuration."
            )
        if query is None:
            if not _NAME.fullmatch(str(table_path)):
                raise PluginError(f"Jdbc: table_path {table_path!r} is not a table name")
            query = f"SELECT * FROM {table_path}"
        where = options.get("where_condition")
        if where:
            query = f"SELECT * FROM ({query}) {where}"
        self.query = str(query)
        table_id = (
            str(table_path)
            if table_path
            else str(
                options.get(
                    "plugin_output", options.get("result_table_name", "default.default.default")
                )
            )
        )
        self.tables = [TableSchema(table_id, self._columns(), catalog="Jdbc")]

    def _columns(self) -> list[Column]:
        connection = _connect(self.database)
        try:
            connection.execute(f"CREATE TEMP VIEW stconfig_query AS {self.query}")
            info = connection.execute("PRAGMA table_info(stconfig_query)").fetchall()
        except sqlite3.Error as exc:
            raise PluginError(f"Jdbc: query failed: {exc}: {one_line(self.query)}") from None
        finally:
            connection.close()
        return [Column(str(row[1]), _declared_type(row[2])) for row in info]

    def create_reader(self, index: int, parallelism: int, state: Any) -> SourceReader:
        return JdbcReader(self, active=index == 0, offset=int((state or {}).get("rows", 0)))


class JdbcReader(SourceReader):
    """Reads the query's rows in order; its position is the number of rows read."""

    def __init__(self, source: JdbcSource, *, active: bool, offset: int) -> None:
        self.source = source
        self.rows_read = offset
        self.finished = not active
        self.cursor: sqlite3.Cursor | None = None
        self.connection: sqlite3.Connection | None = None

    def poll(self) -> Batch | None:
        if self.finished:
            return None
        if self.cursor is None:
            self.connection = _connect(self.source.database)
            try:
                self.cursor = self.connection.execute(
                    f"SELECT * FROM ({self.source.query}) LIMIT -1 OFFSET ?", (self.rows_read,)
                )
            except sqlite3.Error as exc:
                raise PluginError(
                    f"Jdbc: query failed: {exc}: {one_line(self.source.query)}"
                ) from None
        try:
            raw = self.cursor.fetchmany(self.max_rows or BATCH_ROWS)
        except sqlite3.Error as exc:
            raise PluginError(
                f"Jdbc source: reading row {self.rows_read + 1} of the query result failed: {exc}"
            ) from None
        if not raw:
            self.finished = True
            self.close()
            return None
        table = self.source.tables[0]
        first = self.rows_read + 1
        rows = [_row_from_sqlite(row, table, first + offset) for offset, row in enumerate(raw)]
        self.rows_read += len(rows)
        return Batch(table.table_id, rows)

    def snapshot(self) -> Any:
        return {"rows": self.rows_read}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection, self.cursor = None, None


# Sink


class JdbcSink(Sink):
    plugin_name = "Jdbc"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, tables: list[TableSchema]
    ) -> None:
        super().__init__(options, context, tables)
        missing = [key for key in ("url", "driver") if options.get(key) is None]
        if missing:
            raise required_options_error(*missing)
        self.database = sqlite_path(options["url"], context)
        generate = self.bool_option("generate_sink_sql", False)
        self.table = tables[0]
        self.primary_keys = [str(k) for k in options.get("primary_keys") or self.table.primary_key]
        if generate:
            if options.get("database") is None:
                raise option_error(
                    "There are unconfigured options, the options('database') are required "
                    "because ['generate_sink_sql' == true] is true."
                )
            self.target = str(options.get("table") or self.table.table_id.split(".")[-1])
            if not _NAME.fullmatch(self.target):
                raise PluginError(f"Jdbc: table {self.target!r} is not a table name")
            self.insert = self._generated_insert()
            self._create_table()
        else:
            if options.get("query") is None:
                raise option_error(
                    "There are unconfigured options, the options('query') are required "
                    "because ['generate_sink_sql' == false] is true."
                )
            self.target = ""
            self.insert = str(options["query"])

    def _generated_insert(self) -> str:
        names = ", ".join(f'"{name}"' for name in self.table.names)
        marks = ", ".join("?" for _ in self.table.names)
        verb = "INSERT OR REPLACE" if self.primary_keys else "INSERT"
        return f'{verb} INTO "{self.target}" ({names}) VALUES ({marks})'

    def _create_table(self) -> None:
        columns = ", ".join(f'"{c.name}" {_sqlite_type(c.type)}' for c in self.table.columns)
        if self.primary_keys:
            columns += ", PRIMARY KEY (" + ", ".join(f'"{k}"' for k in self.primary_keys) + ")"
        connection = _connect(self.database)
        try:
            with connection:
                connection.execute(f'CREATE TABLE IF NOT EXISTS "{self.target}" ({columns})')
        except sqlite3.Error as exc:
            raise PluginError(f"Jdbc: cannot create table {self.target}: {exc}") from None
        finally:
            connection.close()

    def create_writer(self, index: int) -> SinkWriter:
        return JdbcWriter(self)


def _sqlite_type(kind: DataType) -> str:
    return {
        "STRING": "TEXT",
        "BOOLEAN": "BOOLEAN",
        "TINYINT": "TINYINT",
        "SMALLINT": "SMALLINT",
        "INT": "INTEGER",
        "BIGINT": "BIGINT",
        "FLOAT": "FLOAT",
        "DOUBLE": "DOUBLE",
        "DATE": "DATE",
        "TIME": "TIME",
        "TIMESTAMP": "TIMESTAMP",
        "BYTES": "BLOB",
    }.get(
        kind.name, f"DECIMAL({kind.precision}, {kind.scale})" if kind.name == "DECIMAL" else "TEXT"
    )


class JdbcWriter(SinkWriter):
    def __init__(self, sink: JdbcSink) -> None:
        self.sink = sink
        self.connection = _connect(sink.database)
        keys = [sink.table.index(name) for name in sink.primary_keys]
        self.key_positions = [k for k in keys if k >= 0]

    def write(self, batch: Batch) -> int:
        sink = self.sink
        inserts, deletes = [], []
        for position, row in enumerate(batch.rows):
            kind = batch.kind_of(position)
            if kind == UPDATE_BEFORE:
                continue
            values = [_value_to_sqlite(value) for value in row]
            if kind == DELETE:
                if sink.target and self.key_positions:
                    deletes.append([values[k] for k in self.key_positions])
                continue
            inserts.append(values)
        try:
            if inserts:
                self.connection.executemany(sink.insert, inserts)
            if deletes:
                where = " AND ".join(
                    f'"{sink.primary_keys[i]}" = ?' for i in range(len(self.key_positions))
                )
                self.connection.executemany(f'DELETE FROM "{sink.target}" WHERE {where}', deletes)
        except sqlite3.Error as exc:
            raise PluginError(
                f"Jdbc: writing to {sink.target or 'the database'} failed: {exc}"
            ) from None
        return len(batch.rows)

    def prepare_commit(self, checkpoint_id: int) -> Any:
        # NOTE: the rows are committed before the checkpoint is stored, so a worker killed
        # between the two writes them again after a restore. Savepoints are not affected.
        self._commit()
        return None

    def finish(self) -> None:
        self._commit()

    def _commit(self) -> None:
        try:
            self.connection.commit()
        except sqlite3.Error as exc:
            raise PluginError(f"Jdbc: commit failed: {exc}") from None

    def abort(self) -> None:
        self.connection.rollback()

    def close(self) -> None:
        self.connection.close()
