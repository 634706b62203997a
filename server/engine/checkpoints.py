"""The checkpoint store: source positions and pending sink commits, in one SQLite file.

The engine and each worker process open their own connection to the same file; WAL mode
lets the supervisor read while a worker writes. Within a process, one lock serializes the
use of the connection, because the engine settles jobs from several threads at once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

# Checkpoints kept per job, as SeaTunnel's shipped `max-retained` setting.
MAX_RETAINED = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    job_id INTEGER NOT NULL,
    checkpoint_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    created REAL NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (job_id, checkpoint_id)
)
"""


class CheckpointStore:
    """Checkpoints and savepoints of jobs, keyed by job id and checkpoint id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        with self._connection:
            self._connection.execute(_SCHEMA)

    def save(self, job_id: int, checkpoint_id: int, kind: str, state: dict[str, Any]) -> None:
        """Store one completed checkpoint, and drop the oldest beyond `MAX_RETAINED`."""
        with self._lock, self._connection:
            self._connection.execute(
                "INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?)",
                (job_id, checkpoint_id, kind, time.time(), json.dumps(state)),
            )
            self._connection.execute(
                "DELETE FROM checkpoints WHERE job_id = ? AND checkpoint_id NOT IN "
                "(SELECT checkpoint_id FROM checkpoints WHERE job_id = ? "
                "ORDER BY checkpoint_id DESC LIMIT ?)",
                (job_id, job_id, MAX_RETAINED),
            )

    def latest(self, job_id: int) -> tuple[int, str, dict[str, Any]] | None:
        """Return `(checkpoint_id, kind, state)` of the newest checkpoint of a job, or None."""
        with self._lock:
            row = self._connection.execute(
                "SELECT checkpoint_id, kind, state FROM checkpoints WHERE job_id = ? "
                "ORDER BY checkpoint_id DESC LIMIT 1",
                (job_id,),
            ).fetchone()
        if row is None:
            return None
        return int(row[0]), str(row[1]), json.loads(row[2])

    def has(self, job_id: int) -> bool:
        with self._lock:
            row = self._connection.execute(
                "SELECT 1 FROM checkpoints WHERE job_id = ? LIMIT 1", (job_id,)
            ).fetchone()
        return row is not None

    def delete(self, job_id: int) -> None:
        with self._lock, self._connection:
            self._connection.execute("DELETE FROM checkpoints WHERE job_id = ?", (job_id,))

    def close(self) -> None:
        with self._lock:
            self._connection.close()
