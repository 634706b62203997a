"""The engine: one worker process per job, all followed by one supervisor thread.

A job's plugins run in their own process, so a busy or stuck plugin cannot stall the
process that supervises it. A cancel is first sent to the worker, which stops between
two batches. A worker that has not ended `CANCEL_GRACE` seconds later is killed, so a
cancel always ends the job within a second. The supervisor thread sleeps until a
worker sends a message or a request's deadline passes, so a node that runs many jobs
does not spend its time waking threads.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from stconfig.server.engine.checkpoints import CheckpointStore
from stconfig.server.engine.dag import build_dag
from stconfig.server.engine.errors import NoCheckpointError
from stconfig.server.engine.masking import mask_text, sensitive_values
from stconfig.server.engine.metrics import ReadRate, format_metrics

logger = logging.getLogger(__name__)

TERMINAL_STATES = frozenset(("FINISHED", "FAILED", "CANCELED", "SAVEPOINT_DONE", "UNKNOWABLE"))
# Seconds a worker has to stop by itself after a cancel, before it is terminated.
CANCEL_GRACE = 0.5
# Seconds a worker has to finish a savepoint before it is terminated and the job fails.
SAVEPOINT_TIMEOUT = 30.0


@dataclass
class JobEvent:
    """A change of a job's state, passed to the `on_event` callback."""

    job_id: int
    status: str
    error: str | None
    metrics: dict[str, Any]
    time: float = field(default_factory=time.time)


class JobHandle:
    """A job running in a worker process; its methods are safe to call from any thread."""

    def __init__(
        self,
        job_id: int,
        job: dict[str, Any],
        engine: Engine,
        on_event: Callable[[JobEvent], None] | None,
    ) -> None:
        self.job_id = job_id
        self.status = "CREATED"
        self.error: str | None = None
        self._job = job
        self._engine = engine
        self._on_event = on_event
        self._secrets = sensitive_values(job)
        self._raw_metrics: dict[str, Any] | None = None
        self._read_rate = ReadRate(time.monotonic())
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._request: str | None = None
        self._request_time = 0.0
        self._dag: dict[str, Any] | None = None
        self._process: Any = None
        self._connection: Any = None

    def metrics(self) -> dict[str, Any]:
        """Return SeaTunnel's REST `metrics` object for this job."""
        return format_metrics(self._raw_metrics)

    def read_rate(self, window: float) -> float:
        """Return the rows read per second over about the last `window` seconds."""
        return self._read_rate.rate(window, time.monotonic())

    def dag(self) -> dict[str, Any]:
        """Return SeaTunnel's REST `jobDag` object for this job."""
        if self._dag is None:
            self._dag = build_dag(self._job, self.job_id)
        return self._dag

    def cancel(self) -> None:
        """Cancel the job: CANCELING now, CANCELED within a second. Ignored once it ended."""
        self._ask("cancel", "CANCELING")

    def stop_with_savepoint(self) -> None:
        """Take a savepoint and stop: DOING_SAVEPOINT, then SAVEPOINT_DONE."""
        self._ask("savepoint", "DOING_SAVEPOINT")

    def wait(self, timeout: float | None = None) -> str:
        """Wait until the job ends (or `timeout` seconds pass) and return its status."""
        self._done.wait(timeout)
        return self.status

    # Supervisor side

    def _ask(self, request: str, status: str) -> None:
        with self._lock:
            if self.status in TERMINAL_STATES or self._request is not None:
                logger.info("job %s: %s ignored, the job is %s", self.job_id, request, self.status)
                return
            self._request = request
            self._request_time = time.monotonic()
        self._set_status(status)
        try:
            self._connection.send(request)
        except (OSError, AttributeError):
            logger.debug("job %s: the worker is gone before the %s request", self.job_id, request)
        self._engine.supervisor.wake()

    def _launch(self, restore: bool) -> None:
        parent, child = socket.socketpair()
        self._connection = Connection(parent.detach())
        engine = self._engine
        self._set_status("PENDING")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "stconfig.server.engine.worker", str(child.fileno())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        child.close()
        self._connection.send(
            {
                "job_id": self.job_id,
                "job": self._job,
                "data_dir": str(engine.data_dir),
                "allow_paths": (
                    [str(p) for p in engine.allow_paths] if engine.allow_paths is not None else None
                ),
                "restore": restore,
            }
        )
        engine.supervisor.follow(self)

    def _read(self) -> tuple[str, str | None] | None:
        """Handle every message the worker has sent; return the outcome once it ended."""
        try:
            while self._connection.poll(0):
                outcome = self._handle(self._connection.recv())
                if outcome is not None:
                    return outcome
        except (EOFError, OSError):
            return self._worker_gone()
        return None

    def _deadline(self) -> float | None:
        """Return when the pending cancel or savepoint request is overdue, if there is one."""
        if self._request == "cancel":
            return self._request_time + CANCEL_GRACE
        if self._request == "savepoint":
            return self._request_time + SAVEPOINT_TIMEOUT
        return None

    def _finish(self, outcome: tuple[str, str | None] | None) -> None:
        """Stop the worker process and settle the job; runs in a thread of its own."""
        try:
            self._stop_process()
        except Exception:  # the job must be settled whatever happened to its process
            logger.exception("job %s: stopping the worker failed", self.job_id)
        status, error = outcome or ("FAILED", "the worker process ended without a status")
        self._settle(status, error)

    def _handle(self, message: tuple[Any, ...]) -> tuple[str, str | None] | None:
        kind = message[0]
        if kind == "metrics":
            self._raw_metrics = message[1]
            self._read_rate.add(time.monotonic(), int(message[1]["totals"]["SourceReceivedCount"]))
        elif kind == "status":
            if self._request is None or message[1] == self.status:
                self._set_status(message[1], message[2])
        elif kind == "checkpoint":
            logger.debug("job %s: %s %s completed", self.job_id, message[2], message[1])
        elif kind == "traceback":
            logger.debug("job %s: traceback of the failure:\n%s", self.job_id, message[1])
        elif kind == "final":
            return message[1], message[2]
        return None

    def _overdue(self) -> tuple[str, str | None] | None:
        if self._request is None:
            return None
        waited = time.monotonic() - self._request_time
        if self._request == "cancel" and waited > CANCEL_GRACE:
            logger.warning(
                "job %s: worker did not stop in %.1f s; terminating it", self.job_id, CANCEL_GRACE
            )
            return "CANCELED", None
        if self._request == "savepoint" and waited > SAVEPOINT_TIMEOUT:
            return "FAILED", (
                f"the savepoint of job {self.job_id} timed out after {SAVEPOINT_TIMEOUT:.0f} s; "
                "the job can be resumed from its last checkpoint"
            )
        return None

    def _worker_gone(self) -> tuple[str, str | None]:
        if self._request == "cancel":
            return "CANCELED", None
        code = self._process.wait(1)
        return "FAILED", f"the worker process of job {self.job_id} exited with code {code}"

    def _stop_process(self) -> None:
        process = self._process
        if process is None:
            return
        # The worker ignores SIGTERM, so `terminate` would not stop it.
        for stop in (None, process.kill):
            if stop is not None:
                stop()
            try:
                process.wait(0.2 if stop is not process.kill else 2)
                break
            except subprocess.TimeoutExpired:
                continue
        self._connection.close()

    def _settle(self, status: str, error: str | None) -> None:
        if status in ("FINISHED", "CANCELED"):
            try:
                self._engine.delete_checkpoints(self.job_id)
            except sqlite3.Error as exc:
                logger.warning("job %s: its checkpoints were not deleted: %s", self.job_id, exc)
        # INFO, not WARNING: callers report a failure themselves (`stconfig run` prints
        # it as the command's error, and the REST node logs every job that ends).
        if status == "FAILED":
            reason = mask_text(error or "", self._secrets)
            logger.info("job %s ended FAILED: %s", self.job_id, reason)
        else:
            logger.info("job %s ended %s", self.job_id, status)
        self._set_status(status, error)
        self._engine._forget(self.job_id)
        self._done.set()

    def _set_status(self, status: str, error: str | None = None) -> None:
        with self._lock:
            self.status = status
            if error is not None:
                self.error = mask_text(error, self._secrets)
        if self._on_event is not None:
            event = JobEvent(self.job_id, status, self.error, self.metrics())
            try:
                self._on_event(event)
            except Exception:
                logger.exception("job %s: the on_event callback raised", self.job_id)


class Engine:
    """Runs jobs in worker processes and keeps their checkpoints in `data_dir`."""

    def __init__(self, data_dir: Path, *, allow_paths: list[Path] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.allow_paths = None if allow_paths is None else [Path(p) for p in allow_paths]
        self.store = CheckpointStore(self.data_dir / "checkpoints.db")
        self.supervisor = Supervisor()
        self._jobs: dict[int, JobHandle] = {}
        self._lock = threading.Lock()

    def start(
        self,
        job_id: int,
        job: dict[str, Any],
        *,
        restore: bool = False,
        on_event: Callable[[JobEvent], None] | None = None,
    ) -> JobHandle:
        """Start a decrypted canonical job in a new worker process and return at once."""
        if restore and not self.store.has(job_id):
            raise NoCheckpointError(
                f"job {job_id} has no savepoint or checkpoint to resume from; "
                "submit it without the savepoint option to start it afresh"
            )
        handle = JobHandle(job_id, job, self, on_event)
        with self._lock:
            self._jobs[job_id] = handle
        logger.info("job %s: starting%s", job_id, " from its savepoint" if restore else "")
        handle._launch(restore)
        return handle

    def has_checkpoint(self, job_id: int) -> bool:
        return self.store.has(job_id)

    def delete_checkpoints(self, job_id: int) -> None:
        self.store.delete(job_id)

    def running(self) -> list[JobHandle]:
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self, savepoint: bool = False) -> None:
        """Cancel, or stop with a savepoint, every running job, and wait for them to end."""
        handles = self.running()
        for handle in handles:
            if savepoint:
                handle.stop_with_savepoint()
            else:
                handle.cancel()
        for handle in handles:
            handle.wait(SAVEPOINT_TIMEOUT + 5 if savepoint else 5)

    def _forget(self, job_id: int) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)


class Supervisor:
    """One thread that follows the workers of every job of an engine."""

    def __init__(self) -> None:
        self._handles: dict[Connection, JobHandle] = {}
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_writer.setblocking(False)
        self._thread: threading.Thread | None = None

    def follow(self, handle: JobHandle) -> None:
        """Start following the worker of `handle`."""
        with self._lock:
            self._handles[handle._connection] = handle
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="stconfig-supervisor", daemon=True
                )
                self._thread.start()
        self.wake()

    def wake(self) -> None:
        """Make the thread look again at its workers and their deadlines."""
        # A full buffer means a wake-up is already pending.
        with contextlib.suppress(BlockingIOError):
            self._wake_writer.send(b"\0")

    def _run(self) -> None:
        while True:
            with self._lock:
                followed = dict(self._handles)
            handles = list(followed.values())
            ready = wait([self._wake_reader, *followed], self._timeout(handles))
            for item in ready:
                if item is self._wake_reader:
                    self._wake_reader.recv(4096)
                else:
                    self._check(followed[item], read=True)
            now = time.monotonic()
            for handle in handles:
                deadline = handle._deadline()
                if deadline is not None and now >= deadline:
                    self._check(handle, read=False)

    def _timeout(self, handles: list[JobHandle]) -> float | None:
        deadlines = [d for d in (handle._deadline() for handle in handles) if d is not None]
        if not deadlines:
            return None
        return max(min(deadlines) - time.monotonic(), 0.0)

    def _check(self, handle: JobHandle, *, read: bool) -> None:
        try:
            outcome = handle._read() if read else handle._overdue()
        except Exception as exc:  # the supervisor must always settle the job
            logger.exception("job %s: supervising the worker failed", handle.job_id)
            outcome = ("FAILED", f"supervisor failed: {type(exc).__name__}: {exc}")
        if outcome is None:
            return
        with self._lock:
            if self._handles.pop(handle._connection, None) is None:
                return  # already being settled
        threading.Thread(
            target=handle._finish, args=(outcome,), name=f"stconfig-finish-{handle.job_id}"
        ).start()
