"""Reporters: findings as text lines or as one JSON document.

The JSON report is stable (its `version` changes only when a key is removed or changes
meaning):

    {"version": 1, "valid": false,
     "summary": {"files": 2, "invalid_files": 1, "errors": 1, "warnings": 0},
     "files": [{"file": "a.json", "valid": false, "errors": 1, "warnings": 0,
                "findings": [{"severity": "error", "file": "a.json", "line": 5,
                              "column": 19, "path": "$.source[0].\\"row.num\\"",
                              "message": "expected an integer, got \\"ten\\""}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from stconfig.validation.findings import ERROR, WARNING, Finding
from stconfig.validation.validator import FileResult

REPORT_VERSION = 1


def shown(findings: Sequence[Finding], *, quiet: bool) -> list[Finding]:
    """Return the findings to print: all of them, or only errors when quiet."""
    return [f for f in findings if f.severity == ERROR] if quiet else list(findings)


def text_lines(results: Sequence[FileResult], *, quiet: bool = False) -> Iterator[str]:
    """Yield one `FILE:LINE:COL: severity: $.path: message` line per finding."""
    for result in results:
        for finding in shown(result.findings, quiet=quiet):
            yield str(finding)


def json_report(results: Sequence[FileResult], *, quiet: bool = False) -> dict[str, Any]:
    """Return the JSON report of all files."""
    files = [_file_entry(result, quiet) for result in results]
    return {
        "version": REPORT_VERSION,
        "valid": all(entry["valid"] for entry in files),
        "summary": {
            "files": len(files),
            "invalid_files": sum(1 for entry in files if not entry["valid"]),
            "errors": sum(entry["errors"] for entry in files),
            "warnings": sum(entry["warnings"] for entry in files),
        },
        "files": files,
    }


def _file_entry(result: FileResult, quiet: bool) -> dict[str, Any]:
    return {
        "file": result.file,
        "valid": result.valid,
        "errors": sum(1 for f in result.findings if f.severity == ERROR),
        "warnings": sum(1 for f in result.findings if f.severity == WARNING),
        "findings": [finding.to_dict() for finding in shown(result.findings, quiet=quiet)],
    }


def json_text(results: Sequence[FileResult], *, quiet: bool = False) -> str:
    """Render the JSON report as indented text."""
    return json.dumps(json_report(results, quiet=quiet), indent=2, ensure_ascii=False)


def summary_line(results: Sequence[FileResult]) -> str:
    """Return a one-line count of files, errors and warnings."""
    errors = sum(1 for r in results for f in r.findings if f.severity == ERROR)
    warnings = sum(1 for r in results for f in r.findings if f.severity == WARNING)
    invalid = sum(1 for r in results if not r.valid)
    return (
        f"{len(results)} file(s) checked: {invalid} invalid, {errors} error(s), "
        f"{warnings} warning(s)"
    )
