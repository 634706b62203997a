"""Errors raised by the job runner.

Messages that reproduce SeaTunnel's own error text keep SeaTunnel's form
`ErrorCode:[CODE], ErrorDescription:[description] - detail`, so a user can search for them.
"""

from __future__ import annotations

import re
from typing import Any

from stconfig.errors import StconfigError

# `${name}` or `${name:default}` left in a string value because the variable had no value.
_UNFILLED_VARIABLE = re.compile(r"\$\{([^:{}]+)(?::[^}]*)?\}")


class EngineError(StconfigError):
    """A job that cannot be built or run, with the reason."""


class PluginError(EngineError):
    """A plugin whose options are missing or invalid, or that failed while running."""


class UnknownPluginError(PluginError):
    """A `plugin_name` that no installed runner plugin provides."""


class PathNotAllowedError(EngineError):
    """A file or folder outside the roots the engine may open."""


class NoCheckpointError(EngineError):
    """A restore of a job that has no savepoint or checkpoint."""


class JobDefinitionError(EngineError):
    """A table graph that cannot be built (SeaTunnel's JobDefineCheckException)."""


def seatunnel_error(code: str, description: str, detail: str | None = None) -> str:
    """Format an error text the way SeaTunnel's exceptions render it."""
    text = f"ErrorCode:[{code}], ErrorDescription:[{description}]"
    return text if detail is None else f"{text} - {detail}"


def option_error(detail: str) -> PluginError:
    """Return SeaTunnel's API-02 option validation error with the given detail."""
    return PluginError(seatunnel_error("API-02", "Option item validate failed", detail))


def required_options_error(*names: str) -> PluginError:
    """Return SeaTunnel's error for required options that are not set."""
    quoted = ", ".join(f"'{name}'" for name in names)
    return option_error(f"There are unconfigured options, the options({quoted}) are required.")


def one_line(text: str) -> str:
    """Collapse runs of whitespace, newlines included, to single spaces."""
    return " ".join(text.split())


def unfilled_variable(value: Any) -> str | None:
    """Return the name of the first `${name}` that is still in a string value, or None."""
    if not isinstance(value, str) or "${" not in value:
        return None
    match = _UNFILLED_VARIABLE.search(value)
    return match.group(1).strip() if match else None


def invalid_value_error(plugin: str, option: str, value: Any, message: str) -> PluginError:
    """Return `message` as an error, or an error that names the variable `value` still contains.

    A value such as `"${file_format_type}"` reaches a plugin when the variable was given
    no value; SeaTunnel's own error for it (an enum or number that cannot be parsed)
    never mentions the variable.
    """
    name = unfilled_variable(value)
    if name is None:
        return PluginError(message)
    return PluginError(
        f"{plugin}: {option} is {value!r}, which contains the variable ${{{name}}} with no "
        f"value; set it with --var {name}=VALUE, or write the value into the config"
    )
