"""Console sink: one line per row on stdout, in SeaTunnel's format."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from stconfig.server.engine.plugins import JobContext, Sink, SinkWriter
from stconfig.server.engine.rows import KIND_NAMES, Batch
from stconfig.server.engine.types import DataType, TableSchema
from stconfig.server.engine.values import java_string

logger = logging.getLogger(__name__)


def render_value(value: Any, kind: DataType | None) -> str:
    """Render a value as SeaTunnel's Console sink prints it: null as an empty string."""
    if value is None:
        return ""
    return java_string(value, kind)


class Console(Sink):
    plugin_name = "Console"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, tables: list[TableSchema]
    ) -> None:
        super().__init__(options, context, tables)
        self.print_data = self.bool_option("log.print.data", True)
        self.delay = self.int_option("log.print.delay.ms", 0) / 1000

    def create_writer(self, index: int) -> SinkWriter:
        return ConsoleWriter(self, index)


class ConsoleWriter(SinkWriter):
    def __init__(self, sink: Console, index: int) -> None:
        self.sink = sink
        self.index = index
        self.row_index = 0
        self.types = {table.table_id: table.types for table in sink.tables}
        for table in sink.tables:
            logger.info("output rowType: %s", table.row_type_text())

    def write(self, batch: Batch) -> int:
        if not self.sink.print_data:
            self.row_index += len(batch.rows)
            return len(batch.rows)
        types = self.types.get(batch.table_id) or [None] * len(batch.rows[0])
        out = self.sink.context.stdout
        lines = []
        for position, row in enumerate(batch.rows):
            self.row_index += 1
            values = ", ".join(
                render_value(value, kind) for value, kind in zip(row, types, strict=False)
            )
            lines.append(
                f"subtaskIndex={self.index}  rowIndex={self.row_index}:  "
                f"SeaTunnelRow#tableId={batch.table_id} "
                f"SeaTunnelRow#kind={KIND_NAMES[batch.kind_of(position)]} : {values}\n"
            )
            if self.sink.delay:
                out.write(lines.pop())
                out.flush()
                time.sleep(self.sink.delay)
        out.write("".join(lines))
        out.flush()
        return len(batch.rows)
