"""env read_limit: per-reader pacing, checked on simulated time so no test waits for real."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from stconfig.config import loads
from stconfig.server.engine.errors import PluginError
from stconfig.server.engine.plugins import JobContext
from stconfig.server.engine.read_limit import ReadLimit, ReadLimiter
from stconfig.server.engine.runtime import JobRunner

# Bound on the runner's calls to its control, so a runner that stops waiting fails the test.
MAX_COMMANDS = 100_000


class SimulatedClock:
    """A monotonic clock that moves only when a wait advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class SimulatedControl:
    """The runner's supervisor link: every wait advances the clock, and a cancel can arrive."""

    def __init__(self, clock: SimulatedClock, cancel_at: float | None = None) -> None:
        self.clock = clock
        self.cancel_at = cancel_at
        self.calls = 0
        self.messages: list[tuple[Any, ...]] = []

    def command(self, timeout: float) -> str | None:
        self.calls += 1
        assert self.calls < MAX_COMMANDS, "the runner polls without waiting"
        if self.cancel_at is not None and self.clock.now + timeout >= self.cancel_at:
            self.clock.now = max(self.clock.now, self.cancel_at)
            return "cancel"
        self.clock.now += timeout
        return None

    def send(self, message: tuple[Any, ...]) -> None:
        self.messages.append(message)


def _job(env: str, rows: int, parallelism: int = 1) -> dict[str, Any]:
    text = f"""
    env {{ job.mode = "BATCH", {env} }}
    source {{ FakeSource {{ plugin_output = "t", row.num = {rows}, parallelism = {parallelism},
                          schema {{ fields {{ id = int }} }} }} }}
    sink {{ Console {{ plugin_input = "t" }} }}
    """
    return loads(text, name="job.conf").job


def _run(
    job: dict[str, Any], tmp_path: Path, cancel_at: float | None = None
) -> tuple[str, SimulatedClock, list[tuple[float, int]]]:
    """Run a job on simulated time; return its status, the clock and each source batch."""
    clock = SimulatedClock()
    control = SimulatedControl(clock, cancel_at)
    context = JobContext(
        job_id=1, job_mode="BATCH", env=dict(job["env"]), staging_dir=tmp_path, stdout=io.StringIO()
    )
    runner = JobRunner(job, context, None, control, clock=clock)
    batches: list[tuple[float, int]] = []
    count = runner.metrics.count

    def record(side: str, table_id: str, rows: int, nbytes: int) -> None:
        if side == "Source":
            batches.append((clock.now, rows))
        count(side, table_id, rows, nbytes)

    runner.metrics.count = record  # type: ignore[method-assign]
    status, _ = runner.run()
    return status, clock, batches


def test_rows_limit_paces_fifty_rows_over_five_seconds(tmp_path: Path) -> None:
    status, clock, batches = _run(_job("read_limit.rows_per_second = 10", 50), tmp_path)
    assert status == "FINISHED"
    assert sum(rows for _, rows in batches) == 50
    assert clock.now == pytest.approx(5.0, abs=0.05)
    read = 0
    for when, rows in batches:
        read += rows
        # The first row is free; after it, by time t at most 10 * t more may be read.
        assert read <= 10 * when + 1 + 1e-6


def test_rows_limit_applies_per_reader(tmp_path: Path) -> None:
    status, clock, batches = _run(
        _job("read_limit.rows_per_second = 10", 20, parallelism=2), tmp_path
    )
    assert status == "FINISHED"
    assert sum(rows for _, rows in batches) == 40
    assert clock.now == pytest.approx(2.0, abs=0.05)


def test_bytes_limit_paces_reads(tmp_path: Path) -> None:
    # An INT row counts 4 bytes, so 40 bytes/s is 10 rows/s.
    status, clock, batches = _run(_job("read_limit.bytes_per_second = 40", 30), tmp_path)
    assert status == "FINISHED"
    assert sum(rows for _, rows in batches) == 30
    assert clock.now == pytest.approx(3.0, abs=0.15)
    read = 0
    for when, rows in batches:
        read += rows
        assert read * 4 <= 40 * when + 4 + 1e-6


def test_cancel_ends_wait_for_limit(tmp_path: Path) -> None:
    status, clock, batches = _run(
        _job("read_limit.rows_per_second = 1", 50), tmp_path, cancel_at=2.5
    )
    assert status == "CANCELED"
    assert clock.now == 2.5
    assert [when for when, _ in batches] == pytest.approx([0.0, 1.0, 2.0])


def test_no_limit_reads_without_waiting(tmp_path: Path) -> None:
    status, clock, batches = _run(_job("parallelism = 1", 5000), tmp_path)
    assert status == "FINISHED"
    assert clock.now == 0.0
    assert [rows for _, rows in batches] == [2048, 2048, 904]


def test_limiter_first_read_is_immediate() -> None:
    limiter = ReadLimiter(ReadLimit(rows_per_second=10), now=0.0)
    assert limiter.rows_allowed(0.0) == 1
    limiter.charge(1, 4, 0.0)
    assert limiter.rows_allowed(0.0) == 0
    assert limiter.ready_at(0.0) == pytest.approx(0.1)
    assert limiter.rows_allowed(0.35) == 2


def test_limiter_saves_at_most_one_second() -> None:
    limiter = ReadLimiter(ReadLimit(rows_per_second=10), now=0.0)
    assert limiter.rows_allowed(60.0) == 10


def test_limiter_pays_back_oversized_batch() -> None:
    limiter = ReadLimiter(ReadLimit(rows_per_second=10), now=0.0)
    limiter.charge(30, 120, 1.0)
    assert limiter.rows_allowed(1.0) == 0
    assert limiter.ready_at(1.0) == pytest.approx(3.0)
    assert limiter.rows_allowed(3.0) == 1


def test_limiter_bytes_measures_first_row() -> None:
    limiter = ReadLimiter(ReadLimit(bytes_per_second=100), now=0.0)
    assert limiter.rows_allowed(0.5) == 1
    limiter.charge(1, 25, 0.5)
    assert limiter.rows_allowed(0.5) == 1
    limiter.charge(1, 25, 0.5)
    limiter.charge(1, 25, 0.5)
    assert limiter.rows_allowed(0.5) == 0
    assert limiter.ready_at(0.5) == pytest.approx(0.75)
    assert limiter.rows_allowed(1.5) == 3


def test_limit_absent_from_env() -> None:
    assert ReadLimit.from_env({"job.mode": "BATCH"}) is None


def test_limit_from_nested_env() -> None:
    assert ReadLimit.from_env({"read_limit": {"rows_per_second": 5}}) == ReadLimit(5.0, None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "env read_limit.rows_per_second is 0; set it to a whole number of at least 1"),
        (
            "fast",
            "env read_limit.rows_per_second is 'fast'; set it to a whole number of at least 1",
        ),
        (
            "${rate}",
            "env: read_limit.rows_per_second is '${rate}', which contains the variable ${rate} "
            "with no value; set it with --var rate=VALUE, or write the value into the config",
        ),
    ],
)
def test_limit_rejects_bad_values(value: object, message: str) -> None:
    with pytest.raises(PluginError) as caught:
        ReadLimit.from_env({"read_limit.rows_per_second": value})
    assert str(caught.value) == message
