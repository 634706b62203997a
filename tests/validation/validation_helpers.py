"""Helpers shared by the validation tests."""

from __future__ import annotations

import textwrap

from stconfig.config import loads
from stconfig.validation import Finding, validate


def check(
    text: str, name: str = "job.conf", *, strict: bool = False, **load_options
) -> list[Finding]:
    """Load a job from text (HOCON for .conf names, JSON for .json) and validate it."""
    fmt = "json" if name.endswith(".json") else "hocon"
    loaded = loads(textwrap.dedent(text), name=name, format=fmt, **load_options)
    return validate(loaded, strict=strict)


def brief(findings: list[Finding]) -> list[tuple[str, int | None, str, str]]:
    """Reduce findings to (severity, line, path, message) for exact comparisons."""
    return [(f.severity, f.line, f.path, f.message) for f in findings]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "warning"]


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Return the 1-based line and column of a piece of the dedented text."""
    body = textwrap.dedent(text)
    offset = -1
    for _ in range(occurrence):
        offset = body.index(needle, offset + 1)
    line = body.count("\n", 0, offset) + 1
    return line, offset - (body.rfind("\n", 0, offset) + 1) + 1
