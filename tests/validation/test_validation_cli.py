"""The validate, schema and plugins commands, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

VALID = """\
env { job.mode = BATCH }
source { FakeSource { plugin_output = "t", row.num = 3, schema { fields { id = int } } } }
sink { Console { plugin_input = "t" } }
"""

INVALID_JSON = """\
{"env": {"job.mode": "BATCH"},
 "source": [{"plugin_name": "FakeSource", "plugin_output": "t",
             "row.num": "ten",
             "schema": {"fields": {"id": "int"}}}],
 "sink": [{"plugin_name": "Console", "plugin_input": "t"}]}
"""

WARNING_ONLY = """\
env { job.mode = BATCH }
source { FakeSource { plugin_output = "t", schema { fields { id = int } } } }
sink { ConsoleSink { plugin_input = "t" } }
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file(run_cli, tmp_path):
    write(tmp_path, "job.conf", VALID)
    result = run_cli("validate", "job.conf")
    assert result.returncode == 0
    assert result.stdout == "1 file(s) checked: 0 invalid, 0 error(s), 0 warning(s)\n"
    assert result.stderr == ""


def test_errors_and_warnings_of_every_file(run_cli, tmp_path):
    write(tmp_path, "a.json", INVALID_JSON)
    write(tmp_path, "b.conf", WARNING_ONLY)
    write(tmp_path, "c.conf", VALID)
    result = run_cli("validate", "a.json", "b.conf", "c.conf")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        'a.json:3:25: error: $.source[0]."row.num": expected an integer, got "ten"',
        'b.conf:3:8: warning: $.sink[0]: unknown sink plugin "ConsoleSink"; '
        'did you mean "Console"?',
        "3 file(s) checked: 1 invalid, 1 error(s), 1 warning(s)",
    ]
    assert result.stderr == ""


def test_warnings_alone_exit_zero(run_cli, tmp_path):
    write(tmp_path, "b.conf", WARNING_ONLY)
    result = run_cli("validate", "b.conf")
    assert result.returncode == 0
    assert "warning:" in result.stdout
    assert result.stderr == ""


def test_strict_turns_unknown_plugin_into_error(run_cli, tmp_path):
    write(tmp_path, "b.conf", WARNING_ONLY)
    result = run_cli("validate", "--strict", "b.conf")
    assert result.returncode == 1
    assert result.stdout.startswith("b.conf:3:8: error: $.sink[0]: unknown sink plugin")
    assert result.stderr == ""


def test_quiet_prints_errors_only(run_cli, tmp_path):
    write(tmp_path, "a.json", INVALID_JSON)
    write(tmp_path, "b.conf", WARNING_ONLY)
    result = run_cli("validate", "-q", "a.json", "b.conf")
    assert result.returncode == 1
    assert (
        result.stdout
        == 'a.json:3:25: error: $.source[0]."row.num": expected an integer, got "ten"\n'
    )
    assert result.stderr == ""


def test_json_report(run_cli, tmp_path):
    write(tmp_path, "a.json", INVALID_JSON)
    write(tmp_path, "b.conf", WARNING_ONLY)
    result = run_cli("validate", "--format", "json", "a.json", "b.conf")
    assert result.returncode == 1
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["version"] == 1
    assert report["valid"] is False
    assert report["summary"] == {"files": 2, "invalid_files": 1, "errors": 1, "warnings": 1}
    first, second = report["files"]
    assert first == {
        "file": "a.json",
        "valid": False,
        "errors": 1,
        "warnings": 0,
        "findings": [
            {
                "severity": "error",
                "file": "a.json",
                "line": 3,
                "column": 25,
                "path": '$.source[0]."row.num"',
                "message": 'expected an integer, got "ten"',
            }
        ],
    }
    assert second["valid"] is True
    assert [f["severity"] for f in second["findings"]] == ["warning"]


def test_json_report_quiet_drops_warnings(run_cli, tmp_path):
    write(tmp_path, "b.conf", WARNING_ONLY)
    result = run_cli("validate", "--format", "json", "-q", "b.conf")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["files"][0]["findings"] == []
    assert report["files"][0]["warnings"] == 1


def test_stdin_and_variables(run_cli):
    text = VALID.replace("row.num = 3", "row.num = ${rows}")
    good = run_cli("validate", "--var", "rows=4", "-", input=text)
    bad = run_cli("validate", "-i", "rows=four", "-", input=text)
    assert good.returncode == 0
    assert good.stdout == "1 file(s) checked: 0 invalid, 0 error(s), 0 warning(s)\n"
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[0] == (
        '<stdin>:2:54: error: $.source[0]."row.num": expected an integer, got "four"'
    )
    assert bad.stderr == ""


def test_json_on_stdin_is_recognised(run_cli):
    result = run_cli("validate", "-", input=INVALID_JSON)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith('<stdin>:3:25: error: $.source[0]."row.num"')


def test_syntax_error_has_line_and_column(run_cli, tmp_path):
    write(tmp_path, "broken.json", '{"env": {},\n "source": [{"plugin_name": "FakeSource",}]}\n')
    write(tmp_path, "broken.conf", "env {\n  job.mode = BATCH\nsource { }\n")
    result = run_cli("validate", "broken.json", "broken.conf")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "broken.json:2:42: error: $: invalid syntax: expected property name enclosed in double "
        "quotes, found '}'"
    )
    assert lines[1] == (
        "broken.conf:1:5: error: $: invalid syntax: expected '}' to close this object, found the "
        "end of the file"
    )
    assert result.stderr == ""


def test_unreadable_files_do_not_stop_others(run_cli, tmp_path):
    names = []
    for index in range(1000):
        names.append(write(tmp_path, f"job_{index:04d}.conf", VALID).name)
    (tmp_path / "job_0500.conf").write_bytes(b"\x00\x01binary")
    (tmp_path / "folder.conf").mkdir()
    result = run_cli("validate", *names, "folder.conf", "missing.json")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "job_0500.conf: error: $: is a binary file, not a HOCON or JSON config",
        "folder.conf: error: $: is a directory; give a .conf, .hocon or .json file",
        "missing.json: error: $: no such file; check the path",
        "1002 file(s) checked: 3 invalid, 3 error(s), 0 warning(s)",
    ]
    assert result.stderr == ""


def test_not_a_job_is_one_error(run_cli, tmp_path):
    write(tmp_path, "app.conf", "datastax-java-driver { basic.request.timeout = 10 s }\n")
    result = run_cli("validate", "app.conf")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "app.conf: error: $: not a SeaTunnel job, because it has none of the blocks env, source, "
        "transform and sink (top-level keys: datastax-java-driver)",
        "1 file(s) checked: 1 invalid, 1 error(s), 0 warning(s)",
    ]


def test_concurrent_batches_give_the_same_result(tmp_path):
    for index in range(50):
        write(tmp_path, f"ok_{index}.conf", VALID)
    write(tmp_path, "bad.json", INVALID_JSON)
    files = sorted(path.name for path in tmp_path.iterdir())
    command = [sys.executable, "-m", "stconfig", "validate", "-q", *files]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [1, 1]
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("validate", "--format", "xml", "job.conf"),
        ("validate", "--var", "novalue", "job.conf"),
    ],
)
def test_usage_errors_exit_two(run_cli, tmp_path, args):
    write(tmp_path, "job.conf", VALID)
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Usage:" in result.stderr or "Error:" in result.stderr


def test_schema_prints_plugin_schema(run_cli):
    result = run_cli("schema", "fakesource")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "FakeSource source"
    assert "row.num" in schema["properties"]
    assert result.stderr == ""


def test_schema_of_job_and_its_path(run_cli):
    printed = run_cli("schema", "job")
    located = run_cli("schema", "job", "--path")
    assert json.loads(printed.stdout)["title"] == "Apache SeaTunnel job"
    path = Path(located.stdout.strip())
    assert path.name == "job.schema.json"
    assert json.loads(path.read_text()) == json.loads(printed.stdout)


def test_schema_needs_section_for_plugins_in_two_blocks(run_cli):
    ambiguous = run_cli("schema", "LocalFile")
    chosen = run_cli("schema", "LocalFile", "--section", "sink")
    assert ambiguous.returncode == 1
    assert ambiguous.stdout == ""
    assert ambiguous.stderr == (
        "error: LocalFile has a schema per section; pick one with --section source or "
        "--section sink\n"
    )
    assert chosen.returncode == 0
    assert json.loads(chosen.stdout)["title"] == "LocalFile sink"


def test_schema_of_unknown_plugin(run_cli):
    result = run_cli("schema", "Kafak")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: no schema for the plugin 'Kafak'; did you mean \"Kafka\"?; stconfig plugins lists "
        "the plugins that have one\n"
    )


def test_plugins_lists_known_plugins(run_cli):
    text = run_cli("plugins")
    listed = run_cli("plugins", "--section", "transform", "--format", "json")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert "source     FakeSource           schema" in lines
    assert "sink       Hudi                 name only" in lines
    rows = json.loads(listed.stdout)
    assert {"section": "transform", "name": "Sql", "schema": True} in rows
    assert all(row["section"] == "transform" for row in rows)


def test_help_lists_the_commands(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("validate", "schema", "plugins"):
        assert f"  {command} " in result.stdout
