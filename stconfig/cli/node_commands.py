"""Commands that run a REST node, or talk to one: serve, submit, jobs, job, stop, monitor."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from stconfig.cli.options import key_file_option, variable_option

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_URL = "http://127.0.0.1:5801"
ENDED_STATES = ("FINISHED", "CANCELED", "FAILED", "UNKNOWABLE", "SAVEPOINT_DONE")
# SeaTunnel's job ids are Java longs, and stconfig's node keeps its ids at most 2^53 - 1.
MAX_JOB_ID = 2**63 - 1


class JobIdType(click.ParamType):
    """A job id on the command line: a positive whole number that fits a Java long."""

    name = "job id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        number = self._whole_number(value)
        if number is None or number < 1:
            self.fail(f"{value!r} is not a job id; a job id is a positive whole number", param, ctx)
        if number > MAX_JOB_ID:
            self.fail(
                f"{value!r} is too large for a job id; job ids are at most {MAX_JOB_ID}", param, ctx
            )
        return number

    @staticmethod
    def _whole_number(value: Any) -> int | None:
        """Return the number that `value` writes in decimal digits; None if it is not one."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            return None
        digits = text.lstrip("0") or "0"
        # Longer strings are out of range, and Python refuses to convert very long ones.
        return int(digits) if len(digits) <= len(str(MAX_JOB_ID)) else MAX_JOB_ID + 1


JOB_ID = JobIdType()


@click.command()
@click.option("--host", help="Address to listen on.  [default: 127.0.0.1]")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.  [default: 5801]",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the node's SQLite store and checkpoints.  "
    "[default: $XDG_DATA_HOME/stconfig/node, else ~/.local/share/stconfig/node]",
)
@click.option(
    "--config",
    "config_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Node config in SeaTunnel's hazelcast.yaml or seatunnel.yaml shape. Repeatable.",
)
@click.option(
    "--allow-path",
    "allow_paths",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder that submitted jobs may read and write. Repeatable.  [default: DATA_DIR/files]",
)
@key_file_option(
    "Key file the node decrypts submitted jobs and encrypts encrypt-config requests "
    "with, as `stconfig encrypt --key-file` does. Keep it outside the --allow-path folders. "
    "Repeatable."
)
@click.option(
    "--read-only",
    is_flag=True,
    default=None,
    help="Respond to submit, stop and encrypt with 403, as CLUSTER_WRITE disabled does.",
)
def serve(
    host: str | None,
    port: int | None,
    data_dir: Path | None,
    config_files: tuple[Path, ...],
    allow_paths: tuple[Path, ...],
    key_files: tuple[Path, ...],
    read_only: bool | None,
) -> None:
    """Run a node that speaks SeaTunnel's REST API and runs the jobs submitted to it.

    Command-line options win over the config files. Stop the node with Ctrl-C or
    SIGTERM; running jobs are cancelled (or savepointed, with
    stconfig.savepoint-on-shutdown in the config).

    Jobs encrypted with the aes shade decrypt with the keys of --key-file (or
    stconfig.key-files in the config), then with STCONFIG_AES_KEY from the node's own
    environment. A job may also name key files in env."shade.properties".key_file,
    but only inside the --allow-path folders.
    """
    from stconfig.server.config import load_node_config
    from stconfig.server.serve import run_node

    overrides = {
        "host": host,
        "port": port,
        "data_dir": data_dir,
        "allow_paths": allow_paths,
        "key_files": key_files,
        "read_only": read_only,
    }
    config = load_node_config(config_files, overrides=overrides)
    run_node(config, handlers=_node_logging())


def _node_logging() -> list[Any]:
    """Log at info level with timestamps, unless the user chose a level; return the handlers."""
    import logging

    logger = logging.getLogger("stconfig")
    root = click.get_current_context().find_root()
    source = root.get_parameter_source("log_level")
    chose_level = source is not click.core.ParameterSource.DEFAULT or os.environ.get(
        "STCONFIG_LOG_LEVEL"
    )
    if not chose_level:
        logger.setLevel(logging.INFO)
    for handler in logger.handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return list(logger.handlers)


def node_options(function: F) -> F:
    """Add `--url`, `--timeout` and `--json` to a client command."""
    function = click.option(
        "--json", "as_json", is_flag=True, help="Print the node's JSON instead of a table."
    )(function)
    function = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for the node's response.",
    )(function)
    return click.option(
        "--url",
        envvar="STCONFIG_URL",
        default=DEFAULT_URL,
        show_default=True,
        help="Address of the node, also from $STCONFIG_URL.",
    )(function)


def _client(url: str, timeout: float) -> Any:
    from stconfig.client import NodeClient

    return NodeClient(url, timeout=timeout)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--job-name", help='Name of the job.  [default: env."job.name", else SeaTunnel_Job]')
@click.option("--job-id", type=JOB_ID, metavar="ID", help="Id for the job instead of a new one.")
@click.option(
    "--restore",
    is_flag=True,
    help="Resume the job given by --job-id from its last savepoint or checkpoint.",
)
@variable_option
@node_options
def submit(
    file: str,
    job_name: str | None,
    job_id: int | None,
    restore: bool,
    variables: dict[str, str],
    url: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Validate a job config locally, then submit it to a node and print its job id.

    FILE is a .conf, .hocon or .json job, or - for stdin. HOCON is sent as JSON, so
    any SeaTunnel node accepts it.
    """
    from stconfig.config import load

    if restore and job_id is None:
        raise click.UsageError("--restore needs --job-id: the id of the job to resume")
    loaded = load(file, variables=variables)
    _check_locally(loaded)
    new_id, name = _client(url, timeout).submit(
        loaded.job, job_name=job_name, job_id=job_id, restore=restore
    )
    if as_json:
        click.echo(json.dumps({"jobId": new_id, "jobName": name}, ensure_ascii=False))
    else:
        click.echo(new_id)


def _check_locally(loaded: Any) -> None:
    from stconfig.errors import StconfigError
    from stconfig.validation import has_errors, validate

    findings = validate(loaded)
    for finding in findings:
        click.echo(
            f"{finding.file}:{finding.line}:{finding.column}: {finding.severity}: "
            f"{finding.path}: {finding.message}",
            err=True,
        )
    if has_errors(findings):
        raise StconfigError(
            f"{loaded.name} is invalid, so it was not submitted; fix the errors above"
        )


@click.command()
@click.option(
    "--finished",
    is_flag=False,
    flag_value="ALL",
    default=None,
    metavar="[STATE]",
    help=f"List ended jobs instead, all or those in STATE ({', '.join(ENDED_STATES)}).",
)
@node_options
def jobs(finished: str | None, url: str, timeout: float, as_json: bool) -> None:
    """List the jobs that are running on a node, or those that ended."""
    client = _client(url, timeout)
    if finished is None:
        listed = client.running_jobs()
    else:
        listed = client.finished_jobs(None if finished.upper() == "ALL" else finished.upper())
    if as_json:
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    _print_jobs(listed, ended=finished is not None)


def _print_jobs(listed: list[dict[str, Any]], *, ended: bool) -> None:
    from stconfig.client import finish_time

    header = ["JOB ID", "NAME", "STATUS", "CREATED"]
    if ended:
        header.append("FINISHED")
    header += ["READ", "WRITTEN"]
    rows = []
    for job in listed:
        metrics = job.get("metrics") if isinstance(job.get("metrics"), dict) else {}
        row = [
            str(job.get("jobId", "")),
            str(job.get("jobName", "")),
            str(job.get("jobStatus", "")),
            str(job.get("createTime", "")),
        ]
        if ended:
            row.append(str(finish_time(job) or ""))
        row += [str(metrics.get("SourceReceivedCount", "")), str(metrics.get("SinkWriteCount", ""))]
        rows.append(row)
    if not rows:
        click.echo("no ended jobs" if ended else "no running jobs")
        return
    _print_table(header, rows)


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@click.command()
@click.argument("job_id", type=JOB_ID, metavar="ID")
@node_options
def job(job_id: int, url: str, timeout: float, as_json: bool) -> None:
    """Show one job: its state, times, error and metrics."""
    from stconfig.client import finish_time
    from stconfig.errors import StconfigError

    info = _client(url, timeout).job_info(job_id)
    if info is None:
        raise StconfigError(f"job {job_id} not found on {url}; list jobs with `stconfig jobs`")
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    fields = [
        ("Job ID", info.get("jobId")),
        ("Name", info.get("jobName")),
        ("Status", info.get("jobStatus")),
        ("Created", info.get("createTime")),
        ("Finished", finish_time(info)),
        ("Error", info.get("errorMsg")),
    ]
    metrics = info.get("metrics") if isinstance(info.get("metrics"), dict) else {}
    for key in ("SourceReceivedCount", "SinkWriteCount", "SourceReceivedQPS", "SinkWriteQPS"):
        if key in metrics:
            fields.append((key, metrics[key]))
    dag = info.get("jobDag") if isinstance(info.get("jobDag"), dict) else {}
    for vertex in dag.get("vertexInfoMap") or []:
        if isinstance(vertex, dict):
            fields.append((f"Vertex {vertex.get('vertexId')}", vertex.get("vertexName")))
    width = max(len(name) for name, _ in fields)
    for name, value in fields:
        if value not in (None, ""):
            click.echo(f"{name.ljust(width)}  {value}")


@click.command()
@click.argument("job_id", type=JOB_ID, metavar="ID")
@click.option("--savepoint", is_flag=True, help="Take a savepoint first, so the job can resume.")
@node_options
def stop(job_id: int, savepoint: bool, url: str, timeout: float, as_json: bool) -> None:
    """Stop a job: cancel it, or with --savepoint end it in SAVEPOINT_DONE.

    A job that has already ended is left as it is, and the output shows its state.
    """
    outcome = _client(url, timeout).stop_unless_ended(job_id, savepoint=savepoint)
    if as_json:
        reply: dict[str, Any] = {"jobId": outcome.job_id, "stopRequested": outcome.requested}
        if outcome.ended_status is not None:
            reply["jobStatus"] = outcome.ended_status
        click.echo(json.dumps(reply))
    elif outcome.ended_status is not None:
        click.echo(
            f"job {outcome.job_id} has already ended {outcome.ended_status}, so it was not stopped"
        )
    else:
        mode = "with a savepoint" if savepoint else "by cancelling it"
        click.echo(f"stopping job {outcome.job_id} {mode}")


@click.command()
@node_options
def monitor(url: str, timeout: float, as_json: bool) -> None:
    """Show each node's CPU, memory and thread figures."""
    nodes = _client(url, timeout).monitoring()
    if as_json:
        click.echo(json.dumps(nodes, ensure_ascii=False, indent=2))
        return
    header = [
        "NODE",
        "MASTER",
        "CPUS",
        "PROCESS CPU",
        "SYSTEM CPU",
        "MEMORY FREE",
        "HEAP USED",
        "THREADS",
    ]
    rows = [
        [
            f"{node.get('host', '?')}:{node.get('port', '?')}",
            str(node.get("isMaster", "")),
            str(node.get("processors", "")),
            str(node.get("load.process", "")),
            str(node.get("load.system", "")),
            f"{node.get('physical.memory.free', '')}/{node.get('physical.memory.total', '')}",
            str(node.get("heap.memory.used", "")),
            str(node.get("thread.count", "")),
        ]
        for node in nodes
    ]
    if not rows:
        click.echo("the node reported no members")
        return
    _print_table(header, rows)
