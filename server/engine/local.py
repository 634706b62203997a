"""Run one job in the foreground, as `stconfig run` does: load, validate, decrypt, run."""

from __future__ import annotations

import logging
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from stconfig.errors import StconfigError
from stconfig.server.engine.engine import TERMINAL_STATES, Engine, JobHandle

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

LOCAL_JOB_ID = 1
# Seconds to wait for a canceled job to end; the engine ends it within a second.
CANCEL_WAIT = 10.0


class InvalidJobError(StconfigError):
    """A job config with validation errors."""


class JobSignal(BaseException):
    """A signal that cancels the foreground job, raised by its handler (SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class RunResult:
    """The outcome of a foreground run; `signal` is the signal that canceled the job, if any."""

    status: str
    error: str | None
    metrics: dict[str, Any]
    seconds: float
    signal: signal.Signals | None = None


def prepare_job(
    path: str,
    variables: Mapping[str, str],
    report: Callable[[str], None],
    *,
    key_files: Sequence[str] = (),
) -> dict[str, Any]:
    """Load, validate and decrypt a job config; `report` receives each validation finding.

    A value that still contains a `${name}` variable with no value is an error here, not
    a warning as in `stconfig validate`: the job would fail with an error that does not
    name the variable. Placeholders that the sink fills itself raise no finding.
    `key_files` are the key files of the `aes` shade.
    """
    from stconfig.config import load
    from stconfig.encryption import decrypt_job
    from stconfig.validation import has_errors, validate
    from stconfig.validation.findings import unfilled_as_errors

    loaded = load(path, variables=dict(variables))
    findings = unfilled_as_errors(validate(loaded), "pass --var {name}=VALUE")
    for finding in findings:
        report(str(finding))
    if has_errors(findings):
        errors = sum(1 for finding in findings if finding.severity == "error")
        raise InvalidJobError(
            f"{loaded.name}: {errors} validation error{'s' if errors != 1 else ''}; "
            "fix them and run the job again"
        )
    return decrypt_job(loaded.job, key_files=list(key_files))


def run_in_foreground(
    job: dict[str, Any],
    *,
    on_progress: Callable[[JobHandle, float], None],
    interval: float,
) -> RunResult:
    """Run a job in a worker process until it ends; SIGINT (Ctrl-C) or SIGTERM cancels it.

    `on_progress(handle, seconds)` is called every `interval` seconds while it runs.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stconfig-run-") as data_dir:
        engine = Engine(Path(data_dir))
        handle = engine.start(LOCAL_JOB_ID, job)
        received: signal.Signals | None = None
        try:
            with _signals_raise():
                while handle.wait(interval) not in TERMINAL_STATES:
                    on_progress(handle, time.monotonic() - started)
        except (KeyboardInterrupt, JobSignal) as exc:
            received = signal.Signals(exc.signum if isinstance(exc, JobSignal) else signal.SIGINT)
            logger.info("%s received: canceling the job", received.name)
            handle.cancel()
            handle.wait(CANCEL_WAIT)
        engine.store.close()
    seconds = time.monotonic() - started
    return RunResult(handle.status, handle.error, handle.metrics(), seconds, received)


@contextmanager
def _signals_raise() -> Iterator[None]:
    """Make SIGTERM raise `JobSignal` in the block, as SIGINT raises KeyboardInterrupt.

    Python can only set signal handlers in the main thread; elsewhere SIGTERM keeps
    its handler. The previous handler is restored when the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_job_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_job_signal(signum: int, frame: FrameType | None) -> None:
    raise JobSignal(signum)
