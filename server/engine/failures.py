"""Turn an exception that ended a job into its one-line error text.

Expected failures (bad options, bad input data, files that cannot be read) become a
message that names the plugin and, where the plugin has them, the file, line, row,
field and value. Any other exception is a bug in stconfig or a plugin. Its message
states that, and its traceback is kept apart for the log at debug level.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stconfig.errors import StconfigError
from stconfig.server.engine.dag import PlanNode
from stconfig.server.engine.errors import one_line
from stconfig.server.engine.values import ConversionError


class NodeFailure(Exception):
    """An exception raised inside one plugin of the job, with the plugin's plan node."""

    def __init__(self, node: PlanNode, error: Exception) -> None:
        super().__init__(str(error))
        self.node = node
        self.error = error


@contextmanager
def inside(node: PlanNode) -> Iterator[None]:
    """Attribute any exception raised in the block to `node`, by wrapping it in NodeFailure."""
    try:
        yield
    except NodeFailure:
        raise
    except Exception as exc:
        raise NodeFailure(node, exc) from exc


@dataclass(frozen=True)
class Failure:
    """Why a job failed: the error text, and the traceback when the cause is a bug."""

    message: str
    traceback: str | None = None


def describe_failure(exc: Exception) -> Failure:
    """Return the error text of a failed job, and the traceback if `exc` is a bug."""
    node = exc.node if isinstance(exc, NodeFailure) else None
    error = exc.error if isinstance(exc, NodeFailure) else exc
    if isinstance(error, StconfigError):
        return Failure(one_line(str(error)))

    place = f"{node.plugin_name} {node.section}" if node is not None else "the runner"
    if isinstance(error, ConversionError):
        return Failure(f"{place}: {one_line(str(error))}")
    if isinstance(error, OSError):
        return Failure(f"{place}: {_os_error_text(error)}")

    lines = traceback.format_exception(type(error), error, error.__traceback__)
    message = (
        f"{place} failed with an unexpected {type(error).__name__}: {one_line(str(error))}; "
        "this is a bug in stconfig or the plugin, and its traceback is logged at debug level"
    )
    return Failure(message, "".join(lines))


def _os_error_text(error: OSError) -> str:
    text = error.strerror or str(error)
    if error.filename is not None:
        text += f": {error.filename}"
    return one_line(text)
