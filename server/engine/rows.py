"""Batches of rows, the unit that flows between plugins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Row kinds: the short form SeaTunnel prints in changelogs, and the enum names of configs.
INSERT = "+I"
UPDATE_BEFORE = "-U"
UPDATE_AFTER = "+U"
DELETE = "-D"
KIND_NAMES = {
    INSERT: "INSERT",
    UPDATE_BEFORE: "UPDATE_BEFORE",
    UPDATE_AFTER: "UPDATE_AFTER",
    DELETE: "DELETE",
}
KINDS_BY_NAME = {name: short for short, name in KIND_NAMES.items()}


@dataclass
class Batch:
    """Rows of one table, in order.

    `rows` contains one tuple per row in the table's column order. `kinds` contains the row kind
    of each row, or is None when every row is an INSERT (the common case, kept cheap).
    """

    table_id: str
    rows: list[tuple[Any, ...]]
    kinds: list[str] | None = None
    # Size of the rows in bytes, computed once, by the first code that counts them.
    nbytes: int | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def kind_of(self, position: int) -> str:
        return INSERT if self.kinds is None else self.kinds[position]

    def with_rows(self, rows: list[tuple[Any, ...]], kinds: list[str] | None) -> Batch:
        return Batch(self.table_id, rows, kinds)
