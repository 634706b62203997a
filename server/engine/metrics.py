"""Row and byte counters, counted where rows really pass, and the REST `metrics` object."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

from stconfig.server.engine.types import DataType
from stconfig.server.engine.values import java_double

COUNTERS = ("SourceReceivedCount", "SinkWriteCount", "SourceReceivedBytes", "SinkWriteBytes")
RATES = {
    "SourceReceivedQPS": "SourceReceivedCount",
    "SinkWriteQPS": "SinkWriteCount",
    "SourceReceivedBytesPerSeconds": "SourceReceivedBytes",
    "SinkWriteBytesPerSeconds": "SinkWriteBytes",
}

# Seconds between a worker's metrics reports while rows flow, and while a job is idle.
METRICS_INTERVAL = 0.5
IDLE_METRICS_INTERVAL = 5.0
# Metrics reports a `ReadRate` keeps: a minute of history at one report per METRICS_INTERVAL.
RATE_SAMPLES = 120

# Bytes per value of fixed-size types, as SeaTunnel sizes a row.
_FIXED_SIZES = {
    "BOOLEAN": 1,
    "TINYINT": 1,
    "SMALLINT": 2,
    "INT": 4,
    "BIGINT": 8,
    "FLOAT": 4,
    "DOUBLE": 8,
    "DECIMAL": 36,
    "NULL": 0,
    "DATE": 24,
    "TIME": 12,
    "TIMESTAMP": 48,
}


def value_size(value: Any, kind: DataType) -> int:
    """Return the size of one value in bytes, the slow way (nested types)."""
    if value is None:
        return 0
    if kind.name in _FIXED_SIZES:
        return _FIXED_SIZES[kind.name]
    if kind.name in ("STRING", "BYTES"):
        return len(value)
    if kind.name == "ARRAY" and kind.element is not None:
        return sum(value_size(item, kind.element) for item in value)
    if kind.name == "MAP" and kind.key is not None and kind.value is not None:
        return sum(
            value_size(key, kind.key) + value_size(item, kind.value) for key, item in value.items()
        )
    if kind.name == "ROW":
        return sum(
            value_size(item, sub) for item, (_, sub) in zip(value, kind.fields, strict=False)
        )
    if isinstance(value, Decimal):
        return 36
    return 0


def make_sizer(types: Sequence[DataType]) -> Callable[[list[tuple[Any, ...]]], int]:
    """Return a function that sizes a list of rows of these column types in bytes.

    Fixed-size columns cost a multiplication per batch and strings a C-level sum per
    column, so sizing stays cheap next to generating or encoding the rows.
    """
    fixed = sum(_FIXED_SIZES.get(kind.name, 0) for kind in types)
    variable = [itemgetter(i) for i, kind in enumerate(types) if kind.name in ("STRING", "BYTES")]
    nested = [
        (itemgetter(i), kind)
        for i, kind in enumerate(types)
        if kind.name in ("ARRAY", "MAP", "ROW")
    ]

    def size(rows: list[tuple[Any, ...]]) -> int:
        total = fixed * len(rows)
        for get in variable:
            total += sum(map(len, filter(None, map(get, rows))))
        for get, kind in nested:
            total += sum(value_size(get(row), kind) for row in rows)
        return total

    return size


class Metrics:
    """Counters of one running job, kept in the worker process."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.totals = dict.fromkeys(COUNTERS, 0)
        self.tables: dict[str, dict[str, int]] = {name: {} for name in COUNTERS}

    def count(self, side: str, table_id: str, rows: int, nbytes: int) -> None:
        """Add rows and bytes to `side` ("Source" or "Sink") for one table."""
        count_name, bytes_name = (
            ("SourceReceivedCount", "SourceReceivedBytes")
            if side == "Source"
            else ("SinkWriteCount", "SinkWriteBytes")
        )
        self.totals[count_name] += rows
        self.totals[bytes_name] += nbytes
        per_count = self.tables[count_name]
        per_count[table_id] = per_count.get(table_id, 0) + rows
        per_bytes = self.tables[bytes_name]
        per_bytes[table_id] = per_bytes.get(table_id, 0) + nbytes

    def snapshot(self) -> dict[str, Any]:
        """Return the raw counters as JSON data (sent from the worker to the supervisor)."""
        return {
            "totals": dict(self.totals),
            "tables": {name: dict(values) for name, values in self.tables.items()},
            "elapsed": time.monotonic() - self.started,
        }


def empty_metrics() -> dict[str, Any]:
    """Return the REST `metrics` object of a job that has not counted anything yet."""
    return format_metrics(None)


def format_metrics(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Turn raw counters into SeaTunnel's REST `metrics` object: 16 keys, string values.

    Rates are rows or bytes per second over the job's running time so far.
    """
    totals = (raw or {}).get("totals", {})
    tables = (raw or {}).get("tables", {})
    elapsed = max(float((raw or {}).get("elapsed", 0.0)), 1e-9)
    result: dict[str, Any] = {}
    for name in COUNTERS:
        result[name] = str(int(totals.get(name, 0)))
    for rate, counter in RATES.items():
        result[rate] = java_double(totals.get(counter, 0) / elapsed if raw else 0.0)
    for name in COUNTERS:
        per_table = tables.get(name, {})
        result[f"Table{name}"] = {table: str(int(value)) for table, value in per_table.items()}
    for rate, counter in RATES.items():
        per_table = tables.get(counter, {})
        result[f"Table{rate}"] = {
            table: java_double(value / elapsed) for table, value in per_table.items()
        }
    return result


class ReadRate:
    """Rows read per second over a recent window, from a worker's metrics reports.

    It keeps the time each report arrived and the rows read by then. Safe to use from
    several threads: the supervisor adds reports while a caller asks for the rate.
    """

    def __init__(self, now: float) -> None:
        self._samples: deque[tuple[float, int]] = deque([(now, 0)], maxlen=RATE_SAMPLES)
        self._lock = threading.Lock()

    def add(self, now: float, rows_read: int) -> None:
        """Record a metrics report that arrived at `now` with `rows_read` rows in total."""
        with self._lock:
            self._samples.append((now, rows_read))

    def rate(self, window: float, now: float) -> float:
        """Return rows per second from the last report back to one `window` seconds older.

        Without a report that old, the rate counts from the oldest one kept. A worker
        reports every `METRICS_INTERVAL` seconds while its counts change, so when no
        report arrived for twice that long, nothing was read and the rate is 0.
        """
        with self._lock:
            samples = list(self._samples)
        last_time, last_read = samples[-1]
        if now - last_time > 2 * METRICS_INTERVAL:
            return 0.0
        start_time, start_read = samples[0]
        for sample_time, sample_read in reversed(samples):
            if sample_time <= last_time - window:
                start_time, start_read = sample_time, sample_read
                break
        if last_time <= start_time:
            return 0.0
        return (last_read - start_read) / (last_time - start_time)
