"""Sql transform: one SELECT with WHERE over the rows of one table, row by row."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from stconfig.server.engine.errors import required_options_error
from stconfig.server.engine.plugins import JobContext, Transform
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.transforms.sql.compiler import Compiler
from stconfig.server.engine.transforms.sql.parser import ColumnRef, Star, parse_select
from stconfig.server.engine.types import Column, TableSchema

logger = logging.getLogger(__name__)


class Sql(Transform):
    plugin_name = "Sql"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        query = options.get("query")
        if query is None:
            raise required_options_error("query")
        sql = str(query)
        select = parse_select(sql)
        inputs = options.get("plugin_input", options.get("source_table_name"))
        expected = inputs[0] if isinstance(inputs, list) and inputs else inputs
        if expected and str(expected).split(",")[0].strip().lower() != select.table.lower():
            logger.warning(
                "Sql: the query reads table %s, but the transform's input is %s",
                select.table,
                expected,
            )
        compiler = Compiler(upstream, select.table, sql)
        columns: list[Column] = []
        evaluators = []
        for item in select.items:
            if isinstance(item.expression, Star):
                for position, column in enumerate(upstream.columns):
                    columns.append(column)
                    evaluators.append(lambda row, position=position: row[position])
                continue
            evaluate, kind = compiler.compile(item.expression)
            name = item.alias or _default_name(item.expression)
            source = _source_column(item.expression, upstream)
            if source is not None and item.alias is None and source.type == kind:
                columns.append(source)
            else:
                columns.append(Column(name, kind))
            evaluators.append(evaluate)
        self.evaluators = evaluators
        self.where = compiler.compile(select.where)[0] if select.where is not None else None
        self.schema = upstream.with_columns(columns)

    def process(self, batch: Batch) -> Batch | None:
        evaluators, where = self.evaluators, self.where
        rows = []
        kinds: list[str] | None = [] if batch.kinds is not None else None
        for position, row in enumerate(batch.rows):
            if where is not None and where(row) is not True:
                continue
            rows.append(tuple(evaluate(row) for evaluate in evaluators))
            if kinds is not None and batch.kinds is not None:
                kinds.append(batch.kinds[position])
        return batch.with_rows(rows, kinds)


def _default_name(expression: Any) -> str:
    if isinstance(expression, ColumnRef):
        return expression.parts[-1] if len(expression.parts) == 1 else expression.text
    return expression.text


def _source_column(expression: Any, upstream: TableSchema) -> Column | None:
    if isinstance(expression, ColumnRef) and len(expression.parts) == 1:
        position = upstream.index(expression.parts[0])
        return upstream.columns[position] if position >= 0 else None
    return None
