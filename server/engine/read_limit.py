"""Rate limits on reading: env `read_limit.rows_per_second` and `read_limit.bytes_per_second`.

As in SeaTunnel, each source reader (each parallel instance) gets its own limiter, so
a source with `parallelism = 2` reads up to twice the configured rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stconfig.hocon import MISSING
from stconfig.server.engine.dag import env_option
from stconfig.server.engine.errors import invalid_value_error

ROWS_OPTION = "read_limit.rows_per_second"
BYTES_OPTION = "read_limit.bytes_per_second"
# Seconds of unused rate a limiter may save up for a burst, as Guava's RateLimiter
# (which SeaTunnel uses) does by default.
MAX_BURST_SECONDS = 1.0
# Rounding slack in token counts: a bucket refilled for exactly the computed wait may
# still owe 1e-16 of a row, and must let the reader read.
_SLACK = 1e-9


@dataclass(frozen=True)
class ReadLimit:
    """The configured rates; None means that quantity is not limited."""

    rows_per_second: float | None = None
    bytes_per_second: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, Any]) -> ReadLimit | None:
        """Read the limits from a job's `env`; return None when it sets neither."""
        rows = _rate(env, ROWS_OPTION)
        nbytes = _rate(env, BYTES_OPTION)
        if rows is None and nbytes is None:
            return None
        return cls(rows, nbytes)


def _rate(env: Mapping[str, Any], key: str) -> float | None:
    value = env_option(env, key, None)
    if value is None or value is MISSING:
        return None
    message = f"env {key} is {value!r}; set it to a whole number of at least 1"
    if isinstance(value, bool):
        raise invalid_value_error("env", key, value, message)
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise invalid_value_error("env", key, value, message) from None
    if not math.isfinite(rate) or rate < 1:
        raise invalid_value_error("env", key, value, message)
    return rate


class ReadLimiter:
    """A token bucket that paces one source reader.

    The reader may read whenever it owes nothing: at least one row, or as many whole
    rows as the bucket holds. A batch is paid for after it is read, which can take the
    bucket below zero (bytes are only known then), and the reader waits until the rate
    has paid that back. So the first read is immediate, and N rows take N / rate seconds,
    as with Guava's RateLimiter, which SeaTunnel uses. Unused rate is saved for at most
    `MAX_BURST_SECONDS`. `now` values are seconds from any monotonic clock.
    """

    def __init__(self, limit: ReadLimit, now: float) -> None:
        self.limit = limit
        self.updated = now
        self.rows = 0.0
        self.bytes = 0.0
        self.total_rows = 0
        self.total_bytes = 0

    def rows_allowed(self, now: float) -> int | None:
        """Return how many rows the reader may read now: 0 means wait, None means any."""
        self._refill(now)
        if self.rows < -_SLACK or self.bytes < -_SLACK:
            return 0
        allowed: int | None = None
        if self.limit.rows_per_second is not None:
            allowed = max(math.floor(self.rows + _SLACK), 1)
        if self.limit.bytes_per_second is not None and self.total_rows:
            by_bytes = max(math.floor((self.bytes + _SLACK) / self._row_bytes()), 1)
            allowed = by_bytes if allowed is None else min(allowed, by_bytes)
        elif self.limit.bytes_per_second is not None:
            # The row size is unknown before the first batch, so one row measures it.
            allowed = 1
        return allowed

    def ready_at(self, now: float) -> float:
        """Return when the reader has paid for its last batch and may read again."""
        self._refill(now)
        ready = now
        if self.limit.rows_per_second is not None and self.rows < 0:
            ready = max(ready, now - self.rows / self.limit.rows_per_second)
        if self.limit.bytes_per_second is not None and self.bytes < 0:
            ready = max(ready, now - self.bytes / self.limit.bytes_per_second)
        return ready

    def charge(self, rows: int, nbytes: int, now: float) -> None:
        """Pay for a batch that was just read."""
        self._refill(now)
        if self.limit.rows_per_second is not None:
            self.rows -= rows
        if self.limit.bytes_per_second is not None:
            self.bytes -= nbytes
        self.total_rows += rows
        self.total_bytes += nbytes

    def _refill(self, now: float) -> None:
        elapsed = max(now - self.updated, 0.0)
        self.updated = max(now, self.updated)
        if self.limit.rows_per_second is not None:
            rate = self.limit.rows_per_second
            self.rows = min(self.rows + elapsed * rate, rate * MAX_BURST_SECONDS)
        if self.limit.bytes_per_second is not None:
            rate = self.limit.bytes_per_second
            self.bytes = min(self.bytes + elapsed * rate, rate * MAX_BURST_SECONDS)

    def _row_bytes(self) -> float:
        """Return the mean size of the rows read so far."""
        return max(self.total_bytes / self.total_rows, 1.0)
