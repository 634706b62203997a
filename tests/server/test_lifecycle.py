"""Stopping jobs, restarting nodes, and two nodes on one data directory."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests.server.nodes import V1, NodeProcess, batch_job, streaming_job

ENDED = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")


def checkpoint_recorded(data_dir: Path, job_id: int) -> bool:
    """Tell whether the runner has stored a checkpoint of the job in `data_dir`."""
    from stconfig.server.engine import Engine

    return Engine(data_dir).has_checkpoint(job_id)


def test_stop_cancels_running_job(node: NodeProcess) -> None:
    job_id = node.submit(streaming_job())
    node.wait_for_status(job_id, ("RUNNING",))

    reply = node.post(f"{V1}/stop-job", {"jobId": job_id, "isStopWithSavePoint": False})

    assert reply.status == 200
    assert reply.json == {"jobId": job_id}
    assert node.wait_for_status(job_id, ENDED, timeout=10)["jobStatus"] == "CANCELED"
    canceled = [item["jobId"] for item in node.get(f"{V1}/finished-jobs/CANCELED").json]
    assert canceled == [str(job_id)]
    assert node.get(f"{V1}/running-jobs").json == []
    again = node.post(f"{V1}/stop-job", {"jobId": job_id})
    assert again.status == 200
    assert node.job_info(job_id)["jobStatus"] == "CANCELED"
    assert f"stop requested for job {job_id}" in node.log()


def test_stop_with_savepoint_then_resume(node: NodeProcess) -> None:
    job_id = node.submit(streaming_job())
    node.wait_for_status(job_id, ("RUNNING",))

    reply = node.post(f"{V1}/stop-job", {"jobId": str(job_id), "isStopWithSavePoint": True})

    assert reply.status == 200
    assert node.wait_for_status(job_id, ENDED, timeout=15)["jobStatus"] == "SAVEPOINT_DONE"
    listed = [item["jobId"] for item in node.get(f"{V1}/finished-jobs/savepoint_done").json]
    assert listed == [str(job_id)]

    resumed = node.post(
        f"{V1}/submit-job?jobId={job_id}&isStartWithSavePoint=true", streaming_job()
    )
    assert resumed.status == 200, resumed.body
    assert resumed.json["jobId"] == job_id
    info = node.wait_for_status(job_id, ("RUNNING",))
    assert info["isStartWithSavePoint"] is True
    node.post(f"{V1}/stop-job", {"jobId": job_id})
    assert node.wait_for_status(job_id, ENDED)["jobStatus"] == "CANCELED"


def test_resume_running_job_is_409(node: NodeProcess) -> None:
    job_id = node.submit(streaming_job())
    node.wait_for_status(job_id, ("RUNNING",))

    reply = node.post(f"{V1}/submit-job?jobId={job_id}&isStartWithSavePoint=true", streaming_job())

    assert reply.status == 409
    assert str(job_id) in reply.json["message"]
    node.post(f"{V1}/stop-job", {"jobId": job_id})
    node.wait_for_status(job_id, ENDED)


def test_restart_keeps_history(node_factory: Callable[..., NodeProcess], tmp_path: Path) -> None:
    first = node_factory()
    finished = first.submit(batch_job())
    first.wait_for_status(finished, ENDED)
    canceled = first.submit(streaming_job())
    first.wait_for_status(canceled, ("RUNNING",))

    assert first.stop() == 0
    log = first.log()
    assert "stopping the node: 1 running job(s) to cancel" in log
    assert "stopped" in log

    second = node_factory(data_dir=first.data_dir)
    ended = {item["jobId"]: item["jobStatus"] for item in second.get(f"{V1}/finished-jobs").json}
    assert ended[str(finished)] == "FINISHED"
    assert ended[str(canceled)] == "CANCELED"
    assert second.get(f"{V1}/running-jobs").json == []


def test_killed_node_jobs_become_failed(node_factory: Callable[..., NodeProcess]) -> None:
    first = node_factory()
    job_id = first.submit(streaming_job())
    first.wait_for_status(job_id, ("RUNNING",))
    deadline = time.monotonic() + 20
    while not checkpoint_recorded(first.data_dir, job_id) and time.monotonic() < deadline:
        time.sleep(0.1)

    first.kill()
    second = node_factory(data_dir=first.data_dir)

    info = second.wait_for_status(job_id, ("FAILED",), timeout=10)
    assert "stopped before the job ended" in info["errorMsg"]
    assert "isStartWithSavePoint=true" in info["errorMsg"]
    resumed = second.post(
        f"{V1}/submit-job?jobId={job_id}&isStartWithSavePoint=true", streaming_job()
    )
    assert resumed.status == 200, resumed.body
    assert second.wait_for_status(job_id, ("RUNNING",))["isStartWithSavePoint"] is True
    second.post(f"{V1}/stop-job", {"jobId": job_id})
    second.wait_for_status(job_id, ENDED)


def test_two_nodes_share_one_cluster(
    node_factory: Callable[..., NodeProcess], tmp_path: Path
) -> None:
    data_dir = tmp_path / "cluster"
    left = node_factory(data_dir=data_dir)
    right = node_factory(data_dir=data_dir)

    on_left = left.submit(streaming_job())
    on_right = right.submit(streaming_job())
    batch_ids = [
        left.submit(batch_job()) if i % 2 else right.submit(batch_job()) for i in range(10)
    ]

    assert len({on_left, on_right, *batch_ids}) == 12
    left.wait_for_status(on_right, ("RUNNING",))
    right.wait_for_status(on_left, ("RUNNING",))
    for listing_node in (left, right):
        running = {job["jobId"] for job in listing_node.get(f"{V1}/running-jobs").json}
        assert {str(on_left), str(on_right)} <= running
        nodes = listing_node.get(f"{V1}/system-monitoring-information").json
        assert sorted(item["port"] for item in nodes) == sorted([str(left.port), str(right.port)])
        assert [item["isMaster"] for item in nodes].count("true") == 1

    stopped = left.post(f"{V1}/stop-job", {"jobId": on_right})
    assert stopped.status == 200
    assert right.wait_for_status(on_right, ENDED, timeout=10)["jobStatus"] == "CANCELED"
    assert left.wait_for_status(on_right, ENDED)["jobStatus"] == "CANCELED"
    assert "requested through another node" in right.log()
    right.post(f"{V1}/stop-job", {"jobId": on_left})
    assert left.wait_for_status(on_left, ENDED, timeout=10)["jobStatus"] == "CANCELED"


def test_sink_failing_to_open_lists_failed(node: NodeProcess) -> None:
    blocker = node.data_dir / "files" / "blocker"
    blocker.write_text("a file where the sink expects a folder\n")
    job = {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 3,
                "schema": {"fields": {"id": "int"}},
            }
        ],
        "sink": [
            {
                "plugin_name": "LocalFile",
                "plugin_input": "fake",
                "path": str(blocker / "out"),
                "file_format_type": "json",
                "password": "secret-1",
            }
        ],
    }
    job_id = node.submit(job)

    info = node.wait_for_status(job_id, ENDED)

    assert info["jobStatus"] == "FAILED"
    assert info["errorMsg"]
    assert "secret-1" not in info["errorMsg"]
    failed = node.get(f"{V1}/finished-jobs/FAILED").json
    assert [item["jobId"] for item in failed] == [str(job_id)]
    for path in (
        "running-jobs",
        f"job-info/{job_id}",
        "finished-jobs",
        "overview",
        "system-monitoring-information",
    ):
        assert node.get(f"{V1}/{path}").status == 200, path
    assert f"job {job_id} ended FAILED" in node.log()


def test_log_lines_name_jobs(node: NodeProcess) -> None:
    job_id = node.submit(batch_job())
    node.wait_for_status(job_id, ENDED)

    assert node.stop() == 0
    log = node.log()
    assert f"listening on http://127.0.0.1:{node.port} (data directory {node.data_dir}" in log
    assert f"job {job_id} 'SeaTunnel_Job' submitted" in log
    assert f"job {job_id} is RUNNING" in log
    assert f"job {job_id} ended FINISHED" in log
    assert "stopped" in log.splitlines()[-1]


def test_history_expires(node_factory: Callable[..., NodeProcess], tmp_path: Path) -> None:
    first = node_factory()
    job_id = first.submit(batch_job())
    first.wait_for_status(job_id, ENDED)
    assert first.stop() == 0
    config = tmp_path / "seatunnel.yaml"
    config.write_text("seatunnel:\n  engine:\n    history-job-expire-minutes: 0\n")

    second = node_factory("--config", str(config), data_dir=first.data_dir)

    assert second.get(f"{V1}/finished-jobs").json == []
    assert second.job_info(job_id) == {"jobId": str(job_id)}


def test_shutdown_savepoint_allows_resume(
    node_factory: Callable[..., NodeProcess], tmp_path: Path
) -> None:
    config = tmp_path / "node.yaml"
    config.write_text("stconfig:\n  savepoint-on-shutdown: true\n")
    first = node_factory("--config", str(config))
    job_id = first.submit(streaming_job())
    first.wait_for_status(job_id, ("RUNNING",))

    assert first.stop() == 0
    second = node_factory(data_dir=first.data_dir)

    assert second.job_info(job_id)["jobStatus"] == "SAVEPOINT_DONE"
    resumed = second.post(
        f"{V1}/submit-job?jobId={job_id}&isStartWithSavePoint=true", streaming_job()
    )
    assert resumed.status == 200, resumed.body
    second.wait_for_status(job_id, ("RUNNING",))
    second.post(f"{V1}/stop-job", {"jobId": job_id})
    assert second.wait_for_status(job_id, ENDED)["jobStatus"] == "CANCELED"
