"""The `run` command: run one job in the foreground."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stconfig.cli.options import key_file_option, variable_option

if TYPE_CHECKING:
    from stconfig.server.engine import JobHandle

# Seconds between progress updates: redrawn in place on a terminal, one line otherwise.
TERMINAL_INTERVAL = 0.25
LOG_INTERVAL = 5.0
# Shortest window, in seconds, of the read rate that progress lines show. The worker
# reports its counts twice a second, so a shorter window would jump between 0 and twice
# the real rate.
MIN_RATE_WINDOW = 1.0


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@variable_option
@key_file_option(
    "File with base64 keys that decrypt the job's values for the aes shade. Repeatable."
)
@click.option(
    "--progress-interval",
    type=click.FloatRange(min=0.05),
    default=None,
    help="Seconds between progress lines on stderr [default: 0.25 on a terminal, else 5].",
)
def run(
    file: str,
    variables: dict[str, str],
    key_files: tuple[Path, ...],
    progress_interval: float | None,
) -> int:
    """Run a job locally and print its Console output on stdout.

    FILE is a .conf, .hocon or .json job, or - for stdin. The job is validated and
    decrypted first, then runs in a worker process. A value that still contains a
    ${NAME} with no value stops the run before it starts. Jobs encrypted with the aes
    shade read their keys from --key-file, STCONFIG_AES_KEY or
    env."shade.properties".key_file.

    Progress (rows read and written, and rows/s read over the last progress interval or
    second) and a summary go to stderr. Exit status: 0 when the job FINISHED, 1 when it
    FAILED or is invalid, 130 after Ctrl-C and 143 after SIGTERM (both cancel the job
    first).
    """
    from stconfig.errors import StconfigError
    from stconfig.server.engine.local import prepare_job, run_in_foreground

    job = prepare_job(
        file,
        variables,
        report=lambda line: click.echo(line, err=True),
        key_files=[str(path) for path in key_files],
    )
    terminal = sys.stderr.isatty()
    interval = progress_interval or (TERMINAL_INTERVAL if terminal else LOG_INTERVAL)
    window = max(interval, MIN_RATE_WINDOW)
    result = run_in_foreground(
        job,
        on_progress=lambda handle, seconds: _progress(handle, seconds, window, terminal),
        interval=interval,
    )
    if terminal:
        click.echo("\r\033[K", nl=False, err=True)
    _summary(result.status, result.metrics, result.seconds)
    if result.signal is not None:
        return _canceled_by(result.signal)
    if result.status != "FINISHED":
        raise StconfigError(f"job {result.status}: {result.error or 'no error text'}")
    return 0


def _progress(handle: JobHandle, seconds: float, window: float, terminal: bool) -> None:
    """Show the counts so far and the read rate over the last `window` seconds."""
    metrics = handle.metrics()
    read, written = int(metrics["SourceReceivedCount"]), int(metrics["SinkWriteCount"])
    rate = handle.read_rate(window)
    line = f"{seconds:6.1f} s  read {read:,} rows  written {written:,} rows  {rate:,.0f} rows/s"
    if terminal:
        click.echo(f"\r\033[K{line}", nl=False, err=True)
    else:
        click.echo(line, err=True)


def _canceled_by(received: signal.Signals) -> int:
    """Report a job canceled by a signal and return the exit status, 128 + the signal."""
    if received == signal.SIGINT:
        click.echo("error: interrupted; the job was canceled", err=True)
    else:
        click.echo(f"error: received {received.name}; the job was canceled", err=True)
    return 128 + int(received)


def _summary(status: str, metrics: dict[str, Any], seconds: float) -> None:
    read, written = int(metrics["SourceReceivedCount"]), int(metrics["SinkWriteCount"])
    lines = [
        f"Job {status} in {seconds:.2f} s",
        f"  rows read:     {read:,} ({int(metrics['SourceReceivedBytes']):,} bytes)",
        f"  rows written:  {written:,} ({int(metrics['SinkWriteBytes']):,} bytes)",
        f"  rows/s read:   {read / seconds if seconds > 0 else 0.0:,.0f} (average over the run)",
    ]
    for table, count in sorted(metrics["TableSourceReceivedCount"].items()):
        lines.append(f"  table {table}: read {int(count):,}")
    for table, count in sorted(metrics["TableSinkWriteCount"].items()):
        lines.append(f"  table {table}: written {int(count):,}")
    click.echo("\n".join(lines), err=True)
