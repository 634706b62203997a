"""Transforms that pick, rename or copy columns: Copy, Filter and FieldMapper."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from stconfig.server.engine.errors import PluginError, option_error, seatunnel_error
from stconfig.server.engine.plugins import JobContext, Transform
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.types import TableSchema


def fields_not_found(transform: str, names: list[str]) -> PluginError:
    """Return SeaTunnel's error for input fields missing from the upstream schema."""
    if len(names) == 1:
        return PluginError(
            seatunnel_error(
                "TRANSFORM_COMMON-01",
                f"The input field '{names[0]}' of '{transform}' transform not found in "
                "upstream schema",
            )
        )
    return PluginError(
        seatunnel_error(
            "TRANSFORM_COMMON-02",
            f"The input fields '{','.join(names)}' of '{transform}' transform not found in "
            "upstream schema",
        )
    )


def positions(table: TableSchema, names: list[str], transform: str) -> list[int]:
    """Return the column positions of `names`, or raise naming every missing one."""
    found = [table.index(name) for name in names]
    missing = [name for name, position in zip(names, found, strict=True) if position < 0]
    if missing:
        raise fields_not_found(transform, missing)
    return found


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item) for item in value or []]


class Copy(Transform):
    """Append copies of columns (`fields`: NEW_NAME = SOURCE_NAME)."""

    plugin_name = "Copy"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        fields = options.get("fields")
        if isinstance(fields, Mapping) and fields:
            pairs = [(str(new), str(old)) for new, old in fields.items()]
        elif options.get("src_field") is not None and options.get("dest_field") is not None:
            pairs = [(str(options["dest_field"]), str(options["src_field"]))]
        else:
            raise option_error(
                "There are unconfigured options, the options('fields') are required; "
                "set fields { new_name = source_name }"
            )
        sources = positions(upstream, [old for _, old in pairs], "Copy")
        columns = list(upstream.columns)
        # Each output column: the position of its value in the output row, and its source.
        self.plan: list[tuple[int, int]] = []
        for (new, _), source in zip(pairs, sources, strict=True):
            column = copy.copy(upstream.columns[source])
            column.name = new
            existing = next((i for i, c in enumerate(columns) if c.name == new), -1)
            if existing >= 0:
                columns[existing] = column
                self.plan.append((existing, source))
            else:
                columns.append(column)
                self.plan.append((len(columns) - 1, source))
        self.width = len(columns)
        self.schema = upstream.with_columns(columns)

    def process(self, batch: Batch) -> Batch:
        rows = []
        width = self.width
        for row in batch.rows:
            values = list(row) + [None] * (width - len(row))
            for target, source in self.plan:
                values[target] = copy.deepcopy(row[source])
            rows.append(tuple(values))
        return batch.with_rows(rows, batch.kinds)


class Filter(Transform):
    """Keep `include_fields` in their listed order, or drop `exclude_fields`."""

    plugin_name = "Filter"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        include = options.get("include_fields", options.get("fields"))
        exclude = options.get("exclude_fields")
        if (include is None) == (exclude is None):
            prefix = "There are unconfigured options, these" if include is None else "These"
            raise option_error(
                f"{prefix} options('include_fields', 'exclude_fields') are mutually exclusive, "
                'allowing only one set("[] for a set") of options to be configured.'
            )
        if include is not None:
            keep = positions(upstream, _names(include), "Filter")
        else:
            dropped = set(positions(upstream, _names(exclude), "Filter"))
            keep = [i for i in range(len(upstream.columns)) if i not in dropped]
        self.schema = upstream.with_columns([upstream.columns[i] for i in keep])
        self.pick = _picker(keep)

    def process(self, batch: Batch) -> Batch:
        return batch.with_rows([self.pick(row) for row in batch.rows], batch.kinds)


class FieldMapper(Transform):
    """Output exactly the mapped columns (`field_mapper`: INPUT_NAME = OUTPUT_NAME)."""

    plugin_name = "FieldMapper"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        mapping = options.get("field_mapper")
        if not isinstance(mapping, Mapping) or not mapping:
            raise option_error(
                "There are unconfigured options, the options('field_mapper') are required."
            )
        keep = positions(upstream, [str(name) for name in mapping], "FieldMapper")
        columns = []
        for position, output in zip(keep, mapping.values(), strict=True):
            column = copy.copy(upstream.columns[position])
            column.name = str(output)
            columns.append(column)
        self.schema = upstream.with_columns(columns)
        self.pick = _picker(keep)

    def process(self, batch: Batch) -> Batch:
        return batch.with_rows([self.pick(row) for row in batch.rows], batch.kinds)


def _picker(keep: list[int]) -> Any:
    if not keep:
        return lambda row: ()
    if len(keep) == 1:
        position = keep[0]
        return lambda row: (row[position],)
    return itemgetter(*keep)
