"""The error types of stconfig.

Every error that a user can cause derives from `StconfigError`. The CLI prints such
errors as `error: <message>` and exits 1; anything else is a bug.
"""

from __future__ import annotations


class StconfigError(Exception):
    """An expected failure, with a message that names the value and the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigSyntaxError(StconfigError):
    """Text that is not valid HOCON or JSON, with the place where parsing stopped."""

    def __init__(self, source: str, line: int, column: int, expected: str, found: str) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        super().__init__(f"{source}:{line}:{column}: expected {expected}, found {found}")


class ConfigFileError(StconfigError):
    """A config that cannot be read at all: missing, unreadable, empty or binary."""


class VariableError(StconfigError):
    """A `${name}` that has no value, or a `--var` that cannot be used."""


class NotAJobError(StconfigError):
    """Valid HOCON or JSON that is not a SeaTunnel job."""
