"""Run one job inside its worker process: build the plugins, move batches, checkpoint.

Every source reader is polled in turn, one batch at a time, and each batch is pushed
through the transforms to the sink writers before the next poll, so a checkpoint taken
between two polls finds no row in flight. Reader `i` of a source feeds writer `i` of each
sink downstream, as SeaTunnel gives a sink the parallelism of its upstream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from stconfig.server.engine.checkpoints import CheckpointStore
from stconfig.server.engine.dag import Plan, PlanNode, env_option, plan_job
from stconfig.server.engine.errors import EngineError, PluginError
from stconfig.server.engine.failures import Failure, describe_failure, inside
from stconfig.server.engine.metrics import (
    IDLE_METRICS_INTERVAL,
    METRICS_INTERVAL,
    Metrics,
    make_sizer,
)
from stconfig.server.engine.plugins import (
    JobContext,
    Sink,
    SinkWriter,
    Source,
    SourceReader,
    Transform,
    find_plugin,
)
from stconfig.server.engine.read_limit import ReadLimit, ReadLimiter
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.types import TableSchema

logger = logging.getLogger(__name__)

# Checkpoint interval of a STREAMING job that sets none, as SeaTunnel's shipped engine config.
DEFAULT_STREAMING_CHECKPOINT_MS = 10_000
# Seconds an idle worker waits for a command before it polls its sources again. The wait
# doubles while no source has rows, so a node with many idle streaming jobs stays quiet.
MIN_IDLE_WAIT = 0.005
MAX_IDLE_WAIT = 0.2


class Control(Protocol):
    """The worker's link to its supervisor."""

    def command(self, timeout: float) -> str | None:
        """Return "cancel" or "savepoint" if one arrived within `timeout` seconds."""

    def send(self, message: tuple[Any, ...]) -> None:
        """Send an event to the supervisor."""


@dataclass
class ReaderSlot:
    node: PlanNode
    index: int
    reader: SourceReader
    limiter: ReadLimiter | None = None

    @property
    def key(self) -> str:
        return f"{self.node.key}/{self.index}"


@dataclass
class ReadRound:
    """The outcome of one round of polls over the source readers."""

    progressed: bool = False
    # Whether any reader was polled; False when every reader waits for its read limit.
    polled: bool = False
    # When the first reader that waits for its read limit may read again, if any waits.
    limited_until: float | None = None

    def wait_for_limit(self, ready: float) -> None:
        if self.limited_until is None or ready < self.limited_until:
            self.limited_until = ready


class MetricsReporter:
    """The schedule of a job's metrics reports to the supervisor.

    A report goes out every `METRICS_INTERVAL` seconds while the counts change, and every
    `IDLE_METRICS_INTERVAL` seconds while they do not.
    """

    def __init__(self, metrics: Any, control: Control, now: float) -> None:
        self.metrics = metrics
        self.control = control
        self.next_due = now + METRICS_INTERVAL
        self.last_report = now
        self.reported_totals: dict[str, Any] | None = None

    def report_if_due(self, now: float) -> None:
        if now < self.next_due:
            return
        changed = self.metrics.totals != self.reported_totals
        if changed or now >= self.last_report + IDLE_METRICS_INTERVAL:
            self.control.send(("metrics", self.metrics.snapshot()))
            self.reported_totals = dict(self.metrics.totals)
            self.last_report = now
        self.next_due = now + METRICS_INTERVAL


class JobRunner:
    """Build and run one job; `run` returns the final status and the error text, if any."""

    def __init__(
        self,
        job: dict[str, Any],
        context: JobContext,
        store: CheckpointStore | None,
        control: Control,
        *,
        restore: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job = job
        self.context = context
        self.store = store
        self.control = control
        self.restore = restore
        self.clock = clock
        # Why the job failed, with the traceback when the cause is a bug; None until then.
        self.failure: Failure | None = None
        self.metrics = Metrics()
        self.checkpoint_id = 0
        self.plan: Plan | None = None
        self.readers: list[ReaderSlot] = []
        self.transforms: dict[PlanNode, Transform] = {}
        self.sinks: dict[PlanNode, Sink] = {}
        self.writers: dict[PlanNode, list[SinkWriter]] = {}
        self.consumers: dict[PlanNode, list[PlanNode]] = {}
        self.schemas: dict[PlanNode, dict[str, TableSchema]] = {}
        self.sizers: dict[tuple[PlanNode, str], Callable[[list[tuple]], int]] = {}

    # Life cycle

    def run(self) -> tuple[str, str | None]:
        try:
            state = self._restored_state()
            self.build(state)
            self.control.send(("status", "RUNNING", None))
            outcome = self.loop()
            if outcome == "finished":
                self.finish()
                return "FINISHED", None
            if outcome == "savepoint":
                self.control.send(("status", "DOING_SAVEPOINT", None))
                self.checkpoint("savepoint")
                self.close()
                return "SAVEPOINT_DONE", None
            self.abort()
            return "CANCELED", None
        except Exception as exc:
            self.abort()
            self.failure = describe_failure(exc)
            return "FAILED", self.failure.message
        finally:
            self.control.send(("metrics", self.metrics.snapshot()))

    def _restored_state(self) -> dict[str, Any] | None:
        if not self.restore or self.store is None:
            return None
        latest = self.store.latest(self.context.job_id)
        if latest is None:
            raise EngineError(f"job {self.context.job_id} has no savepoint or checkpoint")
        self.checkpoint_id, _, state = latest
        return state

    # Building

    def build(self, state: dict[str, Any] | None) -> None:
        self.plan = plan_job(self.job)
        for node in self.plan.nodes:
            self.consumers[node] = self.plan.consumers(node)
        limit = ReadLimit.from_env(self.job.get("env") or {})
        for node in self.plan.nodes:
            with inside(node):
                if node.section == "source":
                    self._build_source(node, state, limit)
                elif node.section == "transform":
                    self._build_transform(node)
                else:
                    self._build_sink(node, state)

    def _build_source(
        self, node: PlanNode, state: dict[str, Any] | None, limit: ReadLimit | None
    ) -> None:
        plugin = find_plugin("source", node.plugin_name)
        source = plugin(node.options, self.context)
        assert isinstance(source, Source)
        self.schemas[node] = {table.table_id: table for table in source.tables}
        parallelism = self.parallelism(node)
        positions = (state or {}).get("sources", {})
        for index in range(parallelism):
            position = positions.get(f"{node.key}/{index}")
            reader = source.create_reader(index, parallelism, position)
            limiter = ReadLimiter(limit, self.clock()) if limit is not None else None
            self.readers.append(ReaderSlot(node, index, reader, limiter))

    def _build_transform(self, node: PlanNode) -> None:
        upstream = self._input_tables(node)
        if len(upstream) != 1:
            raise EngineError("Adding transform to multi-table source is not supported.")
        _check_same_structure(node, self)
        plugin = find_plugin("transform", node.plugin_name)
        transform = plugin(node.options, self.context, upstream[0])
        assert isinstance(transform, Transform)
        self.transforms[node] = transform
        self.schemas[node] = {upstream[0].table_id: transform.schema}

    def _build_sink(self, node: PlanNode, state: dict[str, Any] | None) -> None:
        plugin = find_plugin("sink", node.plugin_name)
        sink = plugin(node.options, self.context, self._input_tables(node))
        assert isinstance(sink, Sink)
        self.sinks[node] = sink
        pending = (state or {}).get("commits", {}).get(node.key)
        if pending:
            sink.commit([info for info in pending if info is not None])
        count = max(self._upstream_parallelism(node), 1)
        self.writers[node] = [sink.create_writer(index) for index in range(count)]

    def _input_tables(self, node: PlanNode) -> list[TableSchema]:
        tables: dict[str, TableSchema] = {}
        for upstream in node.inputs:
            for table_id, table in self.schemas[upstream].items():
                tables.setdefault(table_id, table)
        return list(tables.values())

    def _upstream_parallelism(self, node: PlanNode) -> int:
        if node.section == "source":
            return self.parallelism(node)
        return max((self._upstream_parallelism(item) for item in node.inputs), default=1)

    def parallelism(self, node: PlanNode) -> int:
        value = node.options.get(
            "parallelism", env_option(self.job.get("env") or {}, "parallelism", 1)
        )
        try:
            return max(int(value), 1)
        except (TypeError, ValueError):
            raise PluginError(
                f"{node.key} ({node.plugin_name}): parallelism is {value!r}, not an integer"
            ) from None

    def sizer(self, node: PlanNode, table_id: str) -> Callable[[list[tuple]], int]:
        key = (node, table_id)
        sizer = self.sizers.get(key)
        if sizer is None:
            table = self.schemas[node].get(table_id)
            if table is None:
                table = next(iter(self.schemas[node].values()))
            sizer = self.sizers[key] = make_sizer(table.types)
        return sizer

    # Running

    def checkpoint_interval(self) -> float | None:
        env = self.job.get("env") or {}
        value = env_option(env, "checkpoint.interval", None)
        if value is None:
            return DEFAULT_STREAMING_CHECKPOINT_MS / 1000 if self.context.streaming else None
        try:
            milliseconds = int(value)
        except (TypeError, ValueError):
            raise EngineError(f"env checkpoint.interval is {value!r}, not milliseconds") from None
        if milliseconds < 10:
            raise EngineError("The minimum checkpoint interval is 10 mills.")
        return milliseconds / 1000

    def loop(self) -> str:
        interval = self.checkpoint_interval()
        now = self.clock()
        next_checkpoint = now + interval if interval else None
        reporter = MetricsReporter(self.metrics, self.control, now)
        idle_wait = MIN_IDLE_WAIT
        active = list(self.readers)
        while True:
            command = self.control.command(0)
            if command is not None:
                return command
            round_ = self.read_sources(active)
            if any(slot.reader.finished for slot in active):
                active = [slot for slot in active if not slot.reader.finished]
                if not active:
                    return "finished"

            now = self.clock()
            if next_checkpoint is not None and now >= next_checkpoint:
                self.checkpoint("checkpoint")
                next_checkpoint = now + (interval or 0)
            reporter.report_if_due(now)

            if round_.progressed:
                idle_wait = MIN_IDLE_WAIT
                continue
            next_event = min(reporter.next_due, next_checkpoint or reporter.next_due)
            # Readers with no rows are polled again after a growing wait. Readers that
            # wait for their read limit need no poll until the limit lets them read.
            wait = idle_wait if round_.polled else next_event - now
            if round_.limited_until is not None:
                wait = min(wait, round_.limited_until - now)
            command = self.control.command(max(min(wait, next_event - now), 0.0))
            if command is not None:
                return command
            if round_.polled:
                idle_wait = min(idle_wait * 2, MAX_IDLE_WAIT)

    def read_sources(self, active: list[ReaderSlot]) -> ReadRound:
        """Push one batch from each source reader that has rows and may read now."""
        round_ = ReadRound()
        for slot in active:
            limiter = slot.limiter
            if limiter is not None:
                now = self.clock()
                allowed = limiter.rows_allowed(now)
                if allowed == 0:
                    round_.wait_for_limit(limiter.ready_at(now))
                    continue
                slot.reader.max_rows = allowed
            round_.polled = True
            with inside(slot.node):
                batch = slot.reader.poll()
            if batch is None or not batch.rows:
                continue
            round_.progressed = True
            if batch.nbytes is None:
                batch.nbytes = self.sizer(slot.node, batch.table_id)(batch.rows)
            if limiter is not None:
                limiter.charge(len(batch.rows), batch.nbytes, self.clock())
            self.metrics.count("Source", batch.table_id, len(batch.rows), batch.nbytes)
            self.push(slot.node, batch, slot.index)
        return round_

    def push(self, node: PlanNode, batch: Batch, index: int) -> None:
        for consumer in self.consumers[node]:
            if consumer.section == "transform":
                with inside(consumer):
                    result = self.transforms[consumer].process(batch)
                if result is not None and result.rows:
                    self.push(consumer, result, index)
                continue
            writers = self.writers[consumer]
            with inside(consumer):
                written = writers[index % len(writers)].write(batch)
            sizer = self.sizer(node, batch.table_id)
            if written == len(batch.rows):
                if batch.nbytes is None:
                    batch.nbytes = sizer(batch.rows)
                nbytes = batch.nbytes
            else:
                nbytes = sizer(batch.rows[:written])
            self.metrics.count("Sink", batch.table_id, written, nbytes)

    # Checkpoints and endings

    def checkpoint(self, kind: str) -> None:
        """Record source positions and prepared sink commits, then commit the sinks."""
        self.checkpoint_id += 1
        positions = {}
        for slot in self.readers:
            with inside(slot.node):
                positions[slot.key] = slot.reader.snapshot()
        commits = {node.key: self._prepare_commits(node) for node in self.writers}
        if self.store is not None:
            state = {"sources": positions, "commits": commits}
            self.store.save(self.context.job_id, self.checkpoint_id, kind, state)
        for node, sink in self.sinks.items():
            with inside(node):
                sink.commit([info for info in commits[node.key] if info is not None])
        self.control.send(("checkpoint", self.checkpoint_id, kind))

    def _prepare_commits(self, node: PlanNode) -> list[Any]:
        with inside(node):
            return [writer.prepare_commit(self.checkpoint_id) for writer in self.writers[node]]

    def finish(self) -> None:
        """End a bounded job: flush and commit every writer, then run the sinks' final checks."""
        for node, writers in self.writers.items():
            with inside(node):
                for writer in writers:
                    writer.finish()
        self.checkpoint_id += 1
        for node, sink in self.sinks.items():
            infos = self._prepare_commits(node)
            with inside(node):
                sink.commit([info for info in infos if info is not None])
        for node, sink in self.sinks.items():
            with inside(node):
                sink.finish()
        self.close()

    def close(self) -> None:
        for slot in self.readers:
            with inside(slot.node):
                slot.reader.close()
        for node, writers in self.writers.items():
            with inside(node):
                for writer in writers:
                    writer.close()

    def abort(self) -> None:
        for slot in self.readers:
            _quietly(slot.reader.close)
        for writers in self.writers.values():
            for writer in writers:
                _quietly(writer.abort)
                _quietly(writer.close)


def _check_same_structure(node: PlanNode, runner: JobRunner) -> None:
    types = {
        tuple((column.name, column.type) for column in table.columns)
        for upstream in node.inputs
        for table in runner.schemas[upstream].values()
    }
    if len(types) > 1:
        raise EngineError(
            "Transform/Sink don't support processing data with two different structures."
        )


def _quietly(action: Callable[[], Any]) -> None:
    try:
        action()
    except Exception:
        logger.debug("cleanup after a failed job raised", exc_info=True)
