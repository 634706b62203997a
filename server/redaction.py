"""Keep secrets out of responses and log lines.

Structured values are masked by `stconfig.encryption.mask_secrets`. Free text (error
messages, validation findings, log lines) is redacted here: the node registers the
secret values of each job it runs, and every registered value is replaced by `******`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from stconfig.encryption import MASK


def secret_values(original: Any, masked: Any) -> set[str]:
    """Return the string values of `original` that `masked` replaced by the mask."""
    found: set[str] = set()
    if isinstance(original, dict) and isinstance(masked, dict):
        for key, value in original.items():
            found |= secret_values(value, masked.get(key))
    elif isinstance(original, list) and isinstance(masked, list):
        for value, masked_value in zip(original, masked, strict=False):
            found |= secret_values(value, masked_value)
    elif masked == MASK and original != MASK and original not in (None, ""):
        found.add(str(original))
    return found


class Redactor:
    """The secret values of the jobs a node runs, and text redaction with them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_job: dict[int, frozenset[str]] = {}
        self._ordered: tuple[str, ...] = ()

    def register(self, job_id: int, values: set[str]) -> None:
        with self._lock:
            self._by_job[job_id] = frozenset(values)
            self._reorder()

    def forget(self, job_id: int) -> None:
        with self._lock:
            if self._by_job.pop(job_id, None) is not None:
                self._reorder()

    def _reorder(self) -> None:
        values = set().union(*self._by_job.values()) if self._by_job else set()
        self._ordered = tuple(sorted(values, key=len, reverse=True))

    def redact(self, text: str, extra: set[str] | frozenset[str] = frozenset()) -> str:
        """Replace every registered secret value, and those in `extra`, in `text`.

        `password=...` pairs and URL passwords are masked too, known or not.
        """
        from stconfig.encryption import mask_text

        values = self._ordered
        if extra:
            values = tuple(sorted(set(values) | set(extra), key=len, reverse=True))
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        return mask_text(text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a `Redactor`'s secrets from each formatted message."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redactor.redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            traceback_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redactor.redact(traceback_text)
        return True
