# Job configs below are written on long lines, as users write them.
# ruff: noqa: E501
from __future__ import annotations

import json
import logging
import os
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from stconfig.config import loads
from stconfig.server.engine import (
    Engine,
    JobEvent,
    JobHandle,
    NoCheckpointError,
    build_dag,
    empty_metrics,
)

FAKE_TEN = """
env { job.mode = "BATCH", parallelism = 2 }
source { FakeSource { plugin_output = "fake", row.num = 10, schema { fields { id = int, name = string } } } }
sink { Console { plugin_input = "fake" } }
"""


def test_parallelism_multiplies_source_rows(run: Callable[..., JobHandle]) -> None:
    handle = run(FAKE_TEN)
    metrics = handle.metrics()
    assert handle.status == "FINISHED"
    assert metrics["SourceReceivedCount"] == "20"
    assert metrics["SinkWriteCount"] == "20"
    assert metrics["TableSourceReceivedCount"] == {"fake": "20"}


def test_two_sinks_add_up_written_rows(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    handle = run(
        f"""
        env {{ job.mode = "BATCH" }}
        source {{ FakeSource {{ plugin_output = "t", row.num = 10, schema {{ fields {{ id = int }} }} }} }}
        transform {{ FieldMapper {{ plugin_input = "t", plugin_output = "t2", field_mapper {{ id = id2 }} }} }}
        sink {{
          Console {{ plugin_input = "t2" }}
          LocalFile {{ plugin_input = "t2", path = "{tmp_path / "out"}", file_format_type = "json" }}
        }}
        """
    )
    metrics = handle.metrics()
    assert handle.status == "FINISHED"
    assert metrics["SourceReceivedCount"] == "10"
    assert metrics["SinkWriteCount"] == "20"
    assert metrics["TableSinkWriteCount"] == {"t": "20"}
    written = [
        json.loads(line)
        for f in (tmp_path / "out").iterdir()
        for line in f.read_text().splitlines()
    ]
    assert len(written) == 10
    assert set(written[0]) == {"id2"}


def test_unwritable_sink_path_fails_job(run: Callable[..., JobHandle], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the sink wants a folder")
    handle = run(
        f"""
        env {{ job.mode = "BATCH" }}
        source {{ FakeSource {{ plugin_output = "t", row.num = 10, schema {{ fields {{ id = int }} }} }} }}
        sink {{
          Console {{ plugin_input = "t" }}
          LocalFile {{ plugin_input = "t", path = "{blocker / "out"}", file_format_type = "json" }}
        }}
        """
    )
    assert handle.status == "FAILED"
    assert str(blocker / "out") in (handle.error or "")
    assert handle.metrics()["SinkWriteCount"] == "0"


def test_duplicate_blocks_stay_separate(
    run: Callable[..., JobHandle], capfd: pytest.CaptureFixture[str]
) -> None:
    handle = run(
        """
        env { job.mode = "BATCH" }
        source {
          FakeSource { plugin_output = "a", row.num = 1, schema { fields { id = int } } }
          FakeSource { plugin_output = "b", row.num = 2, schema { fields { id = int } } }
        }
        sink { Console { plugin_input = "a" }  Console { plugin_input = "b" } }
        """
    )
    out = capfd.readouterr().out
    assert handle.status == "FINISHED"
    assert handle.metrics()["SourceReceivedCount"] == "3"
    assert out.count("SeaTunnelRow#tableId=a ") == 1
    assert out.count("SeaTunnelRow#tableId=b ") == 2


def test_metrics_have_sixteen_string_keys(run: Callable[..., JobHandle]) -> None:
    metrics = run(FAKE_TEN).metrics()
    assert len(metrics) == 16
    assert all(isinstance(v, str) for k, v in metrics.items() if not k.startswith("Table"))
    assert float(metrics["SourceReceivedQPS"]) > 0
    assert metrics["SourceReceivedBytes"] == metrics["SinkWriteBytes"]


def test_empty_metrics_are_zero() -> None:
    metrics = empty_metrics()
    assert len(metrics) == 16
    assert metrics["SourceReceivedCount"] == "0"
    assert metrics["SinkWriteQPS"] == "0.0"
    assert metrics["TableSinkWriteCount"] == {}


def test_build_dag_without_running() -> None:
    dag = build_dag(loads(FAKE_TEN).job, 42)
    assert list(dag) == ["jobId", "pipelineEdges", "envOptions", "vertexInfoMap"]
    assert dag["jobId"] == "42"
    assert dag["pipelineEdges"] == {"1": [{"inputVertexId": "1", "targetVertexId": "2"}]}
    assert dag["envOptions"] == {"job.mode": "BATCH", "parallelism": "2"}
    assert dag["vertexInfoMap"][0] == {
        "vertexId": 1,
        "type": "source",
        "vertexName": "pipeline-1 [Source[0]-FakeSource]",
        "tablePaths": ["fake"],
    }
    assert dag["vertexInfoMap"][1]["vertexName"] == "pipeline-1 [Sink[0]-console-MultiTableSink]"


def test_events_follow_job_states(engine: Engine) -> None:
    events: list[JobEvent] = []
    handle = engine.start(7, loads(FAKE_TEN).job, on_event=events.append)
    assert handle.wait(60) == "FINISHED"
    statuses = [event.status for event in events]
    assert statuses[0] == "PENDING"
    assert "RUNNING" in statuses
    assert statuses[-1] == "FINISHED"
    assert events[-1].metrics["SourceReceivedCount"] == "20"
    assert all(event.job_id == 7 for event in events)


STREAMING = """
env { job.mode = "STREAMING" }
source { FakeSource { plugin_output = "t", row.num = 1000000, split.num = 100000, split.read-interval = 1000,
                      schema { fields { id = int } } } }
sink { Console { plugin_input = "t", log.print.data = false } }
"""


def test_cancel_streaming_job(engine: Engine) -> None:
    handle = engine.start(1, loads(STREAMING).job)
    _wait_for(handle, "RUNNING")
    handle.cancel()
    assert handle.status in ("CANCELING", "CANCELED")
    assert handle.wait(5) == "CANCELED"
    handle.cancel()
    assert handle.status == "CANCELED"
    assert not engine.has_checkpoint(1)


def _wait_for(handle: JobHandle, status: str) -> None:
    deadline = time.monotonic() + 30
    while handle.status != status and time.monotonic() < deadline:
        time.sleep(0.02)
    assert handle.status == status


BUSY_PLUGIN = """
from stconfig.server.engine.plugins import Source, SourceReader
from stconfig.server.engine.types import parse_schema


class BusyReader(SourceReader):
    def poll(self):
        while True:
            pass


class BusySource(Source):
    plugin_name = "BusySource"

    def __init__(self, options, context):
        super().__init__(options, context)
        self.tables = [parse_schema(options, "busy")]

    def create_reader(self, index, parallelism, state):
        return BusyReader()
"""


@pytest.fixture
def busy_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install a third-party source, whose reader never returns, for worker processes."""
    site = tmp_path / "site"
    info = site / "busy_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "busy_plugin.py").write_text(BUSY_PLUGIN)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: busy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[stconfig.plugins]\nsource.BusySource = busy_plugin:BusySource\n"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), *sys.path]))
    return site


def test_cancel_stops_busy_plugin(engine: Engine, busy_plugin: Path) -> None:
    job = loads(
        """
        env { job.mode = "BATCH" }
        source { BusySource { plugin_output = "t", schema { fields { id = int } } } }
        sink { Console { plugin_input = "t" } }
        """
    ).job
    handle = engine.start(3, job)
    _wait_for(handle, "RUNNING")
    handle.cancel()
    assert handle.wait(5) == "CANCELED"
    assert handle._process.poll() is not None


def test_restore_without_checkpoint_raises(engine: Engine) -> None:
    with pytest.raises(NoCheckpointError, match="job 99 has no savepoint"):
        engine.start(99, loads(FAKE_TEN).job, restore=True)


def _savepoint_job(sink: str) -> dict:
    return loads(
        textwrap.dedent(
            f"""
            env {{ job.mode = "STREAMING", checkpoint.interval = 100000 }}
            source {{ FakeSource {{ plugin_output = "t", row.num = 40, split.num = 40,
                                    split.read-interval = 25, schema {{ fields {{ id = int }} }} }} }}
            sink {{ {sink} }}
            """
        )
    ).job


def _stop_resume_stop(engine: Engine, job: dict) -> None:
    first = engine.start(5, job)
    _wait_for(first, "RUNNING")
    time.sleep(0.3)
    first.stop_with_savepoint()
    assert first.wait(30) == "SAVEPOINT_DONE"
    assert engine.has_checkpoint(5)

    second = engine.start(5, job, restore=True)
    _wait_for(second, "RUNNING")
    deadline = time.monotonic() + 30
    while (
        int(second.metrics()["SourceReceivedCount"]) + int(first.metrics()["SourceReceivedCount"])
        < 40
    ):
        assert time.monotonic() < deadline, "the resumed job did not read the remaining rows"
        time.sleep(0.05)
    second.stop_with_savepoint()
    assert second.wait(30) == "SAVEPOINT_DONE"
    assert 0 < int(first.metrics()["SourceReceivedCount"]) < 40


def test_savepoint_resume_writes_files_once(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _stop_resume_stop(
        engine,
        _savepoint_job(
            f'LocalFile {{ plugin_input = "t", path = "{out}", file_format_type = "json" }}'
        ),
    )
    lines = [line for f in out.iterdir() for line in f.read_text().splitlines()]
    assert len(lines) == 40


def test_savepoint_resume_writes_jdbc_rows_once(engine: Engine, tmp_path: Path) -> None:
    database = tmp_path / "sink.db"
    sink = (
        f'Jdbc {{ plugin_input = "t", url = "jdbc:sqlite:{database}", driver = "org.sqlite.JDBC", '
        'generate_sink_sql = true, database = "main", table = "rows" }'
    )
    _stop_resume_stop(engine, _savepoint_job(sink))
    import sqlite3

    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM rows").fetchone()[0] == 40


def test_secret_values_are_masked_in_errors(run: Callable[..., JobHandle]) -> None:
    handle = run(
        """
        env { job.mode = "BATCH" }
        source { FakeSource { plugin_output = "t", password = "secret-1", row.num = "secret-1",
                              schema { fields { id = int } } } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert handle.status == "FAILED"
    assert "row.num" in (handle.error or "")
    assert "secret-1" not in (handle.error or "")
    assert "******" in (handle.error or "")


def test_jdbc_url_credentials_are_masked(run: Callable[..., JobHandle]) -> None:
    handle = run(
        """
        env { job.mode = "BATCH" }
        source { Jdbc { url = "jdbc:mysql://user1:secret-1@127.0.0.1:3306/db?password=secret-1",
                        driver = "com.mysql.cj.jdbc.Driver", query = "select 1" } }
        sink { Console { } }
        """
    )
    assert handle.status == "FAILED"
    assert "SQLite" in (handle.error or "")
    assert "secret-1" not in (handle.error or "")


def test_paths_outside_allowed_roots_fail(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    engine = Engine(tmp_path / "engine", allow_paths=[allowed])
    job = loads(
        f"""
        env {{ job.mode = "BATCH" }}
        source {{ FakeSource {{ plugin_output = "t", row.num = 1, schema {{ fields {{ id = int }} }} }} }}
        sink {{ LocalFile {{ plugin_input = "t", path = "{allowed}/../escape", file_format_type = "json" }} }}
        """
    ).job
    handle = engine.start(1, job)
    assert handle.wait(60) == "FAILED"
    assert "outside the folders this node may open" in (handle.error or "")
    assert not (tmp_path / "escape").exists()
    engine.shutdown()


def test_failed_job_is_logged_at_info(
    run: Callable[..., JobHandle], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="stconfig")
    handle = run(
        """
        env { job.mode = "BATCH" }
        source { FakeSource { plugin_output = "t", row.num = 3, schema { fields { id = int } } } }
        sink { Assert { plugin_input = "t", rules { row_rules = [ { rule_type = MAX_ROW, rule_value = 1 } ] } } }
        """
    )
    assert handle.status == "FAILED"
    ended = [record for record in caplog.records if "ended FAILED" in record.getMessage()]
    assert len(ended) == 1
    assert ended[0].levelno == logging.INFO
    assert "ASSERT-01" in ended[0].getMessage()
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
