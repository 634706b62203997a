from __future__ import annotations

import json
from pathlib import Path

JOB = """\
# Two sources, one sink.
env { job.mode = "BATCH", job.name = "${name:demo}" }
source {
  FakeSource { plugin_output = "a", row.num = ${rows}, schema { fields { id = int } } }
  FakeSource { plugin_output = "b", row.num = 2, schema { fields { id = int } } }
}
sink { Console { plugin_input = ["a", "b"] } }
"""


def write_job(tmp_path: Path, text: str = JOB, name: str = "job.conf") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_convert_to_json_on_stdout(tmp_path, cli):
    result = cli("convert", str(write_job(tmp_path)), "--to", "json", "--var", "rows=5")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    job = json.loads(result.stdout)
    assert job["env"] == {"job.mode": "BATCH", "job.name": "demo"}
    assert [source["row.num"] for source in job["source"]] == [5, 2]
    assert job["sink"] == [{"plugin_name": "Console", "plugin_input": ["a", "b"]}]


def test_convert_to_hocon_file_reads_back(tmp_path, cli):
    out = tmp_path / "out.conf"
    result = cli(
        "convert", str(write_job(tmp_path)), "--to", "hocon", "-o", str(out), "-i", "rows=5"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    back = cli("convert", str(out), "--to", "json")
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["source"][0]["row.num"] == 5


def test_convert_reads_stdin(cli):
    result = cli(
        "convert",
        "-",
        "--to",
        "json",
        input='{"source": [{"plugin_name": "FakeSource"}], "sink": []}',
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"] == [{"plugin_name": "FakeSource"}]


def test_missing_variable_is_an_error(tmp_path, cli):
    result = cli("convert", str(write_job(tmp_path)), "--to", "json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "${rows}" in result.stderr
    assert ":4:" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_inputs_get_one_clear_error_each(tmp_path, cli):
    (tmp_path / "binary.conf").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "empty.conf").write_text("")
    cases = {
        "unclosed.conf": ("env {\n  job.mode = BATCH\n", "expected '}' to close this object"),
        "escape.conf": ('source { FakeSource { a = "\\x" } }', "expected one of the escapes"),
        "array.json": ("[1, 2]", "a JSON object at the top level"),
        "binary.conf": (None, "binary file"),
        "empty.conf": (None, "is empty"),
        "absent.conf": (None, "no such file"),
        "not_job.conf": ("datastax { a = 1 }", "not a SeaTunnel job"),
    }
    for name, (text, expected) in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text)
        result = cli("convert", str(tmp_path / name), "--to", "json")
        assert result.returncode == 1, name
        assert result.stdout == "", name
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (name, result.stderr)
        assert lines[0].startswith("error: "), name
        assert expected in lines[0], (name, lines[0])


def test_usage_errors_exit_2(tmp_path, cli):
    job = str(write_job(tmp_path))
    missing_to = cli("convert", job)
    assert missing_to.returncode == 2
    assert "--to" in missing_to.stderr
    bad_var = cli("convert", job, "--to", "json", "--var", "rows")
    assert bad_var.returncode == 2
    assert "name=value" in bad_var.stderr
    bad_format = cli("convert", job, "--to", "yaml")
    assert bad_format.returncode == 2


def test_help_lists_commands(cli):
    result = cli("--help")
    assert result.returncode == 0
    assert "convert" in result.stdout


def test_unused_variable_is_reported(tmp_path, cli):
    result = cli("convert", str(write_job(tmp_path)), "--to", "json", "-i", "rows=5", "-i", "row=6")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"][0]["row.num"] == 5
    assert "--var row is not used" in result.stderr
    assert "--var rows" not in result.stderr
