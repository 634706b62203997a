# Job configs below are written on long lines, as users write them.
# ruff: noqa: E501
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

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
