# Job configs below are written on long lines, as users write them.
# ruff: noqa: E501
"""Errors from bad input data and options: one line that names where the problem is."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from stconfig.server.engine import JobHandle
from stconfig.server.engine.types import parse_type
from stconfig.server.engine.values import ConversionError, from_json


def _file_job(path: Path, file_format: str, fields: str, extra: str = "") -> str:
    return f"""
    env {{ job.mode = "BATCH" }}
    source {{ LocalFile {{ plugin_output = "p", path = "{path}", file_format_type = "{file_format}", {extra}
                          schema {{ fields {{ {fields} }} }} }} }}
    sink {{ Console {{ plugin_input = "p" }} }}
    """


def _failed(handle: JobHandle) -> str:
    assert handle.status == "FAILED"
    error = handle.error or ""
    assert "\n" not in error
    assert "Traceback" not in error
    assert "<class" not in error
    return error


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("notanumber", "int", "cannot read 'notanumber' as INT"),
        ("1.5x", "decimal(10, 2)", "cannot read '1.5x' as DECIMAL(10, 2)"),
        ("x", "double", "cannot read 'x' as DOUBLE"),
        (
            "[1,",
            "array<int>",
            "cannot read '[1,' as ARRAY<INT>: invalid JSON (Expecting value at character 4)",
        ),
        ({"a": 1}, "int", "cannot read {'a': 1} as INT"),
    ],
)
def test_conversion_error_text(value: object, kind: str, message: str) -> None:
    with pytest.raises(ConversionError) as caught:
        from_json(value, parse_type(kind, "t"))
    assert str(caught.value) == message


def test_conversion_error_shortens_long_values() -> None:
    with pytest.raises(ConversionError) as caught:
        from_json("9" * 30 + "x" * 100, parse_type("int", "t"))
    assert len(str(caught.value)) < 90
    assert str(caught.value).endswith("... as INT")


def test_csv_bad_value_names_file_line_field(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text("name,age\nalice,30\nbob,40\ndave,notanumber\n")
    handle = run(
        _file_job(folder, "csv", "name = string, age = int", "skip_header_row_number = 1,")
    )
    assert _failed(handle) == (
        "LocalFile source: people.csv line 4, field 'age': cannot read 'notanumber' as INT"
    )


def test_text_bad_value_in_subfolder(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    (tmp_path / "in" / "day=1").mkdir(parents=True)
    (tmp_path / "in" / "day=1" / "a.txt").write_text("1|2024-01-31\n2|31.01.2024\n")
    handle = run(
        _file_job(tmp_path / "in", "text", "id = int, born = date", 'field_delimiter = "|",')
    )
    assert _failed(handle) == (
        "LocalFile source: day=1/a.txt line 2, field 'born': '31.01.2024' is not a date such as 2024-01-31"
    )


def test_json_bad_value_names_file_line_field(
    run: Callable[..., JobHandle], tmp_path: Path
) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"name": "a", "age": 1}\n\n{"name": "b", "age": "x"}\n')
    handle = run(_file_job(path, "json", "name = string, age = int"))
    assert _failed(handle) == "LocalFile source: p.json line 3, field 'age': cannot read 'x' as INT"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"name": ', "line 2: invalid JSON: Expecting value at column 10"),
        ("[1, 2]", "line 2: expected a JSON object, found a list"),
    ],
)
def test_json_bad_line_names_file_line(
    run: Callable[..., JobHandle], tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"name": "a"}\n' + line + "\n")
    handle = run(_file_job(path, "json", "name = string"))
    assert _failed(handle) == f"LocalFile source: p.json {message}"


def test_zip_member_is_named(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("rows.csv", "1\n2\nthree\n")
    handle = run(_file_job(path, "csv", "id = int", 'archive_compress_codec = "zip",'))
    assert _failed(handle) == (
        "LocalFile source: data.zip member rows.csv line 3, field 'id': cannot read 'three' as INT"
    )


def test_broken_zip_is_one_line(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    path = tmp_path / "data.zip"
    path.write_bytes(b"not a zip")
    handle = run(_file_job(path, "csv", "id = int", 'archive_compress_codec = "zip",'))
    assert _failed(handle).startswith("LocalFile source: data.zip is not a valid zip archive")


def test_undecodable_bytes_name_line(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_bytes(b"ann\n\xffbob\n")
    handle = run(_file_job(path, "csv", "name = string"))
    assert _failed(handle) == (
        "LocalFile source: names.csv line 2: byte 0xff is not valid UTF-8; "
        "set the encoding option to the file's charset"
    )


def test_parquet_that_is_not_parquet(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "rows.parquet"
    path.write_text("plain text\n")
    handle = run(_file_job(path, "parquet", "id = int"))
    assert _failed(handle).startswith("LocalFile source: cannot read rows.parquet as parquet: ")


def test_jdbc_bad_value_names_row_and_field(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE people (name TEXT, age INTEGER)")
        connection.executemany("INSERT INTO people VALUES (?, ?)", [("a", 1), ("b", "old")])
    connection.close()
    source = f'Jdbc {{ plugin_output = "p", url = "jdbc:sqlite:{database}", driver = "org.sqlite.JDBC", table_path = "people" }}'
    handle = run(
        f'env {{ job.mode = "BATCH" }}\nsource {{ {source} }}\nsink {{ Console {{ plugin_input = "p" }} }}'
    )
    assert _failed(handle) == (
        "Jdbc source: row 2 of the query result, field 'age': cannot read 'old' as BIGINT"
    )


def test_fakesource_rows_error_names_field(run: Callable[..., JobHandle]) -> None:
    handle = run(
        """
        env { job.mode = "BATCH" }
        source { FakeSource { plugin_output = "t", schema { fields { id = int, n = int } },
                              rows = [ { kind = INSERT, fields = [1, "two"] } ] } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert _failed(handle) == "FakeSource source: rows[0], field 'n': cannot read 'two' as INT"


SQL_JOB = """
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 1, string.fake.mode = "template", string.template = ["abc"],
                      schema { fields { id = int, name = string } } } }
transform { %s }
sink { Console { } }
"""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "select cast(name as int) as n from fake",
            "Sql transform: cast(name as int): cannot read 'abc' as INT",
        ),
        (
            "select name + 1 as n from fake",
            "Sql transform: name + 1 cannot be computed for 'abc' and 1",
        ),
        (
            "select substring(name, 'a') as n from fake",
            "Sql transform: substring(name, 'a') failed for the arguments ('abc', 'a')",
        ),
    ],
)
def test_sql_value_errors(run: Callable[..., JobHandle], query: str, message: str) -> None:
    handle = run(SQL_JOB % f'Sql {{ query = "{query}" }}')
    assert _failed(handle) == message


def test_replace_unknown_group_fails_before_rows(run: Callable[..., JobHandle]) -> None:
    replace = 'Replace { replace_field = "name", pattern = "(a)", replacement = "$3", is_regex = true, replace_first = false }'
    handle = run(SQL_JOB % replace)
    assert (
        _failed(handle)
        == "Replace: replacement '$3' refers to group 3, but pattern '(a)' has 1 group"
    )
    assert handle.metrics()["SourceReceivedCount"] == "0"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            'file_format_type = "${file_format_type}"',
            "LocalFile: file_format_type is '${file_format_type}', which contains the variable "
            "${file_format_type} with no value; set it with --var file_format_type=VALUE, or write "
            "the value into the config",
        ),
        (
            'file_format_type = "csv", enable_header_write = "${header}"',
            "LocalFile: enable_header_write is '${header}', which contains the variable ${header} "
            "with no value; set it with --var header=VALUE, or write the value into the config",
        ),
    ],
)
def test_unfilled_variable_option_names_variable(
    run: Callable[..., JobHandle], tmp_path: Path, option: str, message: str
) -> None:
    handle = run(
        f"""
        env {{ job.mode = "BATCH" }}
        source {{ FakeSource {{ plugin_output = "t", row.num = 1, schema {{ fields {{ id = int }} }} }} }}
        sink {{ LocalFile {{ plugin_input = "t", path = "{tmp_path / "out"}", {option} }} }}
        """
    )
    assert _failed(handle) == message


def test_enum_error_without_variable_keeps_seatunnel_text(
    run: Callable[..., JobHandle], tmp_path: Path
) -> None:
    handle = run(
        f"""
        env {{ job.mode = "BATCH" }}
        source {{ FakeSource {{ plugin_output = "t", row.num = 1, schema {{ fields {{ id = int }} }} }} }}
        sink {{ LocalFile {{ plugin_input = "t", path = "{tmp_path / "out"}", file_format_type = "cvs" }} }}
        """
    )
    assert _failed(handle).startswith(
        "Could not parse value for enum class org.apache.seatunnel.connectors.seatunnel.file.config.FileFormat."
    )
