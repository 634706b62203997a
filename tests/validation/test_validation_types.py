"""SeaTunnel type strings in schema.fields, columns and Assert rules."""

from __future__ import annotations

import pytest
from validation_helpers import brief, check

from stconfig.validation.type_strings import VALID_TYPES, type_string_problem

VALID = [
    "string",
    "STRING",
    " int ",
    "long",
    "Short",
    "byte",
    "bigint",
    "boolean",
    "double",
    "float",
    "bytes",
    "date",
    "time",
    "timestamp",
    "null",
    "decimal(38, 18)",
    "decimal(38,18)",
    "Decimal( 10 , 2 )",
    "decimal(2,2)",
    "array<int>",
    "array< string >",
    "ARRAY<tinyint>",
    "map<string, int>",
    "map<string,array<int>>",
    "map<decimal(10,2), int>",
    "map<decimal(10, 2), decimal(38, 18)>",
    "map<string, map<string, string>>",
    "map<string, {c_int = int, c_string = string}>",
    'map<string, {"c_int": "int"}>',
    "map<string, {c_int = int\nc_row = {c_x = bigint}}>",
    "{a = int, b = string}",
    "float_vector",
    "sparse_float_vector",
]


@pytest.mark.parametrize("declared", VALID)
def test_valid_type_string(declared):
    assert type_string_problem(declared) is None


@pytest.mark.parametrize(
    ("declared", "problem"),
    [
        (
            "uuid",
            f'unknown SeaTunnel type "uuid"; valid types: {VALID_TYPES}; did you mean "string"?',
        ),
        (
            "varchar",
            f'unknown SeaTunnel type "varchar"; valid types: {VALID_TYPES}; did you mean "string"?',
        ),
        (
            "varchar(10)",
            f'unknown SeaTunnel type "varchar(10)"; valid types: {VALID_TYPES}; '
            'did you mean "string"?',
        ),
        (
            "timestamp(3)",
            f'unknown SeaTunnel type "timestamp(3)"; valid types: {VALID_TYPES}; write timestamp '
            "without a length or precision",
        ),
        ("decimal", '"decimal" needs a precision and a scale, such as decimal(10, 2)'),
        ("decimal(10)", '"decimal(10)" needs a precision and a scale, such as decimal(10, 2)'),
        (
            "decimal(10, 12)",
            '"decimal(10, 12)" has scale 12 larger than precision 10; the scale counts digits '
            "after the point and must be at most the precision",
        ),
        (
            "array<date>",
            '"array<date>" has element type "date"; SeaTunnel arrays hold only string, boolean, '
            "tinyint, smallint, int, bigint, float, double",
        ),
        ("array", '"array" needs an element type, such as array<int>'),
        ("map<string>", '"map<string>" needs key and value types, such as map<string, int>'),
        (
            "map<string, uuid>",
            f'in "map<string, uuid>": unknown SeaTunnel type "UUID"; valid types: {VALID_TYPES}; '
            'did you mean "string"?',
        ),
        (
            "map<decimal(10,12), int>",
            'in "map<decimal(10,12), int>": "DECIMAL(10,12)" has scale 12 larger than precision '
            "10; the scale counts digits after the point and must be at most the precision",
        ),
        (
            "{a = int, b = text}",
            f'in row field "b": unknown SeaTunnel type "text"; valid types: {VALID_TYPES}; '
            'did you mean "string"?',
        ),
    ],
)
def test_invalid_type_string(declared, problem):
    assert type_string_problem(declared) == problem


def test_type_findings_in_fields_columns_and_rules():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource {
            plugin_output = "a"
            schema { fields { id = uuid, amount = "decimal(10, 12)", nested { inner = varchar } } }
          }
          FakeSource {
            plugin_output = "b"
            schema { columns = [{ name = id, type = decimal },
                                { name = ok, type = "map<decimal(10,2), int>" }] }
          }
        }
        sink {
          Assert { plugin_input = "a", rules { field_rules = [
            { field_name = id, field_type = "array<date>",
              field_value = [{ rule_type = NOT_NULL }] }
          ] } }
          Console { plugin_input = "b" }
        }
        """
    )
    assert [(f.line, f.path) for f in findings] == [
        (6, "$.source[0].schema.fields.id"),
        (6, "$.source[0].schema.fields.amount"),
        (6, "$.source[0].schema.fields.nested.inner"),
        (10, "$.source[1].schema.columns[0].type"),
        (16, "$.sink[0].rules.field_rules[0].field_type"),
    ]
    assert all(f.severity == "error" for f in findings)


def test_unquoted_null_type_is_rejected():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "a", schema { fields { id = int, empty = null } } } }
        sink { Console { plugin_input = "a" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            3,
            "$.source[0].schema.fields.empty",
            "expected a quoted SeaTunnel type string or a nested row object, got null",
        ),
    ]
