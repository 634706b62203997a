"""Findings: what validation reports about one place in one file."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

ValuePath = tuple[str | int, ...]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one file, with its place and a message that names the fix.

    `line` and `column` are 1-based, and None for a job that was given as a dict
    without its text. `path` is a JSON path such as `$.source[0]."row.num"`.
    `variable` is set on a finding about a value that could not be checked because it
    contains a `${name}` with no value, and names that variable. `stconfig run` and the
    REST node treat such findings as errors (see `unfilled_as_errors`).
    """

    severity: str
    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    variable: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a dict with stable keys, for JSON reports."""
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{place}: {self.severity}: {self.path}: {self.message}"


def unfilled_as_errors(findings: Iterable[Finding], fix: str) -> list[Finding]:
    """Return `findings` with each one about an unfilled `${name}` turned into an error.

    A job that still contains such a variable fails when it runs, with an error that does
    not name the variable, so the runner and the REST node stop it before it starts.
    `fix` describes how to give the value; `{name}` in it becomes the variable's name.
    """
    result = []
    for finding in findings:
        if finding.variable is not None:
            name = finding.variable
            message = f"contains the variable ${{{name}}}, which has no value; "
            finding = dataclasses.replace(
                finding, severity=ERROR, message=message + fix.format(name=name)
            )
        result.append(finding)
    return result


class Issue(NamedTuple):
    """A finding before its line and column are looked up.

    `at_key` points the finding at the key of the value (an unknown option) instead of
    the value itself (a wrong type). `variable` is as in `Finding`.
    """

    severity: str
    path: ValuePath
    message: str
    at_key: bool = False
    variable: str | None = None


def error(path: ValuePath, message: str, *, at_key: bool = False) -> Issue:
    return Issue(ERROR, tuple(path), message, at_key)


def warning(path: ValuePath, message: str, *, at_key: bool = False) -> Issue:
    return Issue(WARNING, tuple(path), message, at_key)


def has_errors(findings: Iterable[Finding | Issue]) -> bool:
    """Return True when any finding is an error (warnings alone leave a job valid)."""
    return any(finding.severity == ERROR for finding in findings)


def json_path(path: ValuePath) -> str:
    """Render a value path as JSON path text.

    `("source", 0, "row.num")` becomes `$.source[0]."row.num"`.
    """
    parts = ["$"]
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            parts.append(f".{part}")
        else:
            parts.append("." + json.dumps(part, ensure_ascii=False))
    return "".join(parts)


def quote(value: str) -> str:
    """Quote a name or value for a message, as JSON does."""
    return json.dumps(value, ensure_ascii=False)


def render_value(value: Any, limit: int = 60) -> str:
    """Show a value in a message: JSON text, shortened when it is long."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 4] + '..."'
    return text


def describe_list(names: Iterable[str], *, conjunction: str = "or") -> str:
    """Join names for a message: `"a"`, `"a" or "b"`, `"a", "b" or "c"`."""
    quoted = [quote(name) for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {conjunction} " + quoted[-1]


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to `word`, ignoring case, when one is close enough.

    Close means similar by difflib's ratio, or, for words of four letters or more, the
    start of a candidate (`Fake` for `FakeSource`).
    """
    import difflib

    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    lower = word.lower()
    matches = difflib.get_close_matches(lower, list(by_lower), n=1, cutoff=0.6)
    if matches:
        return by_lower[matches[0]]
    if len(lower) >= 4:
        starts = sorted(name for name in by_lower if name.startswith(lower))
        if starts:
            return by_lower[starts[0]]
    return None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """Return `; did you mean "x"?` for the closest candidate, or an empty string."""
    match = did_you_mean(word, candidates)
    return f"; did you mean {quote(match)}?" if match else ""
