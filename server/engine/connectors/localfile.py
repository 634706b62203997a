"""LocalFile source and sink.

The sink writes each writer's rows into a staging folder. A checkpoint, or the end of a
bounded job, commits them by moving the files into `path`, as SeaTunnel's two-phase file
sink does, so `path` only ever contains committed files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tarfile
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from stconfig.server.engine.connectors import file_formats as formats
from stconfig.server.engine.errors import PluginError, required_options_error, seatunnel_error
from stconfig.server.engine.plugins import JobContext, Sink, SinkWriter, Source, SourceReader
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.types import (
    STRING,
    Column,
    TableSchema,
    parse_schema,
    table_identifier,
)

BATCH_ROWS = 2048
_FORMAT_OPTIONS = ("date_format", "datetime_format", "time_format")


def _format_options(plugin: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(plugin[key]) for key in _FORMAT_OPTIONS if plugin.get(key) is not None}


def _decode(value: Any, default: str) -> str:
    """Return a delimiter option's text; `\\u0001`-style escapes are already decoded by HOCON."""
    return default if value is None else str(value)


# Source


class LocalFileTable:
    """One table read from files: its options, schema and file list."""

    def __init__(self, options: Mapping[str, Any], context: JobContext) -> None:
        self.options = options
        self.context = context
        path = options.get("path")
        if path is None:
            raise PluginError(
                seatunnel_error(
                    "FILE-03", "Get file list failed", "Get file list from this path [null] failed"
                )
            )
        self.path = context.paths.check(str(path), "path")
        self.kind = formats.file_format(options.get("file_format_type"), None)
        default_delimiter = "," if self.kind == "csv" else "\x01"
        self.delimiter = _decode(
            options.get("field_delimiter", options.get("delimiter")), default_delimiter
        )
        self.encoding_name = str(options.get("encoding", "UTF-8"))
        self.encoding = _python_encoding(self.encoding_name)
        self.skip_header = int(options.get("skip_header_row_number", 0) or 0)
        self.formats = _format_options(options)
        self.archive = str(options.get("archive_compress_codec", "none")).lower()
        codec = str(options.get("compress_codec", "none")).lower()
        if self.kind in ("text", "csv", "json") and codec not in ("none",):
            raise PluginError(
                f"LocalFile: compress_codec {codec} is not supported by stconfig's runner"
            )
        pattern = options.get("file_filter_pattern")
        self.filter = re.compile(str(pattern)) if pattern else None
        self.parse_partitions = _as_bool(options.get("parse_partition_from_path", True))
        self.files = self._list_files()
        self.partitions = self._partition_names()
        # The file's full row (data columns, then partition columns), and the projection.
        self.full_schema = self._schema()
        read_columns = options.get("read_columns")
        names = [str(name) for name in read_columns] if read_columns else self.full_schema.names
        self.projection = _positions(self.full_schema, names)
        self.schema = self.full_schema.with_columns(
            [self.full_schema.columns[p] for p in self.projection]
        )
        self.identity = self.projection == list(range(len(self.full_schema.columns)))

    def _list_files(self) -> list[Path]:
        if not self.path.exists():
            raise PluginError(
                seatunnel_error(
                    "FILE-03",
                    "Get file list failed",
                    f"Get file list from this path [{self.options.get('path')}] failed",
                )
            )
        if self.path.is_file():
            return [self.path]
        files = []
        for root, dirs, names in os.walk(self.path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            for name in sorted(names):
                if name.startswith((".", "_")):
                    continue
                if self.filter is not None and not self.filter.fullmatch(name):
                    continue
                files.append(Path(root) / name)
        return files

    def _partition_names(self) -> list[str]:
        if not self.parse_partitions or not self.files:
            return []
        return [key for key, _ in _partitions_of(self.files[0], self.path)]

    def _schema(self) -> TableSchema:
        declared = parse_schema(self.options, None, required=False, catalog="LocalFile")
        if declared is None or (not declared.columns and self.kind in ("parquet", "orc")):
            if self.kind in ("text", "csv", "json"):
                raise PluginError(
                    "ErrorCode:[API-02], ErrorDescription:[Option item validate failed] - There "
                    "are unconfigured options, the options('schema') are required because "
                    "['file_format_type' == TEXT || 'file_format_type' == JSON || "
                    "'file_format_type' == EXCEL || 'file_format_type' == CSV || "
                    "'file_format_type' == XML] is true."
                )
            declared = self._arrow_schema(declared.table_id if declared else None)
        columns = list(declared.columns)
        names = {column.name for column in columns}
        columns += [Column(name, STRING) for name in self.partitions if name not in names]
        return declared.with_columns(columns)

    def _arrow_schema(self, table_id: str | None) -> TableSchema:
        table_id = table_id or table_identifier(None, self.options, None)
        if not self.files:
            return TableSchema(table_id, [], catalog="LocalFile")
        first = self.files[0]
        schema = formats.read_arrow_schema(first, self.shown_name(first), self.kind)
        columns = [Column(field.name, formats.arrow_type(field.type)) for field in schema]
        return TableSchema(table_id, columns, catalog="LocalFile")

    def rows(self, file_index: int) -> Iterator[tuple[Any, ...]]:
        path = self.files[file_index]
        partition_values = tuple(value for _, value in _partitions_of(path, self.path))
        partition_values = partition_values[: len(self.partitions)]
        data_width = len(self.full_schema.columns) - len(self.partitions)
        projection, identity = self.projection, self.identity
        for row in self._data_rows(path, data_width):
            if self.partitions:
                row = row + partition_values
            yield row if identity else tuple(row[p] for p in projection)

    def _data_rows(self, path: Path, data_width: int) -> Iterator[tuple[Any, ...]]:
        data_table = self.full_schema.with_columns(self.full_schema.columns[:data_width])
        if self.kind in ("parquet", "orc"):
            yield from self._arrow_rows(path, data_table)
            return
        for text_file in self._text_files(path):
            if self.kind == "json":
                yield from formats.read_json_rows(text_file, data_table)
            else:
                yield from formats.read_text_rows(
                    text_file, data_table, self.delimiter, self.formats, csv_mode=self.kind == "csv"
                )

    def shown_name(self, path: Path) -> str:
        """Return a file's name for messages: relative to the configured folder, if any."""
        if path == self.path:
            return path.name
        try:
            return str(path.relative_to(self.path))
        except ValueError:
            return str(path)

    def _text_files(self, path: Path) -> Iterator[formats.TextFile]:
        for member, raw in _archive_members(path, self.shown_name(path), self.archive):
            text = self._decode_text(member, raw)
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
            yield formats.TextFile(member, lines[self.skip_header :], self.skip_header + 1)

    def _decode_text(self, name: str, raw: bytes) -> str:
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            detail = (
                f"byte 0x{raw[exc.start]:02x} is not valid {self.encoding_name}; "
                "set the encoding option to the file's charset"
            )
            raise formats.line_error(name, line, detail) from None

    def _arrow_rows(self, path: Path, table: TableSchema) -> Iterator[tuple[Any, ...]]:
        names = [column.name for column in table.columns]
        data = formats.read_arrow_table(path, self.shown_name(path), self.kind, names or None)
        columns = []
        for column in table.columns:
            values = data.column(column.name).to_pylist()
            columns.append([formats.arrow_value(value, column.type) for value in values])
        yield from zip(*columns, strict=True)


def _positions(schema: TableSchema, names: list[str]) -> list[int]:
    positions = []
    for name in names:
        position = schema.index(name)
        if position < 0:
            raise PluginError(
                f"LocalFile: read_columns names '{name}', which is not a column "
                f"({', '.join(schema.names)})"
            )
        positions.append(position)
    return positions


def _partitions_of(path: Path, root: Path) -> list[tuple[str, str]]:
    try:
        parts = path.relative_to(root).parts[:-1]
    except ValueError:
        parts = path.parts[:-1]
    pairs = []
    for part in parts:
        key, sep, value = part.partition("=")
        if sep:
            pairs.append((key, value))
    return pairs


def _archive_members(path: Path, name: str, archive: str) -> Iterator[tuple[str, bytes]]:
    """Yield the name (as messages show it) and the bytes of each file in `path`."""
    try:
        if archive in ("none", ""):
            yield name, path.read_bytes()
        elif archive == "zip":
            with zipfile.ZipFile(path) as bundle:
                for member in sorted(bundle.namelist()):
                    if not member.endswith("/"):
                        yield f"{name} member {member}", bundle.read(member)
        elif archive in ("tar", "tar_gz"):
            with tarfile.open(path, "r:gz" if archive == "tar_gz" else "r:") as bundle:
                for item in sorted(bundle.getmembers(), key=lambda m: m.name):
                    handle = bundle.extractfile(item) if item.isfile() else None
                    if handle is not None:
                        yield f"{name} member {item.name}", handle.read()
        else:
            raise PluginError(
                f"LocalFile: archive_compress_codec {archive} is not supported; "
                "use zip, tar, tar_gz or none"
            )
    except OSError as exc:
        raise PluginError(f"LocalFile source: cannot read {name}: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise PluginError(
            f"LocalFile source: {name} is not a valid {archive} archive ({exc}); "
            "check archive_compress_codec"
        ) from None


def _python_encoding(name: Any) -> str:
    import codecs

    try:
        return codecs.lookup(str(name)).name
    except LookupError:
        raise PluginError(
            f"LocalFile: unknown encoding {name!r}; use a charset such as UTF-8 or GBK"
        ) from None


def _as_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


class LocalFileSource(Source):
    plugin_name = "LocalFile"

    def __init__(self, options: Mapping[str, Any], context: JobContext) -> None:
        super().__init__(options, context)
        configs = options.get("tables_configs")
        if isinstance(configs, list) and configs:
            self.file_tables = [LocalFileTable(config, context) for config in configs]
        else:
            self.file_tables = [LocalFileTable(options, context)]
        self.tables = [table.schema for table in self.file_tables]

    def create_reader(self, index: int, parallelism: int, state: Any) -> SourceReader:
        return LocalFileReader(self, index, parallelism, state)


class LocalFileReader(SourceReader):
    """Reads the files assigned to it (file i goes to reader i mod parallelism).

    Its position is the table, the file and the number of rows already read from it.
    """

    def __init__(self, source: LocalFileSource, index: int, parallelism: int, state: Any) -> None:
        self.work = [
            (table_index, file_index)
            for table_index, table in enumerate(source.file_tables)
            for file_index in range(len(table.files))
            if file_index % parallelism == index
        ]
        self.source = source
        position = state or {}
        self.item = int(position.get("item", 0))
        self.skip = int(position.get("rows", 0))
        self.rows_read = self.skip
        self.current: Iterator[tuple[Any, ...]] | None = None
        self.finished = False

    def poll(self) -> Batch | None:
        while self.item < len(self.work):
            table_index, file_index = self.work[self.item]
            table = self.source.file_tables[table_index]
            if self.current is None:
                self.current = table.rows(file_index)
                for _ in range(self.skip):
                    next(self.current, None)
                self.skip = 0
            rows = []
            limit = self.max_rows or BATCH_ROWS
            for row in self.current:
                rows.append(row)
                if len(rows) >= limit:
                    break
            if rows:
                self.rows_read += len(rows)
                return Batch(table.schema.table_id, rows)
            self.item, self.current, self.rows_read = self.item + 1, None, 0
        self.finished = True
        return None

    def snapshot(self) -> Any:
        return {"item": self.item, "rows": self.rows_read}


# Sink


class LocalFileSink(Sink):
    plugin_name = "LocalFile"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, tables: list[TableSchema]
    ) -> None:
        super().__init__(options, context, tables)
        if options.get("path") is None:
            raise required_options_error("path")
        self.path_template = str(options["path"])
        self.kind = formats.file_format(options.get("file_format_type"), "text")
        self.delimiter = (
            "," if self.kind == "csv" else _decode(options.get("field_delimiter"), "\x01")
        )
        self.row_delimiter = _decode(options.get("row_delimiter"), "\n")
        self.encoding = _python_encoding(options.get("encoding", "UTF-8"))
        self.formats = _format_options(options)
        self.header = self.bool_option("enable_header_write", False)
        self.batch_size = self.int_option("batch_size", 1_000_000)
        self.transactional = self.bool_option("is_enable_transaction", True)
        self.sink_columns = options.get("sink_columns")
        self.partition_by = [str(name) for name in options.get("partition_by") or []]
        self.have_partition = self.bool_option("have_partition", False)
        self.partition_in_file = self.bool_option("is_partition_field_write_in_file", False)
        self.partition_expression = options.get("partition_dir_expression")
        self.name_expression = str(options.get("file_name_expression", "${transactionId}"))
        self.custom_filename = self.bool_option("custom_filename", False)
        self.time_format = str(options.get("filename_time_format", "yyyy.MM.dd"))
        codec = str(options.get("compress_codec", "none")).lower()
        if codec not in ("none",) and self.kind in ("text", "csv", "json"):
            raise PluginError(
                f"LocalFile: compress_codec {codec} is not supported by stconfig's runner"
            )
        self.compression = None if codec == "none" else codec
        self.uuid_prefix = uuid.uuid4().hex[:10]
        staging = options.get("tmp_path")
        if staging is not None:
            self.staging = context.paths.check(str(staging), "tmp_path") / "seatunnel"
        else:
            self.staging = context.staging_dir
        self.staging = self.staging / str(context.job_id) / self.uuid_prefix
        self.targets = {table.table_id: self._target(table) for table in tables}
        self._prepare_targets(options.get("data_save_mode", "APPEND_DATA"))

    def _target(self, table: TableSchema) -> Path:
        parts = table.table_id.split(".")
        values = {
            "table_name": parts[-1],
            "database_name": parts[0] if len(parts) > 1 else "",
            "schema_name": parts[1] if len(parts) > 2 else "",
        }
        path = re.sub(
            r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), self.path_template
        )
        return self.context.paths.check(path, "path")

    def _prepare_targets(self, save_mode: Any) -> None:
        mode = str(save_mode).upper()
        for target in self.targets.values():
            try:
                if mode == "DROP_DATA" and target.is_dir():
                    shutil.rmtree(target)
                if mode == "ERROR_WHEN_DATA_EXISTS" and target.is_dir() and any(target.iterdir()):
                    raise PluginError(
                        f"LocalFile: {target} already contains data, and data_save_mode is "
                        "ERROR_WHEN_DATA_EXISTS"
                    )
                target.mkdir(parents=True, exist_ok=True)
                if not os.access(target, os.W_OK):
                    raise PermissionError(13, "Permission denied")
            except OSError as exc:
                raise PluginError(
                    f"LocalFile: cannot write to path {target}: {exc.strerror or exc}; "
                    "choose a folder this job may create and write"
                ) from None

    def create_writer(self, index: int) -> SinkWriter:
        return LocalFileWriter(self, index)

    def commit(self, infos: list[Any]) -> None:
        for info in infos:
            for staged, final in info:
                _move(Path(staged), Path(final))

    def file_name(self, transaction: str, part: int) -> str:
        if self.custom_filename:
            now = dt.datetime.now()
            name = self.name_expression.replace(
                "${now}", now.strftime(_python_time_format(self.time_format))
            )
            name = name.replace("${uuid}", uuid.uuid4().hex)
            name = name.replace("${transactionId}", transaction)
            if "${transactionId}" not in self.name_expression:
                name = f"{transaction}_{name}"
        else:
            name = transaction
        if part:
            name += f"_{part}"
        return f"{name}.{formats.SUFFIXES[self.kind]}"


def _python_time_format(pattern: str) -> str:
    for java, python in (
        ("yyyy", "%Y"),
        ("MM", "%m"),
        ("dd", "%d"),
        ("HH", "%H"),
        ("mm", "%M"),
        ("ss", "%S"),
    ):
        pattern = pattern.replace(java, python)
    return pattern


def _move(staged: Path, final: Path) -> None:
    """Move a staged file into place; a file already moved (by an earlier commit) is kept."""
    if not staged.exists():
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, final)
    except OSError:
        shutil.move(str(staged), str(final))


class _OpenFile:
    def __init__(self, staged: Path, final: Path) -> None:
        self.staged = staged
        self.final = final
        self.rows = 0
        self.handle: Any = None
        self.pending: list[tuple[Any, ...]] = []


class LocalFileWriter(SinkWriter):
    def __init__(self, sink: LocalFileSink, index: int) -> None:
        self.sink = sink
        self.index = index
        self.checkpoint_id = 1
        self.files: dict[tuple[str, str], _OpenFile] = {}
        self.closed: list[_OpenFile] = []
        self.part = 0
        self.tables = {table.table_id: table for table in sink.tables}
        self.layouts: dict[str, tuple[TableSchema, list[int], list[int]]] = {}
        self.encoders: dict[str, Any] = {}

    def transaction(self) -> str:
        sink = self.sink
        return f"T_{sink.context.job_id}_{sink.uuid_prefix}_{self.index}_{self.checkpoint_id}"

    def _layout(self, table_id: str) -> tuple[TableSchema, list[int], list[int]]:
        if table_id not in self.layouts:
            table = self.tables.get(table_id) or self.sink.tables[0]
            names = table.names
            wanted = (
                [str(n) for n in self.sink.sink_columns] if self.sink.sink_columns else list(names)
            )
            partitions = (
                [names.index(n) for n in self.sink.partition_by if n in names]
                if self.sink.have_partition
                else []
            )
            if partitions and not self.sink.partition_in_file:
                wanted = [n for n in wanted if n not in self.sink.partition_by]
            positions = [names.index(n) for n in wanted if n in names]
            out = table.with_columns([table.columns[p] for p in positions])
            self.layouts[table_id] = (out, positions, partitions)
        return self.layouts[table_id]

    def write(self, batch: Batch) -> int:
        out_table, positions, partitions = self._layout(batch.table_id)
        identity = positions == list(range(len(self.tables.get(batch.table_id, out_table).columns)))
        groups: dict[str, list[tuple[Any, ...]]] = {}
        for row in batch.rows:
            directory = self._partition_dir(row, partitions) if partitions else ""
            groups.setdefault(directory, []).append(
                row if identity else tuple(row[p] for p in positions)
            )
        for directory, rows in groups.items():
            self._append(batch.table_id, directory, out_table, rows)
        return len(batch.rows)

    def _partition_dir(self, row: tuple[Any, ...], partitions: list[int]) -> str:
        expression = self.sink.partition_expression
        table = self.sink.tables[0]
        if expression:
            text = str(expression)
            for i, p in enumerate(partitions):
                text = text.replace(f"${{k{i}}}", table.columns[p].name).replace(
                    f"${{v{i}}}", str(row[p])
                )
            return text.strip("/")
        return "/".join(f"{table.columns[p].name}={row[p]}" for p in partitions)

    def _append(
        self, table_id: str, directory: str, table: TableSchema, rows: list[tuple[Any, ...]]
    ) -> None:
        sink = self.sink
        while rows:
            current = self._open(table_id, directory, table)
            room = sink.batch_size - current.rows
            chunk, rows = rows[:room], rows[room:]
            self._write_rows(current, table_id, table, chunk)
            if current.rows >= sink.batch_size:
                self._close_file(table_id, directory)

    def _open(self, table_id: str, directory: str, table: TableSchema) -> _OpenFile:
        key = (table_id, directory)
        current = self.files.get(key)
        if current is None:
            sink = self.sink
            name = sink.file_name(self.transaction(), self.part)
            self.part += 1
            target_dir = sink.targets.get(table_id) or next(iter(sink.targets.values()))
            final = target_dir / directory / name if directory else target_dir / name
            if sink.transactional:
                staged = sink.staging / self.transaction() / (directory or ".") / name
            else:
                staged = final
            try:
                staged.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise PluginError(
                    f"LocalFile: cannot create {staged.parent}: {exc.strerror or exc}"
                ) from None
            current = self.files[key] = _OpenFile(staged, final)
        return current

    def _write_rows(
        self, current: _OpenFile, table_id: str, table: TableSchema, rows: list[tuple[Any, ...]]
    ) -> None:
        sink = self.sink
        if sink.kind in ("parquet", "orc"):
            current.pending.extend(rows)
            current.rows += len(rows)
            return
        encoder = self.encoders.get(table_id)
        if encoder is None:
            encoder = self.encoders[table_id] = formats.row_encoder(
                sink.kind, table, sink.delimiter, sink.formats, sink.encoding
            )
        data = encoder(rows)
        if sink.kind != "json" and sink.row_delimiter != "\n":
            data = (
                data.decode(sink.encoding).replace("\n", sink.row_delimiter).encode(sink.encoding)
            )
        try:
            if current.handle is None:
                current.handle = open(current.staged, "wb")  # noqa: SIM115
                if sink.header and sink.kind in ("text", "csv"):
                    current.handle.write(
                        (sink.delimiter.join(table.names) + sink.row_delimiter).encode(
                            sink.encoding
                        )
                    )
            elif sink.kind != "json":
                current.handle.write(sink.row_delimiter.encode(sink.encoding))
            if sink.kind != "json":
                data = data[: -len(sink.row_delimiter.encode(sink.encoding))]
            current.handle.write(data)
        except OSError as exc:
            raise PluginError(
                f"LocalFile: cannot write {current.staged}: {exc.strerror or exc}"
            ) from None
        current.rows += len(rows)

    def _close_file(self, table_id: str, directory: str) -> None:
        current = self.files.pop((table_id, directory))
        if current.pending:
            table = self._layout(table_id)[0]
            formats.write_arrow_file(current.staged, self.sink.kind, table, current.pending)
            current.pending = []
        if current.handle is not None:
            current.handle.close()
        self.closed.append(current)

    def prepare_commit(self, checkpoint_id: int) -> Any:
        for key in list(self.files):
            self._close_file(*key)
        files = [(str(f.staged), str(f.final)) for f in self.closed if f.staged != f.final]
        self.closed = []
        self.checkpoint_id = checkpoint_id + 1
        self.part = 0
        return files or None

    def abort(self) -> None:
        for current in list(self.files.values()) + self.closed:
            if current.handle is not None:
                current.handle.close()
            if current.staged != current.final and current.staged.exists():
                current.staged.unlink()
        self.files, self.closed = {}, []
