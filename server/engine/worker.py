"""The entry point of a job's worker process, and its link to the supervisor."""

from __future__ import annotations

import logging
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from stconfig.server.engine.checkpoints import CheckpointStore
from stconfig.server.engine.masking import mask_text, sensitive_values
from stconfig.server.engine.paths import PathGuard
from stconfig.server.engine.plugins import JobContext
from stconfig.server.engine.runtime import JobRunner

logger = logging.getLogger(__name__)


class PipeControl:
    """Commands from the supervisor and events to it, over one duplex pipe."""

    def __init__(self, connection: Connection, secrets: list[str]) -> None:
        self.connection = connection
        self.secrets = secrets

    def command(self, timeout: float) -> str | None:
        try:
            if not self.connection.poll(timeout):
                return None
            message = self.connection.recv()
        except (EOFError, OSError):
            return "cancel"
        return str(message)

    def send(self, message: tuple[Any, ...]) -> None:
        if message[0] == "status" and message[2]:
            message = (message[0], message[1], mask_text(message[2], self.secrets))
        try:
            self.connection.send(message)
        except (BrokenPipeError, OSError):
            logger.debug("the supervisor is gone; dropping %s", message[0])


def job_mode(job: dict[str, Any]) -> str:
    mode = str((job.get("env") or {}).get("job.mode", "BATCH")).upper()
    return "STREAMING" if mode == "STREAMING" else "BATCH"


def main(argv: list[str]) -> None:
    """Read the job from the connection whose file descriptor is `argv[0]`, and run it."""
    # Ctrl-C in a terminal, and SIGTERM from `timeout`, CI runners or service managers,
    # can reach the whole process group. The supervisor decides: it cancels the job, or
    # stops it with a savepoint, and kills a worker that does not stop in time.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    connection = Connection(int(argv[0]))
    request = connection.recv()
    worker_main(connection, **request)


def worker_main(
    connection: Connection,
    job_id: int,
    job: dict[str, Any],
    data_dir: str,
    allow_paths: list[str] | None,
    restore: bool,
) -> None:
    """Run one job to its end and report the final status."""
    secrets = sensitive_values(job)
    control = PipeControl(connection, secrets)
    store = CheckpointStore(Path(data_dir) / "checkpoints.db")
    context = JobContext(
        job_id=job_id,
        job_mode=job_mode(job),
        env=dict(job.get("env") or {}),
        paths=PathGuard([Path(p) for p in allow_paths] if allow_paths is not None else None),
        staging_dir=Path(data_dir) / "staging",
        stdout=sys.stdout,
    )
    runner = JobRunner(job, context, store, control, restore=restore)
    status, error = runner.run()
    sys.stdout.flush()
    if runner.failure is not None and runner.failure.traceback is not None:
        control.send(("traceback", mask_text(runner.failure.traceback, secrets)))
    control.send(("final", status, mask_text(error, secrets) if error else None))
    store.close()
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1:])
