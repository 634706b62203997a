"""The client commands against a stand-in SeaTunnel node and against stconfig's own node."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.seatunnel_standin import FIRST_ID, Standin

JOB_CONF = """
env { job.mode = "BATCH", job.name = "${name}" }
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 5
    schema { fields { id = int } }
  }
}
sink { Console { plugin_input = "fake" } }
"""


def stconfig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stconfig", *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def standin() -> Iterator[Standin]:
    server = Standin()
    yield server
    server.close()


@pytest.fixture
def job_file(tmp_path: Path) -> Path:
    path = tmp_path / "job.conf"
    path.write_text(JOB_CONF, encoding="utf-8")
    return path


def test_submit_posts_json_and_prints_id(standin: Standin, job_file: Path) -> None:
    result = stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=orders")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{FIRST_ID}\n"
    assert result.stderr == ""
    body = standin.state.bodies[0]
    assert body["env"] == {"job.mode": "BATCH", "job.name": "orders"}
    assert body["source"][0]["plugin_name"] == "FakeSource"
    assert body["source"][0]["row.num"] == 5


def test_submit_json_output_and_name(standin: Standin, job_file: Path) -> None:
    result = stconfig(
        "submit",
        str(job_file),
        "--url",
        standin.url,
        "--var",
        "name=x",
        "--job-name",
        "作业",
        "--json",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"jobId": FIRST_ID, "jobName": "作业"}
    assert result.stderr == ""


def test_submit_invalid_job_posts_nothing(standin: Standin, tmp_path: Path) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(
        'env { job.mode = "BATCH" }\nsource { FakeSource { row.num = 1 } }\nsink { Console {} }\n'
    )

    result = stconfig("submit", str(path), "--url", standin.url)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "schema" in result.stderr
    assert "not submitted" in result.stderr
    assert standin.state.bodies == []


def test_jobs_table_reads_string_ids(standin: Standin, job_file: Path) -> None:
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=orders")

    result = stconfig("jobs", "--url", standin.url)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["JOB", "ID", "NAME", "STATUS", "CREATED", "READ", "WRITTEN"]
    assert lines[1].split()[:3] == [str(FIRST_ID), "orders", "RUNNING"]
    assert lines[1].split()[-2:] == ["100", "100"]


def test_jobs_finished_uses_finish_time(standin: Standin, job_file: Path) -> None:
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=a")
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=b")
    standin.finish(str(FIRST_ID), "FINISHED")
    standin.finish(str(FIRST_ID + 1), "FAILED", "boom")

    every = stconfig("jobs", "--finished", "--url", standin.url)
    failed = stconfig("jobs", "--url", standin.url, "--finished", "failed", "--json")

    assert every.returncode == 0, every.stderr
    assert "2024-10-23 20:07:30" in every.stdout
    assert str(FIRST_ID) in every.stdout
    assert str(FIRST_ID + 1) in every.stdout
    assert failed.returncode == 0, failed.stderr
    assert [job["jobId"] for job in json.loads(failed.stdout)] == [str(FIRST_ID + 1)]


def test_job_shows_details_and_unknown_is_error(standin: Standin, job_file: Path) -> None:
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=orders")
    standin.finish(str(FIRST_ID), "FAILED", "sink failed to open")

    shown = stconfig("job", str(FIRST_ID), "--url", standin.url)
    unknown = stconfig("job", "999", "--url", standin.url)

    assert shown.returncode == 0, shown.stderr
    assert "FAILED" in shown.stdout
    assert "2024-10-23 20:07:30" in shown.stdout
    assert "sink failed to open" in shown.stdout
    assert unknown.returncode == 1
    assert unknown.stdout == ""
    assert "job 999 not found" in unknown.stderr


def test_stop_sends_number_and_reads_string_reply(standin: Standin, job_file: Path) -> None:
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=orders")

    result = stconfig("stop", str(FIRST_ID), "--savepoint", "--url", standin.url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"stopping job {FIRST_ID} with a savepoint\n"
    assert standin.state.stops == [{"jobId": FIRST_ID, "isStopWithSavePoint": True}]


def test_stop_ended_job_says_so(standin: Standin, job_file: Path) -> None:
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=orders")
    standin.finish(str(FIRST_ID), "FINISHED")

    result = stconfig("stop", str(FIRST_ID), "--url", standin.url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"job {FIRST_ID} has already ended FINISHED, so it was not stopped\n"
    assert result.stderr == ""
    assert standin.state.stops == []


def test_stop_ended_job_json(standin: Standin, job_file: Path) -> None:
    stconfig("submit", str(job_file), "--url", standin.url, "--var", "name=orders")
    standin.finish(str(FIRST_ID), "FAILED", "boom")

    result = stconfig("stop", str(FIRST_ID), "--url", standin.url, "--json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "jobId": FIRST_ID,
        "stopRequested": False,
        "jobStatus": "FAILED",
    }
    assert result.stderr == ""
    assert standin.state.stops == []


def test_stop_unknown_job_is_error(standin: Standin) -> None:
    result = stconfig("stop", "999", "--url", standin.url)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: job 999 not found on {standin.url}; list jobs with `stconfig jobs`\n"
    )
    assert standin.state.stops == []


@pytest.mark.parametrize("command", ["job", "stop"])
@pytest.mark.parametrize("value", ["abc", "0", "1.5"])
def test_invalid_job_id_argument(standin: Standin, command: str, value: str) -> None:
    result = stconfig(command, value, "--url", standin.url)

    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        f"Invalid value for 'ID': '{value}' is not a job id; a job id is a positive whole number"
    ) in result.stderr
    assert "integer range" not in result.stderr
    assert standin.state.stops == []


def test_too_large_job_id_argument(standin: Standin) -> None:
    result = stconfig("job", "9223372036854775808", "--url", standin.url)

    assert result.returncode == 2
    assert result.stdout == ""
    assert "'9223372036854775808' is too large for a job id" in result.stderr


def test_monitor_table(standin: Standin) -> None:
    result = stconfig("monitor", "--url", standin.url)

    assert result.returncode == 0, result.stderr
    assert "localhost:5801" in result.stdout
    assert "9.1G/16.0G" in result.stdout


def test_unreachable_node_is_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = stconfig("jobs", "--url", f"http://127.0.0.1:{port}")

    assert result.returncode == 1
    assert result.stdout == ""
    assert "cannot reach the node" in result.stderr
    assert "connection refused" in result.stderr


def test_node_error_message_is_shown(standin: Standin) -> None:
    result = stconfig("job", "abc", "--url", standin.url)

    assert result.returncode == 2
    assert "'abc' is not a job id" in result.stderr


def test_stop_running_job_on_stconfig_node(tmp_path: Path) -> None:
    from tests.server.nodes import start_node, streaming_job

    node = start_node(tmp_path / "data")
    url = f"http://127.0.0.1:{node.port}"
    try:
        job_id = node.submit(streaming_job())
        node.wait_for_status(job_id, ("RUNNING",))
        stopped = stconfig("stop", str(job_id), "--url", url)
        info = node.wait_for_status(job_id, ("CANCELED",))
        again = stconfig("stop", str(job_id), "--url", url)
    finally:
        node.stop()

    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == f"stopping job {job_id} by cancelling it\n"
    assert stopped.stderr == ""
    assert info["jobStatus"] == "CANCELED"
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"job {job_id} has already ended CANCELED, so it was not stopped\n"


def test_commands_against_stconfig_node(tmp_path: Path, job_file: Path) -> None:
    from tests.server.nodes import start_node

    node = start_node(tmp_path / "data")
    url = f"http://127.0.0.1:{node.port}"
    try:
        submitted = stconfig("submit", str(job_file), "--url", url, "--var", "name=local")
        assert submitted.returncode == 0, submitted.stderr
        job_id = int(submitted.stdout)
        node.wait_for_status(job_id, ("FINISHED",))
        finished = stconfig("jobs", "--finished", "FINISHED", "--url", url)
        shown = stconfig("job", str(job_id), "--url", url, "--json")
        stopped = stconfig("stop", str(job_id), "--url", url)
        monitor = stconfig("monitor", "--url", url, "--json")
    finally:
        node.stop()

    assert str(job_id) in finished.stdout
    assert "local" in finished.stdout
    assert json.loads(shown.stdout)["jobStatus"] == "FINISHED"
    assert stopped.returncode == 0
    assert stopped.stdout == f"job {job_id} has already ended FINISHED, so it was not stopped\n"
    assert stopped.stderr == ""
    assert json.loads(monitor.stdout)[0]["port"] == str(node.port)
