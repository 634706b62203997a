"""Run every check on a job and place each finding in its file."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stconfig.config import LoadedConfig, load, plugins
from stconfig.errors import ConfigSyntaxError, StconfigError
from stconfig.hocon import PLUGIN_SECTIONS
from stconfig.validation import catalog
from stconfig.validation.findings import (
    ERROR,
    Finding,
    Issue,
    error,
    json_path,
    quote,
    suggestion,
    warning,
)
from stconfig.validation.graph import check_graph
from stconfig.validation.schema_check import check_env, check_options, check_plugin, check_structure
from stconfig.validation.shading import check_shade
from stconfig.validation.type_strings import check_plugin_types

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileResult:
    """The findings of one file, or of one job given without a file."""

    file: str
    findings: list[Finding]

    @property
    def valid(self) -> bool:
        return not any(finding.severity == ERROR for finding in self.findings)


def validate(loaded: LoadedConfig, *, strict: bool = False) -> list[Finding]:
    """Check a loaded job and return its findings, each with its line and column."""
    issues = job_issues(loaded.job, strict=strict)
    return sorted(
        (_locate(issue, loaded) for issue in issues),
        key=lambda finding: (finding.line or 0, finding.column or 0, finding.path),
    )


def validate_job(
    job: Mapping[str, Any], name: str = "<job>", strict: bool = False
) -> list[Finding]:
    """Check a job given as a dict, such as a REST request body; findings have no line."""
    return [
        Finding(
            issue.severity,
            name,
            None,
            None,
            json_path(issue.path),
            issue.message,
            issue.variable,
        )
        for issue in job_issues(job, strict=strict)
    ]


def validate_file(
    source: str, *, variables: Mapping[str, str] | None = None, strict: bool = False
) -> FileResult:
    """Load and check one file ("-" for stdin); a file that cannot be loaded is one finding."""
    try:
        loaded = load(source, variables=variables)
    except StconfigError as exc:
        name = "<stdin>" if source == "-" else source
        logger.debug("%s cannot be loaded: %s", name, exc)
        return FileResult(name, [load_failure(name, exc)])

    findings = validate(loaded, strict=strict)
    logger.debug("%s: %d finding(s)", loaded.name, len(findings))
    return FileResult(loaded.name, findings)


def validate_files(
    sources: Iterable[str], *, variables: Mapping[str, str] | None = None, strict: bool = False
) -> list[FileResult]:
    """Check many files; a file that cannot be loaded becomes a finding, and the rest go on."""
    return [validate_file(source, variables=variables, strict=strict) for source in sources]


def job_issues(job: Mapping[str, Any], *, strict: bool = False) -> list[Issue]:
    """Run every check on a job: structure, env, each plugin, the table graph and the shade."""
    issues = check_structure(job)
    issues.extend(check_env(job))
    for section, index, plugin in plugins(job):
        issues.extend(_plugin_issues(section, index, plugin, strict))
    issues.extend(check_graph(job))
    issues.extend(check_shade(job))
    return issues


def _plugin_issues(section: str, index: int, plugin: dict[str, Any], strict: bool) -> list[Issue]:
    name = plugin.get("plugin_name")
    if not isinstance(name, str) or not name.strip():
        return [
            error(
                (section, index),
                'missing "plugin_name"; SeaTunnel needs it to choose the connector, such as '
                '"plugin_name": "FakeSource"',
            )
        ]
    entry = catalog.find_plugin(section, name)
    if entry is not None:
        issues = check_plugin(section, index, plugin, entry)
    else:
        issues = _unknown_plugin(section, index, name, strict)
        common = catalog.schema_uri("common.schema.json") + f"#/$defs/{section}Common"
        owner = f"the {name} {section}"
        issues.extend(check_options(plugin, common, (section, index), owner, report_unknown=False))
    # A value the schema already rejected gets no second finding from the type-string check.
    placed = {issue.path for issue in issues}
    issues.extend(
        issue for issue in check_plugin_types(plugin, (section, index)) if issue.path not in placed
    )
    return issues


def _unknown_plugin(section: str, index: int, name: str, strict: bool) -> list[Issue]:
    if name.lower() in catalog.known_names(section):
        return []
    report = error if strict else warning
    path = (section, index)

    package = catalog.catalogue()["packages"].get(name.lower())
    if package is not None:
        return [
            report(
                path, f"{quote(name)} is a package name, not a plugin name; use {quote(package)}"
            )
        ]
    for other in PLUGIN_SECTIONS:
        spelled = catalog.known_names(other).get(name.lower())
        if other != section and spelled is not None:
            return [
                report(
                    path,
                    f"{quote(spelled)} is a {other} plugin, not a {section}; "
                    f"move it to the {other} block",
                )
            ]
    hint = suggestion(name, catalog.known_names(section).values())
    return [report(path, f"unknown {section} plugin {quote(name)}{hint}")]


def _locate(issue: Issue, loaded: LoadedConfig) -> Finding:
    line, column = _line_column(issue, loaded)
    return Finding(
        issue.severity,
        loaded.name,
        line,
        column,
        json_path(issue.path),
        issue.message,
        issue.variable,
    )


def _line_column(issue: Issue, loaded: LoadedConfig) -> tuple[int, int]:
    path = issue.path
    if len(path) == 2 and path[0] in PLUGIN_SECTIONS:
        # A plugin as a whole: its block name in HOCON, its plugin_name in JSON.
        span = loaded.key_span(path) or loaded.span(path + ("plugin_name",))
        if span is not None:
            return loaded.spans.line_column(span[0])
    return loaded.location(path, key=issue.at_key)


def load_failure(name: str, exc: StconfigError) -> Finding:
    """Turn an error that stopped a file from loading into a finding of that file."""
    if isinstance(exc, ConfigSyntaxError):
        message = f"invalid syntax: expected {exc.expected}, found {exc.found}"
        return Finding(ERROR, name, exc.line, exc.column, "$", message)
    text = str(exc)
    placed = re.match(re.escape(name) + r":(\d+):(\d+): (.*)", text, re.DOTALL)
    if placed:
        return Finding(
            ERROR, name, int(placed.group(1)), int(placed.group(2)), "$", placed.group(3)
        )
    if text.startswith(name + ": "):
        text = text[len(name) + 2 :]
    return Finding(ERROR, name, None, None, "$", text)
