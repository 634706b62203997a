# Job configs below are written on long lines, as users write them.
# ruff: noqa: E501
from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from stconfig.server.engine import JobHandle
from stconfig.server.engine.errors import PluginError
from stconfig.server.engine.types import parse_type
from stconfig.server.engine.values import java_double, java_float


def _job(source: str, sink: str, transform: str = "") -> str:
    return f"""
    env {{ job.mode = "BATCH" }}
    source {{ {source} }}
    transform {{ {transform} }}
    sink {{ {sink} }}
    """


ROWS = """
FakeSource {
  plugin_output = "fake"
  schema { fields { id = int, name = string, price = double } }
  rows = [
    { kind = INSERT, fields = [1, "Joy Ding", 134.22] }
    { kind = UPDATE_BEFORE, fields = [2, "Kin Dom", 10.5] }
    { kind = DELETE, fields = [3, null, 1.0] }
  ]
}
"""


def test_console_prints_seatunnel_line_format(
    run: Callable[..., JobHandle], capfd: pytest.CaptureFixture[str]
) -> None:
    handle = run(_job(ROWS, "Console {}"))
    lines = capfd.readouterr().out.splitlines()
    assert handle.status == "FINISHED"
    assert lines == [
        "subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : 1, Joy Ding, 134.22",
        "subtaskIndex=0  rowIndex=2:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=UPDATE_BEFORE : 2, Kin Dom, 10.5",
        "subtaskIndex=0  rowIndex=3:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=DELETE : 3, , 1.0",
    ]


def _assert_sink(field: str, kind: str, rule: str) -> str:
    return f"""Assert {{ rules {{ field_rules = [ {{ field_name = "{field}", field_type = "{kind}",
               field_value = [ {rule} ] }} ] }} }}"""


def test_assert_failure_names_rule_field_and_row(run: Callable[..., JobHandle]) -> None:
    handle = run(
        _job(ROWS, _assert_sink("price", "double", "{ rule_type = MAX, rule_value = 100 }"))
    )
    assert handle.status == "FAILED"
    error = handle.error or ""
    assert error.startswith(
        "ErrorCode:[ASSERT-01], ErrorDescription:[Rule validate failed] - row :"
    )
    assert "fieldName=price" in error
    assert "ruleType=MAX" in error
    assert "fields=[1, Joy Ding, 134.22]" in error


def test_assert_row_rules_count_rows(run: Callable[..., JobHandle]) -> None:
    sink = "Assert { rules { row_rules = [ { rule_type = MIN_ROW, rule_value = 4 } ] } }"
    handle = run(_job(ROWS, sink))
    assert handle.status == "FAILED"
    assert "row num :3 fail rule: AssertRule(ruleType=MIN_ROW, ruleValue=4.0" in (
        handle.error or ""
    )


def test_assert_checks_declared_type(run: Callable[..., JobHandle]) -> None:
    handle = run(_job(ROWS, _assert_sink("id", "bigint", "{ rule_type = NOT_NULL }")))
    assert handle.status == "FAILED"
    assert "fieldType=BIGINT" in (handle.error or "")


def test_assert_lowercase_rule_type_fails(run: Callable[..., JobHandle]) -> None:
    handle = run(_job(ROWS, _assert_sink("id", "int", "{ rule_type = not_null }")))
    assert handle.status == "FAILED"
    assert "No enum constant" in (handle.error or "")
    assert "AssertRuleType.not_null" in (handle.error or "")


ALL_TYPES = """
FakeSource {
  plugin_output = "fake"
  row.num = 7
  parallelism = 1
  string.length = 9
  int.min = 10
  int.max = 20
  bigint.template = [5, 6]
  schema { fields {
    c_string = string, c_boolean = boolean, c_tinyint = tinyint, c_smallint = smallint, c_int = int,
    c_bigint = bigint, c_float = float, c_double = double, c_decimal = "decimal(10, 3)", c_null = "null",
    c_bytes = bytes, c_date = date, c_time = time, c_timestamp = timestamp,
    c_array = "array<int>", c_map = "map<string, string>", c_row = { a = int, b = string }
  } }
}
"""


def test_fakesource_generates_every_type(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    out = tmp_path / "json"
    handle = run(_job(ALL_TYPES, f'LocalFile {{ path = "{out}", file_format_type = "json" }}'))
    assert handle.status == "FINISHED", handle.error
    lines = [line for f in out.iterdir() for line in f.read_text().splitlines()]
    records = [json.loads(line, parse_float=Decimal) for line in lines]
    assert len(records) == 7
    record = records[0]
    assert len(record["c_string"]) == 9
    assert 10 <= record["c_int"] < 20
    assert record["c_bigint"] in (5, 6)
    # decimal(10, 3): at most 7 digits before the point, exactly 3 after it.
    assert isinstance(record["c_decimal"], Decimal)
    assert record["c_decimal"].as_tuple().exponent == -3
    assert 0 <= record["c_decimal"] < 10**7
    assert record["c_null"] is None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", record["c_timestamp"])
    assert len(record["c_array"]) == 5
    assert set(record["c_row"]) == {"a", "b"}


def test_fakesource_split_and_parallelism_counts(run: Callable[..., JobHandle]) -> None:
    handle = run(
        _job(
            "FakeSource { row.num = 10, split.num = 3, parallelism = 3, schema { fields { id = int } } }",
            "Console { log.print.data = false }",
        )
    )
    assert handle.metrics()["SourceReceivedCount"] == "30"


def test_fakesource_rejects_negative_bounds(run: Callable[..., JobHandle]) -> None:
    handle = run(_job("FakeSource { int.min = -10, schema { fields { id = int } } }", "Console {}"))
    assert handle.status == "FAILED"
    assert handle.error == (
        "ErrorCode:[COMMON-06], ErrorDescription:[Illegal argument] - int.min should >= 0 and <= 2147483647"
    )


def test_transforms_chain(run: Callable[..., JobHandle], capfd: pytest.CaptureFixture[str]) -> None:
    transforms = """
      Copy { plugin_input = "fake", plugin_output = "c", fields { name2 = name } }
      Replace { plugin_input = "c", plugin_output = "r", replace_field = "name2", pattern = "(\\\\w+) (\\\\w+)",
                replacement = "$2 $1", is_regex = true, replace_first = true }
      Split { plugin_input = "r", plugin_output = "s", separator = " ", split_field = "name", output_fields = [first, last] }
      Filter { plugin_input = "s", plugin_output = "f", include_fields = [id, name2, last] }
      FilterRowKind { plugin_input = "f", plugin_output = "k", exclude_kinds = [UPDATE_BEFORE] }
    """
    handle = run(_job(ROWS, 'Console { plugin_input = "k" }', transforms))
    out = capfd.readouterr().out.splitlines()
    assert handle.status == "FINISHED", handle.error
    assert out[0].endswith("SeaTunnelRow#kind=INSERT : 1, Ding Joy, Ding")
    assert out[1].endswith("SeaTunnelRow#kind=DELETE : 3, , ")
    assert len(out) == 2


def test_filter_unknown_field_fails(run: Callable[..., JobHandle]) -> None:
    handle = run(_job(ROWS, "Console {}", "Filter { include_fields = [id, nope] }"))
    assert handle.status == "FAILED"
    assert "TRANSFORM_COMMON-01" in (handle.error or "")
    assert "'nope'" in (handle.error or "")


def test_sql_filters_and_computes(
    run: Callable[..., JobHandle], capfd: pytest.CaptureFixture[str]
) -> None:
    sql = """Sql { query = "select id + 1 as id, upper(name) as name, price * 2 as p from fake where name like 'Joy%' or id = 3" }"""
    handle = run(_job(ROWS, "Console {}", sql))
    out = capfd.readouterr().out.splitlines()
    assert handle.status == "FINISHED", handle.error
    assert out == [
        "subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : 2, JOY DING, 268.44",
        "subtaskIndex=0  rowIndex=2:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=DELETE : 4, , 2.0",
    ]


def test_sql_rejects_order_by(run: Callable[..., JobHandle]) -> None:
    handle = run(_job(ROWS, "Console {}", 'Sql { query = "select id from fake order by id" }'))
    assert handle.status == "FAILED"
    assert handle.error == (
        "ErrorCode:[COMMON-05], ErrorDescription:[Unsupported operation] - SQL validate failed: "
        "select id from fake order by id, cause: Unsupported ORDER BY syntax"
    )


def test_localfile_text_round_trip(
    run: Callable[..., JobHandle], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "text"
    write = run(
        _job(
            ROWS,
            f'LocalFile {{ path = "{out}", file_format_type = "csv", enable_header_write = true }}',
        )
    )
    assert write.status == "FINISHED", write.error
    files = list(out.iterdir())
    assert [f.suffix for f in files] == [".csv"]
    assert files[0].read_text() == "id,name,price\n1,Joy Ding,134.22\n2,Kin Dom,10.5\n3,,1.0"
    read = run(
        _job(
            f'LocalFile {{ path = "{out}", file_format_type = "csv", skip_header_row_number = 1, '
            "schema { fields { id = int, name = string, price = double } } }",
            "Console {}",
        ),
        job_id=2,
    )
    assert read.status == "FINISHED", read.error
    assert capfd.readouterr().out.count("SeaTunnelRow#kind=INSERT") == 3


def test_localfile_parquet_round_trip(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "parquet"
    write = run(_job(ALL_TYPES, f'LocalFile {{ path = "{out}", file_format_type = "parquet" }}'))
    assert write.status == "FINISHED", write.error
    read = run(
        _job(
            f'LocalFile {{ path = "{out}", file_format_type = "parquet" }}',
            _assert_sink("c_decimal", "decimal(10, 3)", "{ rule_type = NOT_NULL }"),
        ),
        job_id=2,
    )
    assert read.status == "FINISHED", read.error
    assert read.metrics()["SourceReceivedCount"] == "7"


def test_jdbc_sqlite_source_reads_table(
    run: Callable[..., JobHandle], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    database = tmp_path / "source.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE people (id INTEGER, name TEXT, score DOUBLE)")
        connection.executemany(
            "INSERT INTO people VALUES (?, ?, ?)", [(1, "a", 1.5), (2, "b", None)]
        )
    source = f'Jdbc {{ url = "jdbc:sqlite:{database}", driver = "org.sqlite.JDBC", table_path = "people" }}'
    handle = run(_job(source, "Console {}"))
    assert handle.status == "FINISHED", handle.error
    assert (
        capfd.readouterr()
        .out.splitlines()[1]
        .endswith("SeaTunnelRow#tableId=people SeaTunnelRow#kind=INSERT : 2, b, ")
    )


@pytest.mark.parametrize(
    ("declared", "shown"),
    [
        ("decimal(38, 18)", "DECIMAL(38, 18)"),
        ("map<string, array<int>>", "MAP<STRING, ARRAY<INT>>"),
        ("long", "BIGINT"),
        ("{a = int, b = string}", "ROW<a INT, b STRING>"),
    ],
)
def test_type_strings_parse(declared: str, shown: str) -> None:
    assert str(parse_type(declared, "f")) == shown


@pytest.mark.parametrize("declared", ["varchar", "decimal", "array<date>", "timestamp(3)"])
def test_bad_type_strings_fail(declared: str) -> None:
    with pytest.raises(PluginError, match=re.escape(f"unsupported data type '{declared}' of 'f'")):
        parse_type(declared, "f")


@pytest.mark.parametrize(
    ("value", "double", "single"),
    [
        (1.0, "1.0", "1.0"),
        (1e7, "1.0E7", "1.0E7"),
        (0.1, "0.1", "0.1"),
        (1.5e-4, "1.5E-4", "1.5E-4"),
        (3.4028235e38, "3.4028235E38", "3.4028235E38"),
    ],
)
def test_java_number_text(value: float, double: str, single: str) -> None:
    assert java_double(value) == double
    assert java_float(value) == single
