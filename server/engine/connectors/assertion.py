"""Assert sink: check every row against field rules, and row counts at the end.

A failed rule fails the job with SeaTunnel's ASSERT-01 text, which names the rule, the
field and the row. `rule_type` values are case-sensitive, as SeaTunnel reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stconfig.server.engine.errors import (
    PluginError,
    invalid_value_error,
    required_options_error,
    seatunnel_error,
)
from stconfig.server.engine.plugins import JobContext, Sink, SinkWriter
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.types import DataType, TableSchema, parse_type
from stconfig.server.engine.values import ConversionError, from_json, java_double, java_string

RULE_TYPES = ("NULL", "NOT_NULL", "MIN", "MAX", "MIN_LENGTH", "MAX_LENGTH", "MIN_ROW", "MAX_ROW")
_INTEGER_FAMILY = {"TINYINT": "Byte", "SMALLINT": "Short", "INT": "Integer", "BIGINT": "Long"}


class AssertError(PluginError):
    """A row or a count that breaks an Assert rule."""


def _failed(detail: str) -> AssertError:
    return AssertError(seatunnel_error("ASSERT-01", "Rule validate failed", detail))


@dataclass
class ValueRule:
    rule_type: str | None
    rule_value: float | None
    equals_to: Any

    def __str__(self) -> str:
        value = "null" if self.rule_value is None else java_double(self.rule_value)
        expected = "null" if self.equals_to is None else java_string(self.equals_to)
        return f"AssertRule(ruleType={self.rule_type}, ruleValue={value}, equalTo={expected})"


@dataclass
class FieldRule:
    field_name: str
    field_type: DataType | None
    rules: list[ValueRule]

    def __str__(self) -> str:
        rules = ", ".join(str(rule) for rule in self.rules)
        return (
            f"AssertFieldRule(fieldName={self.field_name}, fieldType={self.field_type}, "
            f"fieldRules=[{rules}])"
        )


@dataclass
class TableRules:
    """The rules of one table (`table_path`), or of every row when `table_path` is None."""

    table_path: str | None
    field_rules: list[FieldRule] = field(default_factory=list)
    row_rules: list[ValueRule] = field(default_factory=list)
    catalog_rule: Mapping[str, Any] | None = None


def _rule_type(value: Any) -> str | None:
    if value is None:
        return None
    if str(value) not in RULE_TYPES:
        raise invalid_value_error(
            "Assert",
            "rule_type",
            value,
            "No enum constant org.apache.seatunnel.connectors.seatunnel.assertion.rule."
            f"AssertFieldRule.AssertRuleType.{value}",
        )
    return str(value)


def _value_rule(options: Mapping[str, Any]) -> ValueRule:
    value = options.get("rule_value")
    return ValueRule(
        _rule_type(options.get("rule_type")),
        float(value) if value is not None else None,
        options.get("equals_to"),
    )


def _field_rule(options: Mapping[str, Any]) -> FieldRule:
    name = options.get("field_name")
    if name is None:
        raise PluginError("Assert: a field rule has no field_name; name the field to check")
    declared = options.get("field_type")
    kind = parse_type(declared, str(name)) if declared is not None else None
    rules = [_value_rule(item) for item in options.get("field_value") or []]
    return FieldRule(str(name), kind, rules)


def _table_rules(options: Mapping[str, Any], table_path: str | None) -> TableRules:
    return TableRules(
        table_path,
        [_field_rule(item) for item in options.get("field_rules") or []],
        [_value_rule(item) for item in options.get("row_rules") or []],
        options.get("catalog_table_rule"),
    )


class Assert(Sink):
    plugin_name = "Assert"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, tables: list[TableSchema]
    ) -> None:
        super().__init__(options, context, tables)
        rules = options.get("rules")
        if rules is None:
            raise required_options_error("rules")
        if not isinstance(rules, Mapping) or not any(
            rules.get(key)
            for key in (
                "field_rules",
                "row_rules",
                "catalog_table_rule",
                "table-names",
                "tables_configs",
            )
        ):
            raise PluginError(
                "Invalid value at 'rules': Assert rule config is empty, please add rule config."
            )
        self.rules = [_table_rules(rules, None)]
        for item in rules.get("tables_configs") or []:
            self.rules.append(_table_rules(item, str(item.get("table_path"))))
        names = rules.get("table-names")
        self.table_names = [str(name) for name in names] if names else None
        self.schemas = {table.table_id: table for table in tables}
        self.counts: dict[str | None, int] = {}
        self.seen_tables: set[str] = set()
        for table_rules in self.rules:
            if table_rules.catalog_rule:
                self._check_catalog(table_rules)

    def create_writer(self, index: int) -> SinkWriter:
        return AssertWriter(self)

    def rules_for(self, table_id: str) -> list[TableRules]:
        return [rules for rules in self.rules if rules.table_path in (None, table_id)]

    def finish(self) -> None:
        """Check row counts and table names once every writer has ended.

        SeaTunnel checks them as each writer closes, so a writer that closes early can see
        a partial count there; here every writer has finished first.
        """
        for table_rules in self.rules:
            count = self.counts.get(table_rules.table_path, 0)
            for rule in table_rules.row_rules:
                if not _row_rule_holds(rule, count):
                    raise _failed(f"row num :{count} fail rule: {rule}")
        if self.table_names is not None and set(self.table_names) != self.seen_tables:
            seen, wanted = sorted(self.seen_tables), sorted(self.table_names)
            raise _failed(f"table names: {seen} is not equal to {wanted}")

    def _check_catalog(self, table_rules: TableRules) -> None:
        table = self._table_for(table_rules.table_path)
        if table is None:
            return
        rule = table_rules.catalog_rule or {}
        for message in _catalog_problems(rule, table):
            raise AssertError(
                seatunnel_error("ASSERT-03", "Catalog table validate failed", message)
            )

    def _table_for(self, table_path: str | None) -> TableSchema | None:
        if table_path is None:
            return self.tables[0] if len(self.tables) == 1 else None
        return self.schemas.get(table_path)


def _row_rule_holds(rule: ValueRule, count: int) -> bool:
    if rule.rule_value is None:
        return True
    if rule.rule_type == "MIN_ROW":
        return count >= rule.rule_value
    if rule.rule_type == "MAX_ROW":
        return count <= rule.rule_value
    return True


def _catalog_problems(rule: Mapping[str, Any], table: TableSchema) -> list[str]:
    problems = []
    identifier = rule.get("table_identifier_rule")
    if isinstance(identifier, Mapping):
        if "table" in identifier and str(identifier["table"]) != table.table_id:
            problems.append(f"table identifier {table.table_id} is not {identifier['table']}")
        catalog = identifier.get("catalog_name")
        if catalog is not None and table.catalog and str(catalog) != table.catalog:
            problems.append(f"catalog {table.catalog} is not {catalog}")
    key = rule.get("primary_key_rule")
    if isinstance(key, Mapping) and (
        str(key.get("primary_key_name")) != str(table.primary_key_name)
        or [str(name) for name in key.get("primary_key_columns") or []] != table.primary_key
    ):
        problems.append(f"primary key {table.primary_key_name} {table.primary_key} differs")
    for expected in rule.get("column_rule") or []:
        position = table.index(str(expected.get("name")))
        if position < 0:
            problems.append(f"column {expected.get('name')} is missing")
            continue
        column = table.columns[position]
        if "type" in expected and parse_type(expected["type"], column.name) != column.type:
            problems.append(f"column {column.name} is {column.type}, not {expected['type']}")
        if "nullable" in expected and bool(expected["nullable"]) != column.nullable:
            problems.append(f"column {column.name} nullable is {column.nullable}")
    constraints = rule.get("constraint_key_rule") or []
    names = {str(item.get("constraintName")) for item in table.constraint_keys}
    for expected in constraints:
        if str(expected.get("constraint_key_name")) not in names:
            problems.append(f"constraint key {expected.get('constraint_key_name')} is missing")
    return problems


class AssertWriter(SinkWriter):
    def __init__(self, sink: Assert) -> None:
        self.sink = sink

    def write(self, batch: Batch) -> int:
        sink = self.sink
        table = sink.schemas.get(batch.table_id) or sink.tables[0]
        sink.seen_tables.add(batch.table_id)
        for table_rules in sink.rules_for(batch.table_id):
            for rule in table_rules.field_rules:
                _check_field(rule, table, batch)
            key = table_rules.table_path
            sink.counts[key] = sink.counts.get(key, 0) + len(batch.rows)
        return len(batch.rows)


def _check_field(rule: FieldRule, table: TableSchema, batch: Batch) -> None:
    position = table.index(rule.field_name)
    if position < 0:
        raise PluginError(
            f"Assert: field '{rule.field_name}' of a field rule is not in table "
            f"{table.table_id} (columns: {', '.join(table.names)})"
        )
    column_type = table.columns[position].type
    for row_number, row in enumerate(batch.rows):
        value = row[position]
        failed = _first_failure(rule, value, column_type)
        if failed is not None:
            raise _failed(f"row :{_row_text(batch, row_number)} fail rule: {failed}")


def _first_failure(rule: FieldRule, value: Any, column_type: DataType) -> Any:
    if rule.field_type is not None and not type_matches(value, column_type, rule.field_type):
        return rule
    for value_rule in rule.rules:
        if not _value_rule_holds(value_rule, value, rule.field_type or column_type):
            return rule
    return None


def _value_rule_holds(rule: ValueRule, value: Any, kind: DataType) -> bool:
    checks = rule.rule_type
    if checks == "NULL" and value is not None:
        return False
    if checks == "NOT_NULL" and value is None:
        return False
    if checks in ("MIN", "MAX"):
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            return False
        if rule.rule_value is not None:
            if checks == "MIN" and float(value) < rule.rule_value:
                return False
            if checks == "MAX" and float(value) > rule.rule_value:
                return False
    if checks in ("MIN_LENGTH", "MAX_LENGTH") and rule.rule_value is not None:
        length = len("" if value is None else java_string(value, kind))
        if checks == "MIN_LENGTH" and length < rule.rule_value:
            return False
        if checks == "MAX_LENGTH" and length > rule.rule_value:
            return False
    if checks in ("MIN_ROW", "MAX_ROW"):
        return False
    if rule.equals_to is not None and value is not None:
        return _equals(value, rule.equals_to, kind)
    return True


def _equals(value: Any, expected: Any, kind: DataType) -> bool:
    try:
        converted = from_json(expected, kind)
    except ConversionError:
        return False
    if isinstance(value, float) and isinstance(converted, float):
        return value == converted or java_string(value, kind) == java_string(converted, kind)
    return bool(value == converted)


def type_matches(value: Any, actual: DataType, declared: DataType) -> bool:
    """Check a value's type as SeaTunnel compares Java classes; null matches only `null`."""
    if value is None:
        return declared.name == "NULL"
    if declared.name in _INTEGER_FAMILY or actual.name in _INTEGER_FAMILY:
        return declared.name == actual.name
    if declared.name == "DECIMAL":
        if actual.name != "DECIMAL" or not isinstance(value, Decimal):
            return False
        digits = value.as_tuple().digits
        return actual.scale == declared.scale and len(digits) <= max(declared.precision, 1)
    if declared.name in ("ARRAY", "MAP", "ROW"):
        return _nested_matches(value, actual, declared)
    return declared.name == actual.name


def _nested_matches(value: Any, actual: DataType, declared: DataType) -> bool:
    if declared.name != actual.name:
        return False
    if declared.name == "ARRAY":
        assert declared.element is not None and actual.element is not None
        return declared.element.name == actual.element.name
    if declared.name == "MAP":
        assert declared.key is not None and declared.value is not None
        assert actual.key is not None and actual.value is not None
        return all(
            (key is None or type_matches(key, actual.key, declared.key))
            and (item is None or type_matches(item, actual.value, declared.value))
            for key, item in value.items()
        )
    if len(declared.fields) != len(actual.fields):
        return False
    return all(
        item is None or type_matches(item, sub_actual, sub_declared)
        for item, (_, sub_actual), (_, sub_declared) in zip(
            value, actual.fields, declared.fields, strict=False
        )
    )


def _row_text(batch: Batch, position: int) -> str:
    row = batch.rows[position]
    fields = ", ".join(java_string(value) for value in row)
    kind = batch.kind_of(position)
    return f"SeaTunnelRow{{tableId={batch.table_id}, kind={kind}, fields=[{fields}]}}"
