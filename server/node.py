"""The job service behind the REST API: submit, stop, list and describe jobs.

A job goes one way through the node: the request body is loaded with
`stconfig.config.loads`, validated, its file options confined to the allowed folders,
decrypted with `stconfig.encryption.decrypt_job`, and started by the runner. What the
store keeps and the API returns passes through `mask_secrets` first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from stconfig.errors import StconfigError
from stconfig.server import render
from stconfig.server.cluster import Membership
from stconfig.server.config import NodeConfig
from stconfig.server.confinement import (
    confine_job,
    confine_key_files,
    resolve_roots,
    shade_properties,
)
from stconfig.server.errors import BadRequest, Conflict, NotFound
from stconfig.server.monitoring import Monitor, RequestCounters
from stconfig.server.parsing import (
    body_text,
    config_format,
    flag,
    job_id,
    json_array,
    json_body,
    json_object,
    lookup_id,
)
from stconfig.server.redaction import Redactor, secret_values
from stconfig.server.store import JobIdInUseError, JobRow, Store

logger = logging.getLogger(__name__)

DEFAULT_JOB_NAME = "SeaTunnel_Job"
ENDED_STATES = ("FINISHED", "CANCELED", "FAILED", "UNKNOWABLE", "SAVEPOINT_DONE")
CHECKPOINTS_DROPPED_ON = ("FINISHED", "CANCELED")

# How often the supervisor thread looks for stop requests, and how many of its rounds
# pass between metrics flushes, heartbeats, liveness sweeps and history purges. Every
# write to the store makes the cached running-jobs response stale, so heartbeats are rare
# and only changed metrics are written.
SUPERVISOR_INTERVAL_SECONDS = 0.2
METRICS_ROUNDS = 5
HEARTBEAT_ROUNDS = 25
SWEEP_ROUNDS = 10
PURGE_ROUNDS = 300


@dataclass
class SubmitParams:
    """The query parameters of `submit-job`, or the `params` of one `submit-jobs` item."""

    job_id: str | None = None
    job_name: str | None = None
    start_with_savepoint: bool = False
    format: str = "json"

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> SubmitParams:
        raw_id = values.get("jobId")
        raw_name = values.get("jobName")
        return cls(
            job_id=None if raw_id in (None, "") else str(raw_id),
            job_name=None if raw_name in (None, "") else str(raw_name),
            start_with_savepoint=flag(values.get("isStartWithSavePoint")),
            format=config_format(values.get("format")),
        )


@dataclass
class PreparedJob:
    """A job that passed every check and is ready to start."""

    job: dict[str, Any]
    name: str
    job_id: int | None
    restore: bool
    env_options: bytes
    masked: dict[str, Any]
    secrets: set[str]


class Node:
    """One REST node: its store, its runner, and the jobs it runs."""

    def __init__(self, config: NodeConfig) -> None:
        from stconfig.server.engine import Engine

        self.config = config
        self.roots = resolve_roots(config.confinement_roots())
        self.key_files = [str(path) for path in config.key_files]
        self.store = Store(config.data_dir)
        self.engine = Engine(config.data_dir, allow_paths=self.roots)
        self.redactor = Redactor()
        self.counters = RequestCounters()
        self.monitor = Monitor(self.counters)
        self.membership: Membership | None = None
        self.connections = lambda: 0
        self._handles: dict[int, Any] = {}
        self._handles_lock = threading.Lock()
        self._running_cache: tuple[tuple[int, int], bytes] | None = None
        self._flushed_metrics: dict[int, bytes | None] = {}
        self._finished_cache: tuple[tuple[int, int], str | None, bytes] | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    # Lifecycle

    def start(self, host: str, port: int) -> None:
        """Join the store's cluster and start the supervisor thread."""
        self.membership = Membership(self.store, host, port)
        self.membership.register()
        self.membership.heartbeat(self._monitoring_bytes(is_master=False))
        self._fail_orphaned_jobs()
        self._purge_history()
        self._supervisor = threading.Thread(
            target=self._supervise, name="stconfig-node-supervisor", daemon=True
        )
        self._supervisor.start()

    def shutdown(self) -> None:
        """Stop every job this node runs (savepoint or cancel, as configured), then leave."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        mode = "savepoint" if self.config.savepoint_on_shutdown else "cancel"
        with self._handles_lock:
            running = len(self._handles)
        logger.info("stopping the node: %d running job(s) to %s", running, mode)
        try:
            self.engine.shutdown(savepoint=self.config.savepoint_on_shutdown)
        except Exception:
            logger.exception("the runner failed to stop its jobs cleanly")
        self._end_leftover_jobs()
        if self.membership is not None:
            self.membership.leave()
        self.monitor.close()
        self.store.close()

    def _end_leftover_jobs(self) -> None:
        """Record a final state for jobs whose end event the runner did not deliver."""
        with self._handles_lock:
            handles = dict(self._handles)
            self._handles.clear()
        for job_id_, handle in handles.items():
            status = getattr(handle, "status", "CANCELED")
            if status not in ENDED_STATES:
                status = "CANCELED"
            self._record_end(job_id_, status, None, self._handle_metrics(handle), time.time())

    # Submitting

    def submit(self, body: bytes, params: SubmitParams) -> dict[str, Any]:
        """Check and start one job; return `{"jobId": <number>, "jobName": ...}`."""
        prepared = self.prepare(body, params)
        started = self.launch(prepared)
        return {"jobId": started, "jobName": prepared.name}

    def submit_batch(self, body: bytes) -> list[dict[str, Any]]:
        """Check every job of a `submit-jobs` array first, then start them in order."""
        items = json_array(json_body(body), "the submit-jobs body")
        prepared = []
        for index, item in enumerate(items):
            job = dict(json_object(item, f"item {index} of the submit-jobs body"))
            raw_params = json_object(job.pop("params", None) or {}, f"item {index} params")
            params = SubmitParams.from_mapping(raw_params)
            params.format = "json"
            prepared.append(self.prepare(orjson.dumps(job), params))
        return [{"jobId": str(self.launch(job)), "jobName": job.name} for job in prepared]

    def prepare(self, body: bytes, params: SubmitParams) -> PreparedJob:
        """Load, validate, confine and decrypt a submitted job, raising a 4xx error on failure."""
        from stconfig.config import loads
        from stconfig.encryption import decrypt_job, mask_secrets

        requested_id = job_id(params.job_id) if params.job_id is not None else None
        if params.start_with_savepoint and requested_id is None:
            raise BadRequest("Please provide jobId when start with save point.")
        text = body_text(body)
        try:
            loaded = loads(text, name="request body", format=params.format, environ=False)
        except StconfigError as exc:
            prefix = "Invalid JSON format in request body: " if params.format == "json" else ""
            raise BadRequest(f"{prefix}{exc}") from None

        submitted_secrets = secret_values(loaded.job, mask_secrets(loaded.job))
        findings = self._validate(loaded, submitted_secrets)
        check_runnable(loaded.job, findings)
        confined = confine_job(loaded.job, self.roots)
        try:
            decrypted = decrypt_job(confined, key_files=self.key_files)
        except StconfigError as exc:
            raise BadRequest(self.redactor.redact(str(exc), submitted_secrets)) from None

        masked = mask_secrets(decrypted)
        env = masked.get("env") if isinstance(masked.get("env"), dict) else {}
        return PreparedJob(
            job=decrypted,
            name=job_name(params.job_name, decrypted),
            job_id=requested_id,
            restore=params.start_with_savepoint,
            env_options=orjson.dumps(render.env_options(env)),
            masked=masked,
            secrets=submitted_secrets | secret_values(decrypted, masked),
        )

    def _validate(self, loaded: Any, secrets: set[str]) -> list[Any]:
        """Return the job's findings, or raise 400 with all of them if any is an error."""
        from stconfig.validation import has_errors, validate
        from stconfig.validation.findings import unfilled_as_errors

        findings = unfilled_as_errors(
            validate(loaded),
            "write the value into the job, because a submitted job takes no variables",
        )
        if not has_errors(findings):
            return findings
        errors = [finding for finding in findings if finding.severity == "error"]
        details = [
            _redact_finding(finding.to_dict(), self.redactor, secrets) for finding in findings
        ]
        first = self.redactor.redact(f"{errors[0].path}: {errors[0].message}", secrets)
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise BadRequest(f"the job is invalid: {first}{more}", errors=details)

    def launch(self, prepared: PreparedJob) -> int:
        """Store a prepared job and start it in the runner; return its id."""
        from stconfig.encryption import mask_secrets
        from stconfig.server.engine import build_dag, empty_metrics

        now = time.time()
        dag = mask_secrets(build_dag(prepared.job, prepared.job_id or 0))
        metrics = orjson.dumps(empty_metrics())

        def build_row(new_id: int) -> JobRow:
            dag["jobId"] = str(new_id)
            return JobRow(
                job_id=new_id,
                name=prepared.name,
                status="PENDING",
                ended=False,
                node_id=self._node_id(),
                create_time=now,
                finish_time=None,
                start_with_savepoint=prepared.restore,
                env_options=prepared.env_options,
                job_dag=orjson.dumps(dag),
                metrics=metrics,
                error_msg=None,
            )

        new_id = self._reserve_id(prepared, build_row)
        self.redactor.register(new_id, prepared.secrets)
        try:
            handle = self.engine.start(
                new_id, prepared.job, restore=prepared.restore, on_event=self._on_event
            )
        except StconfigError as exc:
            message = self.redactor.redact(str(exc), prepared.secrets)
            self._abandon(new_id, prepared.restore, message)
            raise BadRequest(message) from None
        except Exception:
            self._abandon(new_id, prepared.restore, "the runner failed to start the job")
            raise
        self._track(new_id, handle)
        logger.info(
            "job %d %r submitted%s",
            new_id,
            prepared.name,
            " (restoring from its last savepoint or checkpoint)" if prepared.restore else "",
        )
        return new_id

    def _reserve_id(self, prepared: PreparedJob, build_row: Callable[[int], JobRow]) -> int:
        if prepared.job_id is None:
            return self.store.insert_job(build_row)
        if prepared.restore:
            return self._reserve_restart(prepared.job_id, build_row)
        try:
            return self.store.insert_job(build_row, job_id=prepared.job_id)
        except JobIdInUseError:
            existing = self.store.get_job(prepared.job_id)
            raise Conflict(_in_use_message(prepared.job_id, existing)) from None

    def _reserve_restart(self, target: int, build_row: Callable[[int], JobRow]) -> int:
        existing = self.store.get_job(target)
        if existing is not None and not existing.ended:
            raise Conflict(
                f"job {target} is still {existing.status}; stop it before resuming it "
                "from a savepoint"
            )
        if not self.engine.has_checkpoint(target):
            raise BadRequest(
                f"job {target} has no savepoint or checkpoint to resume from; submit it "
                "without isStartWithSavePoint to start it afresh"
            )
        try:
            self.store.restart_job(build_row(target))
        except JobIdInUseError:
            raise Conflict(
                f"job {target} is still running; stop it before resuming it from a savepoint"
            ) from None
        return target

    def _abandon(self, new_id: int, restore: bool, reason: str) -> None:
        """Undo a job the runner did not start.

        A new job leaves no trace. A resumed job replaced its earlier run in the store,
        so it stays listed as FAILED with the reason, and its checkpoints stay too.
        """
        if restore:
            logger.warning("job %d could not be resumed: %s", new_id, reason)
            self.store.end_job(
                new_id,
                "FAILED",
                finish_time=time.time(),
                error_msg=reason,
                metrics=None,
                summary_builder=render.finished_summary,
            )
        else:
            self.store.delete_job(new_id)
        self.redactor.forget(new_id)

    def _track(self, new_id: int, handle: Any) -> None:
        with self._handles_lock:
            self._handles[new_id] = handle
        if getattr(handle, "status", None) in ENDED_STATES:
            # The end event may have arrived before the handle was recorded.
            self._forget(new_id)

    def _forget(self, job_id_: int) -> Any:
        with self._handles_lock:
            return self._handles.pop(job_id_, None)

    def _node_id(self) -> str | None:
        return self.membership.node_id if self.membership else None

    # Runner events

    def _on_event(self, event: Any) -> None:
        """Record a job's state change; called from the runner's supervisor thread."""
        try:
            metrics = orjson.dumps(event.metrics) if event.metrics else None
            if event.status in ENDED_STATES:
                error = self.redactor.redact(event.error) if event.error else None
                self._record_end(event.job_id, event.status, error, metrics, event.time)
            else:
                self.store.update_status(event.job_id, event.status, metrics=metrics)
                logger.info("job %d is %s", event.job_id, event.status)
        except Exception:
            logger.exception("failed to record state %s of job %d", event.status, event.job_id)

    def _record_end(
        self, job_id_: int, status: str, error: str | None, metrics: bytes | None, when: float
    ) -> None:
        changed = self.store.end_job(
            job_id_,
            status,
            finish_time=when or time.time(),
            error_msg=error,
            metrics=metrics,
            summary_builder=render.finished_summary,
        )
        self._forget(job_id_)
        self.redactor.forget(job_id_)
        if status in CHECKPOINTS_DROPPED_ON:
            try:
                self.engine.delete_checkpoints(job_id_)
            except Exception:
                logger.exception("failed to delete the checkpoints of job %d", job_id_)
        if not changed:
            return
        if error:
            logger.warning("job %d ended %s: %s", job_id_, status, error)
        else:
            logger.info("job %d ended %s", job_id_, status)

    # Stopping

    def stop(self, body: bytes) -> dict[str, int]:
        """Stop one job; return `{"jobId": <number>}`."""
        request = json_object(json_body(body), "the stop-job body")
        target, savepoint = _stop_target(request)
        self._stop_checked(self._stoppable(target), savepoint)
        return {"jobId": target}

    def stop_batch(self, body: bytes) -> list[dict[str, int]]:
        """Check every item of a `stop-jobs` array first, then stop the jobs in order."""
        items = json_array(json_body(body), "the stop-jobs body")
        targets = []
        for index, item in enumerate(items):
            target, savepoint = _stop_target(json_object(item, f"item {index} of stop-jobs"))
            targets.append((self._stoppable(target), savepoint))
        for row, savepoint in targets:
            self._stop_checked(row, savepoint)
        return [{"jobId": row.job_id} for row, _ in targets]

    def _stoppable(self, target: int) -> JobRow:
        row = self.store.get_job(target)
        if row is None:
            raise NotFound(f"job {target} not found; list jobs with running-jobs or finished-jobs")
        return row

    def _stop_checked(self, row: JobRow, savepoint: bool) -> None:
        if row.ended:
            logger.info("stop of job %d ignored: it already ended %s", row.job_id, row.status)
            return
        kind = "savepoint" if savepoint else "cancel"
        logger.info("stop requested for job %d (%s)", row.job_id, kind)
        if self._stop_local(row.job_id, kind):
            return
        alive = {node.node_id for node in self._alive_nodes()}
        if row.node_id in alive:
            self.store.request_stop(row.job_id, kind)
        else:
            self._fail_orphaned_jobs()

    def _stop_local(self, job_id_: int, kind: str) -> bool:
        with self._handles_lock:
            handle = self._handles.get(job_id_)
        if handle is None:
            return False
        if kind == "savepoint":
            handle.stop_with_savepoint()
        else:
            handle.cancel()
        return True

    # Reading

    def running_jobs(self) -> bytes:
        """Return the `running-jobs` array, rebuilt only when the store has changed."""
        version = self.store.data_version()
        cached = self._running_cache
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = self.store.running_jobs()
        body = orjson.dumps([render.running_object(row) for row in rows])
        self._running_cache = (version, body)
        return body

    def job_info(self, text: str) -> bytes:
        """Return one job, or `{"jobId": text}` for an id no job has."""
        if not text:
            raise BadRequest("The jobId must not be empty; use job-info/<jobId>")
        number = lookup_id(text)
        row = self.store.get_job(number) if number is not None else None
        if row is None:
            return orjson.dumps({"jobId": text})
        if row.ended:
            return orjson.dumps(render.finished_object(row, with_finished_time=True))
        return orjson.dumps(render.running_object(row))

    def finished_jobs(self, state: str | None) -> bytes:
        """Return the ended jobs, all or those in `state`, oldest finish first.

        The last response is kept until the store changes, because it can be megabytes.
        """
        status = state.upper() if state else None
        if status is not None and status not in ENDED_STATES:
            raise BadRequest(f"unknown job state {state!r}; use one of: {', '.join(ENDED_STATES)}")
        version = self.store.data_version()
        cached = self._finished_cache
        if cached is not None and cached[:2] == (version, status):
            return cached[2]
        body = render.join_array(self.store.finished_summaries(status))
        self._finished_cache = (version, status, body)
        return body

    def overview(self, tags: dict[str, str]) -> dict[str, str]:
        """Return SeaTunnel's cluster overview.

        Nodes have no tags, so any tag filter matches no worker.
        """
        from stconfig import __version__

        counts = self.store.count_by_status()
        workers = 0 if tags else len(self._alive_nodes())
        return {
            "projectVersion": __version__,
            "gitCommitAbbrev": "unknown",
            "totalSlot": "0",
            "unassignedSlot": "0",
            "runningJobs": str(counts["running"]),
            "finishedJobs": str(counts.get("FINISHED", 0)),
            "failedJobs": str(counts.get("FAILED", 0)),
            "cancelledJobs": str(counts.get("CANCELED", 0)),
            "workers": str(workers),
        }

    def monitoring(self) -> list[Any]:
        """Return one figures object per live node, the master (the oldest) first.

        Another node's figures come from its last heartbeat, so they can be five seconds old.
        """
        items: list[Any] = []
        for index, node in enumerate(self._alive_nodes()):
            if node.node_id == self._node_id():
                items.append(self._collect(is_master=index == 0))
            elif node.monitoring:
                figures = orjson.loads(node.monitoring)
                figures["isMaster"] = "true" if index == 0 else "false"
                items.append(figures)
        return items

    def encrypt_config(
        self, body: bytes, format_name: str | None
    ) -> tuple[dict[str, Any], list[str]]:
        """Encrypt a job's sensitive values; return the job and warnings about the shade.

        The node's key files come before those the job names, so the aes shade encrypts
        with the first key of the node's first key file.
        """
        from stconfig.config import loads
        from stconfig.encryption import encrypt_job, job_identifier
        from stconfig.shades.registry import find_shade

        text = body_text(body)
        fmt = config_format(format_name)
        try:
            job = loads(text, name="request body", format=fmt, environ=False).job
        except StconfigError as exc:
            raise BadRequest(str(exc)) from None
        confined = confine_key_files(job, self.roots)
        try:
            encrypted = encrypt_job(confined, key_files=self.key_files)
            shade = find_shade(job_identifier(encrypted) or "")
        except StconfigError as exc:
            raise BadRequest(str(exc)) from None
        _keep_key_files_as_sent(encrypted, job)
        warnings = []
        if not shade.encrypts:
            warnings.append(
                f"shade '{shade.identifier}' is an encoding, not encryption: anyone can decode "
                "these values; use the aes shade to keep them secret"
            )
        return encrypted, warnings

    # Supervision

    def _supervise(self) -> None:
        rounds = 0
        while not self._stopping.wait(SUPERVISOR_INTERVAL_SECONDS):
            rounds += 1
            try:
                self._supervise_round(rounds)
            except Exception:
                logger.exception("node supervisor round failed; retrying")

    def _supervise_round(self, rounds: int) -> None:
        for target, kind in self.store.take_stop_requests(self._node_id() or ""):
            logger.info("stop of job %d (%s) requested through another node", target, kind)
            self._stop_local(target, kind)
        if rounds % METRICS_ROUNDS == 0:
            self._flush_metrics()
        if rounds % HEARTBEAT_ROUNDS == 0 and self.membership is not None:
            self.membership.heartbeat(self._monitoring_bytes(is_master=False))
        if rounds % SWEEP_ROUNDS == 0:
            self._fail_orphaned_jobs()
        if rounds % PURGE_ROUNDS == 0:
            self._purge_history()

    def _purge_history(self) -> None:
        minutes = self.config.history_expire_minutes
        purged = self.store.purge_history(time.time() - minutes * 60)
        if purged:
            logger.info("removed %d ended job(s) older than %d minutes", purged, minutes)

    def _flush_metrics(self) -> None:
        """Write the metrics of this node's running jobs that changed since the last flush."""
        with self._handles_lock:
            handles = dict(self._handles)
        changed = {}
        for job_id_, handle in handles.items():
            metrics = self._handle_metrics(handle)
            if metrics is not None and self._flushed_metrics.get(job_id_) != metrics:
                changed[job_id_] = metrics
        self.store.update_metrics(changed)
        self._flushed_metrics = {
            job_id_: changed.get(job_id_, self._flushed_metrics.get(job_id_)) for job_id_ in handles
        }

    @staticmethod
    def _handle_metrics(handle: Any) -> bytes | None:
        try:
            return orjson.dumps(handle.metrics())
        except Exception:
            logger.debug("metrics of job %s are not available", handle.job_id, exc_info=True)
            return None

    def _alive_nodes(self) -> list[Any]:
        return self.membership.alive_nodes() if self.membership else []

    def _fail_orphaned_jobs(self) -> None:
        """Mark FAILED the jobs whose node is gone; they can be resumed from a checkpoint."""
        alive = [node.node_id for node in self._alive_nodes()]
        for orphan, _ in self.store.running_jobs_of(None):
            owner = self.store.get_job(orphan)
            if owner is None or owner.node_id in alive:
                continue
            message = (
                f"the node that ran job {orphan} stopped before the job ended; resume it from "
                f"its last checkpoint with submit-job?jobId={orphan}&isStartWithSavePoint=true"
            )
            self._record_end(orphan, "FAILED", message, None, time.time())

    def _collect(self, *, is_master: bool) -> dict[str, str]:
        membership = self.membership
        host = membership.host if membership else self.config.host
        port = membership.port if membership else self.config.port
        return self.monitor.collect(
            is_master=is_master, host=host, port=port, connections=self.connections()
        )

    def _monitoring_bytes(self, *, is_master: bool) -> bytes:
        return orjson.dumps(self._collect(is_master=is_master))


def check_runnable(job: dict[str, Any], findings: list[Any]) -> None:
    """Raise 400 for plugins that this node's runner does not have.

    Validation only warns about unknown plugins, because a SeaTunnel cluster may have
    them, but a job the node cannot run should fail at submit, not once it starts.
    """
    from stconfig.config import plugins
    from stconfig.server.engine.plugins import installed_plugins

    registry = installed_plugins()
    hints = {finding.path: finding.message for finding in findings}
    errors = []
    for section, index, plugin in plugins(job):
        name = str(plugin.get("plugin_name", ""))
        if name.lower() in registry.get(section, {}):
            continue
        known = sorted(entry.name.partition(".")[2] for entry in registry.get(section, {}).values())
        hint = hints.get(f"$.{section}[{index}]")
        message = (
            f"this node cannot run the {section} plugin {name!r}"
            + (f" ({hint})" if hint else "")
            + f"; its {section} plugins are: {', '.join(known)}. Run this job on a SeaTunnel "
            "cluster instead"
        )
        errors.append({"severity": "error", "path": f"$.{section}[{index}]", "message": message})
    if errors:
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise BadRequest(f"{errors[0]['path']}: {errors[0]['message']}{more}", errors=errors)


def job_name(requested: str | None, job: dict[str, Any]) -> str:
    """Pick a job's name: the request's `jobName`, else `env."job.name"`, else SeaTunnel_Job."""
    if requested:
        return requested
    env = job.get("env")
    configured = env.get("job.name") if isinstance(env, dict) else None
    return str(configured) if configured not in (None, "") else DEFAULT_JOB_NAME


def _keep_key_files_as_sent(encrypted: dict[str, Any], sent: dict[str, Any]) -> None:
    """Put back the key files the client wrote, which confinement made absolute node paths."""
    sent_properties = shade_properties(sent)
    properties = shade_properties(encrypted)
    if sent_properties is None or properties is None or "key_file" not in sent_properties:
        return
    properties["key_file"] = sent_properties["key_file"]


def _stop_target(request: dict[str, Any]) -> tuple[int, bool]:
    if request.get("jobId") in (None, ""):
        raise BadRequest("jobId cannot be empty.")
    return job_id(request["jobId"]), flag(request.get("isStopWithSavePoint", False))


def _in_use_message(target: int, existing: JobRow | None) -> str:
    holder = f" by job {existing.name!r} ({existing.status})" if existing else ""
    return (
        f"job id {target} is already in use{holder}; choose another jobId, or pass "
        "isStartWithSavePoint=true to resume that job"
    )


def _redact_finding(item: dict[str, Any], redactor: Redactor, secrets: set[str]) -> dict[str, Any]:
    return {
        key: redactor.redact(value, secrets) if isinstance(value, str) else value
        for key, value in item.items()
    }
