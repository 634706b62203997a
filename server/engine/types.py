"""SeaTunnel data types, type strings and the `schema` block of a plugin.

A row is a tuple of Python values, one per column, in schema order. The Python value of
each type: STRING str, BOOLEAN bool, TINYINT to BIGINT int, FLOAT and DOUBLE float,
DECIMAL `decimal.Decimal`, BYTES bytes, DATE `datetime.date`, TIME `datetime.time`,
TIMESTAMP naive `datetime.datetime`, ARRAY list, MAP dict, ROW tuple, NULL None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stconfig.server.engine.errors import PluginError, seatunnel_error

SIMPLE_TYPES = (
    "STRING",
    "BOOLEAN",
    "TINYINT",
    "SMALLINT",
    "INT",
    "BIGINT",
    "FLOAT",
    "DOUBLE",
    "NULL",
    "BYTES",
    "DATE",
    "TIME",
    "TIMESTAMP",
)
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INT", "BIGINT")
NUMERIC_TYPES = (*INTEGER_TYPES, "FLOAT", "DOUBLE", "DECIMAL")
ARRAY_ELEMENT_TYPES = (
    "STRING",
    "BOOLEAN",
    "TINYINT",
    "SMALLINT",
    "INT",
    "BIGINT",
    "FLOAT",
    "DOUBLE",
)
_ALIASES = {"LONG": "BIGINT", "SHORT": "SMALLINT", "BYTE": "TINYINT"}
INTEGER_RANGES = {
    "TINYINT": (-(2**7), 2**7 - 1),
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INT": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True)
class DataType:
    """One SeaTunnel data type; `element`, `key`, `value` and `fields` describe nested types."""

    name: str
    precision: int = 0
    scale: int = 0
    element: DataType | None = None
    key: DataType | None = None
    value: DataType | None = None
    fields: tuple[tuple[str, DataType], ...] = ()

    def __str__(self) -> str:
        if self.name == "DECIMAL":
            return f"DECIMAL({self.precision}, {self.scale})"
        if self.name == "ARRAY":
            return f"ARRAY<{self.element}>"
        if self.name == "MAP":
            return f"MAP<{self.key}, {self.value}>"
        if self.name == "ROW":
            return "ROW<" + ", ".join(f"{name} {kind}" for name, kind in self.fields) + ">"
        return self.name


STRING = DataType("STRING")
BOOLEAN = DataType("BOOLEAN")
INT = DataType("INT")
BIGINT = DataType("BIGINT")
DOUBLE = DataType("DOUBLE")
FLOAT = DataType("FLOAT")
NULL = DataType("NULL")
DATE = DataType("DATE")
TIME = DataType("TIME")
TIMESTAMP = DataType("TIMESTAMP")
BYTES = DataType("BYTES")


@dataclass
class Column:
    """One column of a table: its name, type, and the options of the `columns` form."""

    name: str
    type: DataType
    nullable: bool = True
    default: Any = None
    has_default: bool = False
    length: int | None = None
    scale: int | None = None
    comment: str | None = None


@dataclass
class TableSchema:
    """A table: its id (`db.table` or `table`), its columns and its primary key."""

    table_id: str
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)
    primary_key_name: str | None = None
    constraint_keys: list[dict[str, Any]] = field(default_factory=list)
    catalog: str = ""

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def types(self) -> list[DataType]:
        return [column.type for column in self.columns]

    def index(self, name: str) -> int:
        """Return the position of column `name`, or -1 when there is none."""
        for position, column in enumerate(self.columns):
            if column.name == name:
                return position
        return -1

    def with_columns(self, columns: list[Column]) -> TableSchema:
        """Return this table with other columns; keys survive only if all their columns do."""
        names = {column.name for column in columns}
        keep_key = bool(self.primary_key) and all(name in names for name in self.primary_key)
        constraints = [
            key
            for key in self.constraint_keys
            if all(item.get("columnName") in names for item in key.get("constraintColumns") or [])
        ]
        return TableSchema(
            self.table_id,
            columns,
            list(self.primary_key) if keep_key else [],
            self.primary_key_name if keep_key else None,
            constraints,
            self.catalog,
        )

    def row_type_text(self) -> str:
        """Return the column list as SeaTunnel logs it: `name<STRING>, age<INT>`."""
        return ", ".join(f"{column.name}<{column.type}>" for column in self.columns)


def unsupported_type(declared: Any, field_name: str) -> PluginError:
    return PluginError(
        seatunnel_error(
            "COMMON-07", f"'SeaTunnel' unsupported data type '{declared}' of '{field_name}'"
        )
    )


def parse_type(declared: Any, field_name: str) -> DataType:
    """Parse a SeaTunnel type string, or a nested object meaning a row type."""
    if isinstance(declared, Mapping):
        return DataType("ROW", fields=parse_fields(declared))
    if not isinstance(declared, str):
        raise PluginError(
            f"the type of field '{field_name}' is {declared!r}, not a type string; "
            'quote it, for example "null" or "int"'
        )
    text = declared.strip()
    text = _ALIASES.get(text.upper(), text)
    compact = re.sub(r"\s+", "", text).upper()
    if compact in SIMPLE_TYPES:
        return DataType(compact)
    if compact.startswith("DECIMAL(") and compact.endswith(")"):
        return _parse_decimal(compact, declared, field_name)
    if compact.startswith("ARRAY<") and compact.endswith(">"):
        element = parse_type(text[text.index("<") + 1 : text.rindex(">")], field_name)
        if element.name not in ARRAY_ELEMENT_TYPES:
            raise unsupported_type(declared, field_name)
        return DataType("ARRAY", element=element)
    if compact.startswith("MAP<") and compact.endswith(">"):
        return _parse_map(text, declared, field_name)
    if text.startswith("{"):
        return DataType("ROW", fields=parse_fields(_parse_row_text(text, field_name)))
    raise unsupported_type(declared, field_name)


def _parse_decimal(compact: str, declared: Any, field_name: str) -> DataType:
    parts = compact[len("DECIMAL(") : -1].split(",")
    if len(parts) < 2:
        raise PluginError("Decimal type should assign precision and scale information")
    precision = re.sub(r"\D", "", parts[0])
    scale = re.sub(r"\D", "", parts[1])
    if not precision or not scale:
        raise unsupported_type(declared, field_name)
    return DataType("DECIMAL", precision=int(precision), scale=int(scale))


def _parse_map(text: str, declared: Any, field_name: str) -> DataType:
    inner = text[text.index("<") + 1 : text.rindex(">")].strip()
    comma = inner.find(",")
    if inner.upper().startswith("DECIMAL"):
        comma = inner.find(",", comma + 1)
    if comma < 0:
        raise unsupported_type(declared, field_name)
    key = parse_type(inner[:comma], field_name)
    value = parse_type(inner[comma + 1 :], field_name)
    return DataType("MAP", key=key, value=value)


def _parse_row_text(text: str, field_name: str) -> Mapping[str, Any]:
    from stconfig.config import loads
    from stconfig.errors import StconfigError

    try:
        data = loads(text, name=f"type of {field_name}", job=False).data
    except StconfigError as exc:
        raise PluginError(f"Unsupported parse SeaTunnel Type from '{text}': {exc}") from None
    return data


def parse_fields(fields: Mapping[str, Any]) -> tuple[tuple[str, DataType], ...]:
    return tuple((name, parse_type(kind, name)) for name, kind in fields.items())


def _schema_missing(option: str) -> PluginError:
    return PluginError(f"Schema config need option [{option}], please correct your config first")


def parse_schema(
    options: Mapping[str, Any],
    default_table: str | None,
    *,
    required: bool = True,
    catalog: str = "",
) -> TableSchema | None:
    """Build the table of a plugin from its `schema` option (`fields` or `columns` form)."""
    schema = options.get("schema")
    if not isinstance(schema, Mapping):
        if required:
            raise _schema_missing("schema")
        return None
    if "fields" in schema and "columns" in schema:
        raise PluginError(
            "Schema config can't contains both [fields] and [columns], "
            "please correct your config first"
        )
    if "columns" in schema:
        columns = [_parse_column(item) for item in schema["columns"] or []]
    else:
        fields = schema.get("fields") or {}
        columns = [Column(name, kind) for name, kind in parse_fields(fields)]
    table_id = table_identifier(schema.get("table"), options, default_table)
    key_name, key_columns = _primary_key(schema)
    constraints = schema.get("constraintKeys") or []
    for constraint in constraints:
        for required in ("constraintName", "constraintType"):
            if required not in constraint:
                raise PluginError(
                    f"schema.constraintKeys.* config need option [{required}], "
                    "please correct your config first"
                )
    return TableSchema(table_id, columns, key_columns, key_name, list(constraints), catalog)


def _parse_column(item: Mapping[str, Any]) -> Column:
    for required in ("name", "type"):
        if required not in item:
            raise PluginError(
                f"schema.columns.* config need option [{required}], "
                "please correct your config first"
            )
    name = str(item["name"])
    length = item.get("columnLength")
    scale = item.get("columnScale")
    return Column(
        name,
        parse_type(item["type"], name),
        nullable=_as_bool(item.get("nullable", True)),
        default=item.get("defaultValue"),
        has_default="defaultValue" in item and item.get("defaultValue") is not None,
        length=int(length) if length is not None else 0,
        scale=int(scale) if scale is not None else None,
        comment=item.get("comment"),
    )


def _primary_key(schema: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    key = schema.get("primaryKey")
    if not isinstance(key, Mapping):
        return None, []
    if "name" not in key:
        raise _schema_missing("primaryKey.name")
    if "columnNames" not in key:
        raise _schema_missing("primaryKey.columnNames")
    return str(key["name"]), [str(name) for name in key["columnNames"]]


def _as_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


def table_identifier(declared: Any, options: Mapping[str, Any], default_table: str | None) -> str:
    """Return the table id: `schema.table`, else the plugin's output name, else the default."""
    if isinstance(declared, str) and declared.strip():
        parts = declared.strip().split(".")
        if len(parts) > 3:
            raise PluginError(f"Cannot get split '{declared}' to get databaseName and tableName")
        return ".".join(parts)
    output = options.get("plugin_output", options.get("result_table_name"))
    if isinstance(output, str) and output:
        return output
    return default_table or "default.default.default"
