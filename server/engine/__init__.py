"""The lightweight job runner behind `stconfig run` and `stconfig serve`.

`Engine` runs each job in its own worker process and returns a `JobHandle` at once;
`build_dag` and `empty_metrics` give the REST `jobDag` and `metrics` objects of a job
without running it.
"""

from __future__ import annotations

from stconfig.server.engine.dag import build_dag
from stconfig.server.engine.engine import TERMINAL_STATES, Engine, JobEvent, JobHandle
from stconfig.server.engine.errors import EngineError, NoCheckpointError, PathNotAllowedError
from stconfig.server.engine.metrics import empty_metrics

__all__ = [
    "TERMINAL_STATES",
    "Engine",
    "EngineError",
    "JobEvent",
    "JobHandle",
    "NoCheckpointError",
    "PathNotAllowedError",
    "build_dag",
    "empty_metrics",
]
