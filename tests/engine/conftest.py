from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stconfig.config import loads
from stconfig.server.engine import Engine, JobHandle

# Seconds a test waits for a job that should end by itself; a bound, not a speed goal.
JOB_TIMEOUT = 60.0


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = Engine(tmp_path / "engine")
    yield engine
    engine.shutdown()


@pytest.fixture
def run(engine: Engine) -> Callable[..., JobHandle]:
    """Return a function that runs a HOCON job text to its end and returns its handle."""

    def run_text(text: str, job_id: int = 1) -> JobHandle:
        handle = engine.start(job_id, loads(text, name="job.conf").job)
        handle.wait(JOB_TIMEOUT)
        return handle

    return run_text
