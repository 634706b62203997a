"""The node's SQLite store: jobs, ended-job history, and the nodes that share the store.

Several node processes may open one store (one data directory): SQLite's WAL mode lets
them read at the same time, and every write runs in a `BEGIN IMMEDIATE` transaction, so
writes are serialized across processes. Inside one process a lock serializes the single
writer connection; each thread reads through its own connection. Every query is
parameterized. Checkpoints live in the runner's own database next to this one.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stconfig.errors import StconfigError

logger = logging.getLogger(__name__)

STORE_FILE = "stconfig-node.db"
SCHEMA_VERSION = 1

# JavaScript reads integers up to 2^53 - 1 exactly, so job ids stay in that range.
MAX_JOB_ID = 2**53 - 1

# Generated ids are milliseconds since 2024-01-01 UTC times 1024, so they grow with time
# and stay below 2^53 for about 270 years. A clash moves to the next free id.
_ID_EPOCH_MS = 1_704_067_200_000
_ID_TIME_SHIFT = 10

_BUSY_TIMEOUT_MS = 10_000
# Maximum time a commit by another process may stay unseen by `Store.data_version`.
VERSION_CHECK_SECONDS = 0.1

_SCHEMA = (
    """
    CREATE TABLE jobs (
        job_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        ended INTEGER NOT NULL DEFAULT 0,
        node_id TEXT,
        create_time REAL NOT NULL,
        finish_time REAL,
        start_with_savepoint INTEGER NOT NULL DEFAULT 0,
        env_options BLOB NOT NULL,
        job_dag BLOB NOT NULL,
        metrics BLOB NOT NULL,
        error_msg TEXT,
        stop_request TEXT,
        summary BLOB
    )
    """,
    "CREATE INDEX jobs_by_end ON jobs (ended, finish_time, job_id)",
    "CREATE INDEX jobs_by_node ON jobs (node_id, ended)",
    """
    CREATE TABLE nodes (
        node_id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        hostname TEXT NOT NULL,
        pid INTEGER NOT NULL,
        process_start REAL NOT NULL,
        started REAL NOT NULL,
        heartbeat REAL NOT NULL,
        monitoring BLOB
    )
    """,
    "CREATE TABLE id_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


class StoreError(StconfigError):
    """A store that cannot be opened or has an unknown layout."""


class JobIdInUseError(StconfigError):
    """A job id that another job already has."""


@dataclass
class JobRow:
    """One job as stored; JSON columns hold UTF-8 JSON bytes with secrets already masked."""

    job_id: int
    name: str
    status: str
    ended: bool
    node_id: str | None
    create_time: float
    finish_time: float | None
    start_with_savepoint: bool
    env_options: bytes
    job_dag: bytes
    metrics: bytes
    error_msg: str | None
    stop_request: str | None = None


@dataclass
class NodeRow:
    """One node process that uses the store."""

    node_id: str
    host: str
    port: int
    hostname: str
    pid: int
    process_start: float
    started: float
    heartbeat: float
    monitoring: bytes | None


_JOB_COLUMNS = (
    "job_id, name, status, ended, node_id, create_time, finish_time, start_with_savepoint, "
    "env_options, job_dag, metrics, error_msg, stop_request"
)
_NODE_COLUMNS = "node_id, host, port, hostname, pid, process_start, started, heartbeat, monitoring"


def _job_row(values: tuple[Any, ...]) -> JobRow:
    (
        job_id,
        name,
        status,
        ended,
        node_id,
        create_time,
        finish_time,
        savepoint,
        env_options,
        job_dag,
        metrics,
        error_msg,
        stop_request,
    ) = values
    return JobRow(
        job_id,
        name,
        status,
        bool(ended),
        node_id,
        create_time,
        finish_time,
        bool(savepoint),
        bytes(env_options),
        bytes(job_dag),
        bytes(metrics),
        error_msg,
        stop_request,
    )


class Store:
    """Jobs, history and node records of one data directory, in SQLite."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STORE_FILE
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._version_lock = threading.Lock()
        self._version = -1
        self._version_checked = float("-inf")
        self._commits = 0
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._writer = self._connect()
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._create_schema()
            self._watcher = self._connect()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the node store: {exc}") from None
        except OSError as exc:
            raise StoreError(
                f"{data_dir}: cannot create the data directory: {exc.strerror}"
            ) from None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=_BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA synchronous=NORMAL")
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    def _create_schema(self) -> None:
        with self._write() as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version != 0:
                raise StoreError(
                    f"{self.path}: the store has layout version {version}, but this stconfig "
                    f"reads version {SCHEMA_VERSION}; use a new --data-dir"
                )
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Run one write transaction; it holds SQLite's write lock from its first statement."""
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            self._commits += 1

    def _reader(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()

    def data_version(self) -> tuple[int, int]:
        """Return a value that changes whenever any connection commits a change.

        This store's own commits change it at once. Commits from other processes (a
        second node on the same data directory) show after at most
        `VERSION_CHECK_SECONDS`, because asking SQLite on every request would make every
        reader thread wait for one lock.
        """
        now = time.monotonic()
        if now - self._version_checked >= VERSION_CHECK_SECONDS:
            with self._version_lock:
                if now - self._version_checked >= VERSION_CHECK_SECONDS:
                    self._version = self._watcher.execute("PRAGMA data_version").fetchone()[0]
                    self._version_checked = now
        return self._version, self._commits

    # Jobs

    def insert_job(self, build: Callable[[int], JobRow], *, job_id: int | None = None) -> int:
        """Store a new job built by `build(job_id)` and return its id.

        Without `job_id` a new id is generated inside the same transaction, so nodes that
        share the store never hand out the same id. With `job_id`, `JobIdInUseError` is
        raised when a job with that id exists.
        """
        with self._write() as connection:
            if job_id is None:
                job_id = self._next_job_id(connection)
            elif self._job_exists(connection, job_id):
                raise JobIdInUseError(f"job id {job_id} is already in use")
            self._insert(connection, build(job_id))
        return job_id

    def restart_job(self, row: JobRow) -> None:
        """Replace an ended job with a new run under the same id, or store it if absent.

        Raises `JobIdInUseError` when a job with that id has not ended.
        """
        with self._write() as connection:
            ended = connection.execute(
                "SELECT ended FROM jobs WHERE job_id = ?", (row.job_id,)
            ).fetchone()
            if ended is not None and not ended[0]:
                raise JobIdInUseError(f"job {row.job_id} is still running")
            connection.execute("DELETE FROM jobs WHERE job_id = ?", (row.job_id,))
            self._insert(connection, row)

    @staticmethod
    def _insert(connection: sqlite3.Connection, row: JobRow) -> None:
        connection.execute(
            f"INSERT INTO jobs ({_JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.job_id,
                row.name,
                row.status,
                int(row.ended),
                row.node_id,
                row.create_time,
                row.finish_time,
                int(row.start_with_savepoint),
                row.env_options,
                row.job_dag,
                row.metrics,
                row.error_msg,
                row.stop_request,
            ),
        )

    @staticmethod
    def _job_exists(connection: sqlite3.Connection, job_id: int) -> bool:
        found = connection.execute("SELECT 1 FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return found is not None

    def _next_job_id(self, connection: sqlite3.Connection) -> int:
        from_clock = (int(time.time() * 1000) - _ID_EPOCH_MS) << _ID_TIME_SHIFT
        last = connection.execute("SELECT value FROM id_sequence WHERE name = 'job'").fetchone()
        candidate = max(from_clock, (last[0] + 1) if last else 1)
        while self._job_exists(connection, candidate):
            candidate += 1
        if candidate > MAX_JOB_ID:
            raise StoreError("no job id left below 2^53; start a new data directory")
        connection.execute(
            "INSERT INTO id_sequence (name, value) VALUES ('job', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (candidate,),
        )
        return candidate

    def delete_job(self, job_id: int) -> None:
        """Remove a job that never started."""
        with self._write() as connection:
            connection.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))

    def update_status(self, job_id: int, status: str, *, metrics: bytes | None = None) -> None:
        """Record the state of a job that has not ended."""
        with self._write() as connection:
            connection.execute(
                "UPDATE jobs SET status = ?, metrics = COALESCE(?, metrics) "
                "WHERE job_id = ? AND ended = 0",
                (status, metrics, job_id),
            )

    def update_metrics(self, metrics_by_job: dict[int, bytes]) -> None:
        """Record fresh metrics of running jobs, in one transaction."""
        if not metrics_by_job:
            return
        with self._write() as connection:
            connection.executemany(
                "UPDATE jobs SET metrics = ? WHERE job_id = ? AND ended = 0",
                [(metrics, job_id) for job_id, metrics in metrics_by_job.items()],
            )

    def end_job(
        self,
        job_id: int,
        status: str,
        *,
        finish_time: float,
        error_msg: str | None,
        metrics: bytes | None,
        summary_builder: Any,
    ) -> bool:
        """Mark a job ended; return False if it had already ended.

        `summary_builder(row)` returns the JSON bytes listed by `finished-jobs`, built from
        the final row, so listing ended jobs needs no JSON work.
        """
        with self._write() as connection:
            found = connection.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE job_id = ? AND ended = 0", (job_id,)
            ).fetchone()
            if found is None:
                return False
            row = _job_row(found)
            row.status = status
            row.ended = True
            row.finish_time = finish_time
            row.error_msg = error_msg
            row.stop_request = None
            if metrics is not None:
                row.metrics = metrics
            connection.execute(
                "UPDATE jobs SET status = ?, ended = 1, finish_time = ?, error_msg = ?, "
                "metrics = ?, stop_request = NULL, summary = ? WHERE job_id = ?",
                (status, finish_time, error_msg, row.metrics, summary_builder(row), job_id),
            )
        return True

    def request_stop(self, job_id: int, kind: str) -> None:
        """Ask the node that runs a job to stop it (`kind` is "cancel" or "savepoint")."""
        with self._write() as connection:
            connection.execute(
                "UPDATE jobs SET stop_request = ? WHERE job_id = ? AND ended = 0",
                (kind, job_id),
            )

    def take_stop_requests(self, node_id: str) -> list[tuple[int, str]]:
        """Return and clear the stop requests for jobs that `node_id` runs."""
        found = (
            self._reader()
            .execute(
                "SELECT job_id, stop_request FROM jobs "
                "WHERE node_id = ? AND ended = 0 AND stop_request IS NOT NULL",
                (node_id,),
            )
            .fetchall()
        )
        if not found:
            return []
        with self._write() as connection:
            connection.executemany(
                "UPDATE jobs SET stop_request = NULL WHERE job_id = ?",
                [(job_id,) for job_id, _ in found],
            )
        return [(job_id, kind) for job_id, kind in found]

    def get_job(self, job_id: int) -> JobRow | None:
        """Return one job, ended or not."""
        found = (
            self._reader()
            .execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,))
            .fetchone()
        )
        return _job_row(found) if found else None

    def running_jobs(self) -> list[JobRow]:
        """Return every job that has not ended, oldest first."""
        found = (
            self._reader()
            .execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE ended = 0 ORDER BY create_time, job_id"
            )
            .fetchall()
        )
        return [_job_row(values) for values in found]

    def running_jobs_of(self, node_ids: list[str] | None) -> list[tuple[int, str | None]]:
        """Return `(job_id, node_id)` of jobs not ended, all of them when `node_ids` is None."""
        found = (
            self._reader().execute("SELECT job_id, node_id FROM jobs WHERE ended = 0").fetchall()
        )
        if node_ids is None:
            return found
        return [(job_id, node) for job_id, node in found if node in node_ids]

    def finished_summaries(self, status: str | None = None) -> list[bytes]:
        """Return the stored `finished-jobs` items, oldest finish first."""
        if status is None:
            found = (
                self._reader()
                .execute("SELECT summary FROM jobs WHERE ended = 1 ORDER BY finish_time, job_id")
                .fetchall()
            )
        else:
            found = (
                self._reader()
                .execute(
                    "SELECT summary FROM jobs WHERE ended = 1 AND status = ? "
                    "ORDER BY finish_time, job_id",
                    (status,),
                )
                .fetchall()
            )
        return [bytes(summary) for (summary,) in found]

    def count_by_status(self) -> dict[str, int]:
        """Return how many ended jobs have each status, plus "running" for the others."""
        counts = {"running": 0}
        for ended, status, count in self._reader().execute(
            "SELECT ended, status, COUNT(*) FROM jobs GROUP BY ended, status"
        ):
            if ended:
                counts[status] = counts.get(status, 0) + count
            else:
                counts["running"] += count
        return counts

    def purge_history(self, older_than: float) -> int:
        """Delete ended jobs that finished before `older_than`; return how many."""
        with self._write() as connection:
            cursor = connection.execute(
                "DELETE FROM jobs WHERE ended = 1 AND finish_time < ?", (older_than,)
            )
        return cursor.rowcount

    # Nodes

    def register_node(self, row: NodeRow) -> None:
        with self._write() as connection:
            connection.execute(
                f"INSERT OR REPLACE INTO nodes ({_NODE_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.node_id,
                    row.host,
                    row.port,
                    row.hostname,
                    row.pid,
                    row.process_start,
                    row.started,
                    row.heartbeat,
                    row.monitoring,
                ),
            )

    def heartbeat(self, node_id: str, now: float, monitoring: bytes | None) -> None:
        with self._write() as connection:
            connection.execute(
                "UPDATE nodes SET heartbeat = ?, monitoring = COALESCE(?, monitoring) "
                "WHERE node_id = ?",
                (now, monitoring, node_id),
            )

    def remove_node(self, node_id: str) -> None:
        with self._write() as connection:
            connection.execute("DELETE FROM nodes WHERE node_id = ?", (node_id,))

    def nodes(self) -> list[NodeRow]:
        """Return every registered node, oldest start first."""
        found = (
            self._reader()
            .execute(f"SELECT {_NODE_COLUMNS} FROM nodes ORDER BY started, node_id")
            .fetchall()
        )
        return [NodeRow(*values) for values in found]
