"""FilterRowKind: keep or drop rows by their row kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stconfig.server.engine.errors import PluginError, option_error
from stconfig.server.engine.plugins import JobContext, Transform
from stconfig.server.engine.rows import INSERT, KINDS_BY_NAME, Batch
from stconfig.server.engine.types import TableSchema


def _kinds(value: Any, option: str) -> set[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    kinds = set()
    for item in items:
        name = str(item).strip().upper()
        if name not in KINDS_BY_NAME:
            raise PluginError(
                f"option '{option}' has {item!r}; row kinds are "
                "INSERT, UPDATE_BEFORE, UPDATE_AFTER and DELETE"
            )
        kinds.add(KINDS_BY_NAME[name])
    return kinds


class FilterRowKind(Transform):
    plugin_name = "FilterRowKind"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        include = options.get("include_kinds")
        exclude = options.get("exclude_kinds")
        if (include is None) == (exclude is None):
            prefix = "There are unconfigured options, these" if include is None else "These"
            raise option_error(
                f"{prefix} options('include_kinds', 'exclude_kinds') are mutually exclusive, "
                'allowing only one set("[] for a set") of options to be configured.'
            )
        if include is not None:
            wanted = _kinds(include, "include_kinds")
        else:
            wanted = set(KINDS_BY_NAME.values()) - _kinds(exclude, "exclude_kinds")
        self.wanted = wanted

    def process(self, batch: Batch) -> Batch | None:
        if batch.kinds is None:
            return batch if INSERT in self.wanted else None
        pairs = [
            (row, kind)
            for row, kind in zip(batch.rows, batch.kinds, strict=True)
            if kind in self.wanted
        ]
        return batch.with_rows([row for row, _ in pairs], [kind for _, kind in pairs])
