"""Figures for `system-monitoring-information`, from psutil and the Python runtime.

SeaTunnel reports JVM figures; each has the nearest Python counterpart here:

- heap: the process's memory. `used` is the resident set, `total` the highest resident set
  so far (memory the process has held, as a JVM's committed heap), `max` the memory the
  process may use (its address-space limit, else physical memory);
- minor and major GC: the youngest and oldest generations of Python's `gc`, with the time
  spent in them measured by a `gc.callbacks` hook;
- executor queues and operations: the node's own request queue and counters.

Keys that have no counterpart keep SeaTunnel's names and report "0", so clients that
read them keep working.
"""

from __future__ import annotations

import gc
import os
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

_SIZE_UNITS = "KMGTPE"


def format_size(byte_count: float) -> str:
    """Format a byte count as SeaTunnel does: `16.0G`, `135.7M`, or the plain number below 1 KiB."""
    for power in range(len(_SIZE_UNITS), 0, -1):
        scale = 1024**power
        if byte_count > scale:
            return f"{byte_count / scale:.1f}{_SIZE_UNITS[power - 1]}"
    return str(int(byte_count))


def format_percent(part: float, whole: float) -> str:
    return f"{(100.0 * part / whole) if whole else 0.0:.2f}%"


class GcTimer:
    """Total time spent in each `gc` generation, measured from this object's creation."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._started

    def close(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)


@dataclass
class RequestCounters:
    """Counts of the node's requests, kept by the app; updated from many threads."""

    completed: int = 0
    running: int = 0
    peak_threads: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def started(self) -> None:
        with self.lock:
            self.running += 1

    def finished(self) -> None:
        with self.lock:
            self.running -= 1
            self.completed += 1


def memory_limit(total_physical: int) -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft not in (resource.RLIM_INFINITY, -1) and soft < total_physical:
        return soft
    return total_physical


class Monitor:
    """Collects one node's figures on request; psutil's CPU percentages need one call to prime."""

    def __init__(
        self, counters: RequestCounters, queue_size: Callable[[], int] | None = None
    ) -> None:
        self.counters = counters
        self.queue_size = queue_size or (lambda: 0)
        self.gc_timer = GcTimer()
        self.process = psutil.Process()
        self.process.cpu_percent(interval=None)
        psutil.cpu_percent(interval=None)
        self.peak_rss = 0

    def close(self) -> None:
        self.gc_timer.close()

    def collect(self, *, is_master: bool, host: str, port: int, connections: int) -> dict[str, str]:
        """Return this process's figures as SeaTunnel formats them (every value a string)."""
        figures = {"isMaster": str(is_master).lower(), "host": host, "port": str(port)}
        figures.update(self._memory())
        figures.update(self._gc())
        figures.update(self._load())
        figures.update(self._queues(connections))
        return figures

    def _memory(self) -> dict[str, str]:
        physical = psutil.virtual_memory()
        swap = psutil.swap_memory()
        rss = self.process.memory_info().rss
        self.peak_rss = max(self.peak_rss, rss)
        limit = memory_limit(physical.total)
        return {
            "processors": str(psutil.cpu_count() or os.cpu_count() or 1),
            "physical.memory.total": format_size(physical.total),
            "physical.memory.free": format_size(physical.available),
            "swap.space.total": format_size(swap.total),
            "swap.space.free": format_size(swap.free),
            "heap.memory.used": format_size(rss),
            "heap.memory.free": format_size(self.peak_rss - rss),
            "heap.memory.total": format_size(self.peak_rss),
            "heap.memory.max": format_size(limit),
            "heap.memory.used/total": format_percent(rss, self.peak_rss),
            "heap.memory.used/max": format_percent(rss, limit),
        }

    def _gc(self) -> dict[str, str]:
        stats = gc.get_stats()
        return {
            "minor.gc.count": str(stats[0]["collections"]),
            "minor.gc.time": f"{round(self.gc_timer.seconds[0] * 1000)}ms",
            "major.gc.count": str(stats[-1]["collections"]),
            "major.gc.time": f"{round(self.gc_timer.seconds[-1] * 1000)}ms",
        }

    def _load(self) -> dict[str, str]:
        cpus = psutil.cpu_count() or 1
        threads = self.process.num_threads()
        self.counters.peak_threads = max(self.counters.peak_threads, threads)
        try:
            load_average = f"{os.getloadavg()[0]:.2f}"
        except OSError:
            load_average = "n/a"
        return {
            "load.process": f"{self.process.cpu_percent(interval=None) / cpus:.2f}%",
            "load.system": f"{psutil.cpu_percent(interval=None):.2f}%",
            "load.systemAverage": load_average,
            "thread.count": str(threads),
            "thread.peakCount": str(self.counters.peak_threads),
            "cluster.timeDiff": "0",
        }

    def _queues(self, connections: int) -> dict[str, str]:
        queued = self.queue_size()
        figures = dict.fromkeys(_QUEUE_KEYS, "0")
        figures["executor.q.client.size"] = str(queued)
        figures["operations.completed.count"] = str(self.counters.completed)
        figures["operations.running.count"] = str(self.counters.running)
        figures["operations.pending.invocations.percentage"] = "0.00%"
        figures["connection.active.count"] = str(connections)
        figures["client.connection.count"] = str(connections)
        figures["connection.count"] = str(connections)
        return figures


# In SeaTunnel's order; the values are filled in by `Monitor._queues`.
_QUEUE_KEYS = (
    "event.q.size",
    "executor.q.async.size",
    "executor.q.client.size",
    "executor.q.client.query.size",
    "executor.q.client.blocking.size",
    "executor.q.query.size",
    "executor.q.scheduled.size",
    "executor.q.io.size",
    "executor.q.system.size",
    "executor.q.operations.size",
    "executor.q.priorityOperation.size",
    "operations.completed.count",
    "executor.q.mapLoad.size",
    "executor.q.mapLoadAllKeys.size",
    "executor.q.cluster.size",
    "executor.q.response.size",
    "operations.running.count",
    "operations.pending.invocations.percentage",
    "operations.pending.invocations.count",
    "proxy.count",
    "clientEndpoint.count",
    "connection.active.count",
    "client.connection.count",
    "connection.count",
)
