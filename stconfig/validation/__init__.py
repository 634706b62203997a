"""Validate SeaTunnel jobs: JSON Schemas per plugin, plus the checks JSON Schema cannot express.

Checks run in layers and every finding is collected: the job's structure, `env`, each
plugin against its own schema (chosen by `plugin_name` without regard to case), SeaTunnel
type strings, the table graph, and the shade. `validate` places findings in the file;
`validate_job` checks a job that is only a dict.
"""

from __future__ import annotations

from stconfig.validation.catalog import path_options
from stconfig.validation.findings import ERROR, WARNING, Finding, has_errors
from stconfig.validation.validator import (
    FileResult,
    validate,
    validate_file,
    validate_files,
    validate_job,
)

__all__ = [
    "ERROR",
    "WARNING",
    "FileResult",
    "Finding",
    "has_errors",
    "path_options",
    "validate",
    "validate_file",
    "validate_files",
    "validate_job",
]
