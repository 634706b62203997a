# Job configs below are written on long lines, as users write them.
# ruff: noqa: E501
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 120


def _stconfig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stconfig", *args], capture_output=True, text=True, timeout=TIMEOUT
    )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "job.conf"
    path.write_text(text)
    return path


BATCH = """
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = ${rows}, schema { fields { id = int } } } }
sink { Console { plugin_input = "fake" } }
"""


def test_run_prints_rows_and_summary(tmp_path: Path) -> None:
    result = _stconfig("run", str(_write(tmp_path, BATCH)), "--var", "rows=3")
    assert result.returncode == 0
    assert result.stdout.count("SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT") == 3
    assert "Job FINISHED" in result.stderr
    assert "rows read:     3" in result.stderr


def test_run_failed_job_exits_one_with_cause(tmp_path: Path) -> None:
    text = BATCH.replace(
        'Console { plugin_input = "fake" }',
        'Assert { plugin_input = "fake", rules { row_rules = [ { rule_type = MAX_ROW, rule_value = 1 } ] } }',
    )
    result = _stconfig("run", str(_write(tmp_path, text)), "--var", "rows=3")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "error: job FAILED: ErrorCode:[ASSERT-01]" in result.stderr
    assert "row num :3" in result.stderr


def test_run_invalid_job_exits_one(tmp_path: Path) -> None:
    result = _stconfig("run", str(_write(tmp_path, BATCH.replace("${rows}", "-3"))))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "validation error" in result.stderr
    assert "row.num" in result.stderr


def test_run_missing_file_exits_one(tmp_path: Path) -> None:
    result = _stconfig("run", str(tmp_path / "absent.conf"))
    assert result.returncode == 1
    assert "no such file" in result.stderr
    assert result.stdout == ""


def test_run_ctrl_c_cancels_and_exits_130(tmp_path: Path) -> None:
    text = """
    env { job.mode = "STREAMING" }
    source { FakeSource { plugin_output = "t", row.num = 100000, split.num = 100000, split.read-interval = 100,
                          schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stconfig",
            "run",
            str(_write(tmp_path, text)),
            "--progress-interval",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert "rows/s" in first
        deadline = time.monotonic() + 30
        while "read 0 rows" in first and time.monotonic() < deadline:
            first = process.stderr.readline()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "SeaTunnelRow#tableId=t" in out
    assert "Job CANCELED" in err
    assert "error: interrupted; the job was canceled" in err


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "stconfig", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_run_bad_csv_value_prints_one_line(tmp_path: Path, cli: Callable[..., Any]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "people.csv").write_text(
        "name,age,tags\nalice,30,a-b\nbob,40,c\ndave,notanumber,a-b\n"
    )
    job = _write(
        tmp_path,
        """
        env { job.mode = "BATCH" }
        source { LocalFile { path = "in/people.csv", file_format_type = "csv", skip_header_row_number = 1,
                             plugin_output = "p", schema { fields { name = string, age = int, tags = string } } } }
        sink { Console { plugin_input = "p" } }
        """,
    )
    result = cli("run", str(job), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.endswith(
        "error: job FAILED: LocalFile source: people.csv line 4, field 'age': "
        "cannot read 'notanumber' as INT\n"
    )
    assert result.stderr.count("notanumber") == 1
    assert "Traceback" not in result.stderr
    assert 'File "' not in result.stderr
    assert "WARNING" not in result.stderr


BUGGY_PLUGIN = """
from stconfig.server.engine.plugins import Source, SourceReader
from stconfig.server.engine.types import parse_schema


class BuggyReader(SourceReader):
    def poll(self):
        return {}["missing"]


class BuggySource(Source):
    plugin_name = "BuggySource"

    def __init__(self, options, context):
        super().__init__(options, context)
        self.tables = [parse_schema(options, "buggy")]

    def create_reader(self, index, parallelism, state):
        return BuggyReader()
"""


@pytest.fixture
def buggy_plugin(tmp_path: Path) -> dict[str, str]:
    """Install a third-party source whose reader raises KeyError; return the environment."""
    site = tmp_path / "site"
    info = site / "buggy_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "buggy_plugin.py").write_text(BUGGY_PLUGIN)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: buggy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[stconfig.plugins]\nsource.BuggySource = buggy_plugin:BuggySource\n"
    )
    return {"PYTHONPATH": os.pathsep.join([str(site), *sys.path])}


BUGGY_JOB = """
env { job.mode = "BATCH" }
source { BuggySource { plugin_output = "t", schema { fields { id = int } } } }
sink { Console { plugin_input = "t" } }
"""


def test_run_plugin_bug_hides_traceback(
    tmp_path: Path, cli: Callable[..., Any], buggy_plugin: dict[str, str]
) -> None:
    result = cli("run", str(_write(tmp_path, BUGGY_JOB)), env=buggy_plugin)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.endswith(
        "error: job FAILED: BuggySource source failed with an unexpected KeyError: 'missing'; "
        "this is a bug in stconfig or the plugin, and its traceback is logged at debug level\n"
    )
    assert "Traceback" not in result.stderr


def test_run_plugin_bug_traceback_at_debug(
    tmp_path: Path, cli: Callable[..., Any], buggy_plugin: dict[str, str]
) -> None:
    job = str(_write(tmp_path, BUGGY_JOB))
    result = cli("--log-level", "debug", "run", job, env=buggy_plugin)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "DEBUG stconfig.server.engine.engine: job 1: traceback of the failure:" in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert 'return {}["missing"]' in result.stderr
    assert result.stderr.count("Traceback (most recent call last):") == 1


def test_run_unfilled_variable_stops_before_start(corpus: Path, cli: Callable[..., Any]) -> None:
    found = sorted(corpus.rglob("batch_fakesource_to_file_header.conf"))
    assert found, "the corpus has no batch_fakesource_to_file_header.conf"
    result = cli("run", str(found[0]))
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        "error: $.sink[0].file_format_type: contains the variable ${file_format_type}, "
        "which has no value; pass --var file_format_type=VALUE"
    ) in result.stderr
    assert "2 validation errors; fix them and run the job again" in result.stderr
    assert "Job " not in result.stderr
    assert "Could not parse value for enum" not in result.stderr


def test_run_validate_keeps_unfilled_variable_warning(
    corpus: Path, cli: Callable[..., Any]
) -> None:
    found = sorted(corpus.rglob("batch_fakesource_to_file_header.conf"))
    result = cli("validate", str(found[0]))
    assert result.returncode == 0
    assert "warning: $.sink[0].file_format_type: holds the unfilled variable" in result.stdout


def test_run_keeps_sink_placeholders(tmp_path: Path, cli: Callable[..., Any]) -> None:
    job = _write(
        tmp_path,
        f"""
        env {{ job.mode = "BATCH" }}
        source {{ FakeSource {{ plugin_output = "orders", row.num = 3, string.fake.mode = "template", string.template = ["eu"],
                              schema {{ fields {{ id = int, region = string }} }} }} }}
        sink {{ LocalFile {{ plugin_input = "orders", path = "{tmp_path}/out/${{table_name}}", file_format_type = "csv",
                            custom_filename = true, file_name_expression = "${{transactionId}}_${{now}}_${{uuid}}",
                            have_partition = true, partition_by = [region], partition_dir_expression = "${{k0}}=${{v0}}" }} }}
        """,
    )
    result = cli("run", str(job))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Job FINISHED" in result.stderr
    written = list((tmp_path / "out" / "orders" / "region=eu").glob("T_*.csv"))
    assert len(written) == 1
    assert "${" not in written[0].name


def test_run_sigterm_cancels_and_exits_143(tmp_path: Path) -> None:
    text = """
    env { job.mode = "STREAMING" }
    source { FakeSource { plugin_output = "t", row.num = 100000, split.num = 100000, split.read-interval = 100,
                          schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    process = _start("run", str(_write(tmp_path, text)), "--progress-interval", "0.1")
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert "rows/s" in first
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143
    assert "Job CANCELED" in err
    assert "rows read:" in err
    assert err.endswith("error: received SIGTERM; the job was canceled\n")
    assert "Traceback" not in err


def test_run_progress_rate_is_recent(tmp_path: Path) -> None:
    text = """
    env { job.mode = "STREAMING" }
    source { FakeSource { plugin_output = "t", row.num = 100, schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    process = _start("run", str(_write(tmp_path, text)), "--progress-interval", "0.2")
    try:
        assert process.stderr is not None
        lines: list[str] = []
        # Each line comes at least 0.2 s after the one before, so 15 lines after the
        # last row was read span at least 3 s of a stream that reads nothing.
        while len(lines) < 15:
            line = process.stderr.readline()
            assert line, "stconfig run ended early"
            if "read 100 rows" in line:
                lines.append(line)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    assert lines[-1].rstrip().endswith(" 0 rows/s")
    assert "(average over the run)" in err


def test_run_key_file_decrypts_aes_values(tmp_path: Path, cli: Callable[..., Any]) -> None:
    key = tmp_path / "job.key"
    assert cli("keygen", str(key)).returncode == 0
    plain = _write(
        tmp_path,
        """
        env { job.mode = "BATCH", shade.identifier = "aes" }
        source { FakeSource { plugin_output = "t", row.num = 2, schema { fields { id = int } } } }
        sink { Console { plugin_input = "t", password = "hunter2" } }
        """,
    )
    encrypted = tmp_path / "encrypted.conf"
    result = cli("encrypt", str(plain), "--key-file", str(key), "-o", str(encrypted))
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in encrypted.read_text()

    without_key = cli("run", str(encrypted), env={"STCONFIG_AES_KEY": ""})
    assert without_key.returncode == 1
    assert without_key.stdout == ""
    assert "pass --key-file" in without_key.stderr

    with_key = cli("run", str(encrypted), "--key-file", str(key), env={"STCONFIG_AES_KEY": ""})
    assert with_key.returncode == 0, with_key.stderr
    assert with_key.stdout.count("SeaTunnelRow#tableId=t") == 2
    assert "Job FINISHED" in with_key.stderr
    assert "hunter2" not in with_key.stderr


def test_run_help_lists_key_file(cli: Callable[..., Any]) -> None:
    result = cli("run", "--help")
    assert result.returncode == 0
    assert result.stderr == ""
    assert "--key-file FILE" in result.stdout
    assert "aes shade" in result.stdout
