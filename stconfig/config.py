"""Load SeaTunnel job configs into the canonical job form, and dump them back.

The canonical job is SeaTunnel's JSON form: `env` is an object with flat dotted keys
(`"job.mode"`), and `source`, `transform` and `sink` are lists of objects that each carry
`plugin_name`. Every entry point of stconfig (CLI, REST node, runner) loads configs
through `load` or `loads`, so HOCON and JSON behave the same everywhere.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stconfig import hocon
from stconfig.errors import ConfigFileError, ConfigSyntaxError, NotAJobError, VariableError
from stconfig.hocon import MISSING, PLUGIN_SECTIONS
from stconfig.hocon import Path as ValuePath

logger = logging.getLogger(__name__)

FORMATS = ("hocon", "json")

# Placeholders that SeaTunnel fills at sink creation from the upstream table; SeaTunnel
# rejects them as user variables, and so does stconfig.
RESERVED_VARIABLES = frozenset(
    (
        "database_name",
        "schema_name",
        "table_name",
        "schema_full_name",
        "table_full_name",
        "primary_key",
        "unique_key",
        "field_names",
    )
)

# `${name}` or `${name:default}` inside a string value.
_PLACEHOLDER = re.compile(r"\$\{([^:{}]+)(?::([^}]*))?\}")
_BINARY_SAMPLE = 8192


@dataclass
class LoadedConfig:
    """A parsed config: its data, the text it came from, and where each value was written."""

    data: dict[str, Any]
    name: str
    format: str
    text: str
    resolver: VariableResolver | None = field(default=None, repr=False)
    dialect: str = "seatunnel"
    _spans: hocon.ParseResult | None = field(default=None, repr=False)

    @property
    def job(self) -> dict[str, Any]:
        """The canonical job (the same object as `data`)."""
        return self.data

    @property
    def spans(self) -> hocon.ParseResult:
        """Spans of every value, computed on first use by parsing the text again."""
        if self._spans is None:
            if self.format == "json":
                self._spans = hocon.parse(self.text, self.name, dialect="plain", spans=True)
            else:
                self._spans = hocon.parse(
                    self.text, self.name, resolver=self.resolver, dialect=self.dialect, spans=True
                )
        return self._spans

    def span(self, path: ValuePath) -> tuple[int, int] | None:
        """Return the start and end offsets of the value at `path`, if it was written."""
        return self.spans.value_spans.get(tuple(path))

    def key_span(self, path: ValuePath) -> tuple[int, int] | None:
        """Return the start and end offsets of the key of the value at `path`."""
        return self.spans.key_spans.get(tuple(path))

    def location(self, path: ValuePath, *, key: bool = False) -> tuple[int, int]:
        """Return the 1-based line and column of `path`, or of its nearest written ancestor.

        With `key=True` the key's position is preferred over the value's. A path that
        points at nothing written (an empty path, a missing option) falls back to its
        parent, and finally to line 1, column 1.
        """
        spans = self.spans
        path = tuple(path)
        while path:
            offsets = (spans.key_spans.get(path) if key else None) or spans.value_spans.get(path)
            if offsets is not None:
                return spans.line_column(offsets[0])
            path = path[:-1]
        return 1, 1


def load(
    source: str | os.PathLike[str],
    *,
    variables: Mapping[str, str] | None = None,
    format: str | None = None,
    job: bool = True,
    keep_unresolved: bool = False,
) -> LoadedConfig:
    """Load a config from a file path, or from stdin when `source` is "-".

    The format comes from `format`, else from the extension (`.json` is JSON, anything
    else HOCON, as SeaTunnel decides), else, for stdin, from the text itself. With
    `job=True` the result must be a SeaTunnel job. See `loads` for `keep_unresolved`.
    """
    options: dict[str, Any] = {"format": format, "job": job, "keep_unresolved": keep_unresolved}
    if str(source) == "-":
        return loads(sys.stdin.read(), name="<stdin>", variables=variables, **options)
    path = Path(source)
    text = read_text(path)
    if format is None:
        options["format"] = "json" if path.suffix.lower() == ".json" else "hocon"
    return loads(text, name=str(path), variables=variables, **options)


def read_text(path: Path) -> str:
    """Read a config file as UTF-8 text, with a clear error for anything that is not one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise ConfigFileError(
            f"{path}: is a directory; give a .conf, .hocon or .json file"
        ) from None
    except PermissionError:
        raise ConfigFileError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot be read: {exc.strerror}") from None
    if b"\x00" in raw[:_BINARY_SAMPLE]:
        raise ConfigFileError(f"{path}: is a binary file, not a HOCON or JSON config")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(
            f"{path}: is not UTF-8 text (invalid byte at offset {exc.start}); "
            "save the config as UTF-8"
        ) from None


def loads(
    text: str,
    *,
    name: str = "<string>",
    variables: Mapping[str, str] | None = None,
    format: str | None = None,
    job: bool = True,
    environ: bool = True,
    keep_unresolved: bool = False,
) -> LoadedConfig:
    """Load a config from text. See `load` for the other arguments.

    With `environ=False`, an unquoted `${name}` takes its value only from `variables`,
    never from the environment. The REST node loads text from clients that way, so a
    client cannot read the node's environment. With `keep_unresolved=True`, an unquoted
    `${name}` that has no value loads as its own text instead of raising
    `VariableError`. `stconfig encrypt` and `decrypt` load this way, because they leave
    such values as written.
    """
    variables = dict(variables or {})
    check_variables(variables)
    if not text.strip():
        raise ConfigFileError(
            f"{name}: is empty; a SeaTunnel job needs env, source and sink blocks"
        )
    if format is None:
        format = sniff_format(text)
    if format not in FORMATS:
        raise ConfigFileError(f"unknown config format {format!r}; use one of: {', '.join(FORMATS)}")

    if format == "json":
        loaded = LoadedConfig(_parse_json(text, name), name, "json", text)
    else:
        dialect = "seatunnel" if job else "plain"
        resolver = VariableResolver(variables, environ, keep_unresolved)
        parsed = hocon.parse(text, name, resolver=resolver, dialect=dialect)
        loaded = LoadedConfig(parsed.data, name, "hocon", text, resolver, dialect)

    used = set(loaded.resolver.used) if loaded.resolver is not None else set()
    if "${" in text:
        fill_placeholders(loaded.data, variables, used)
    _warn_unused(variables, used, name)
    if job:
        check_is_job(loaded.data, name)
    return loaded


def _warn_unused(variables: Mapping[str, str], used: set[str], name: str) -> None:
    """Warn about variables that no `${name}` in the config uses, such as a misspelt name."""
    for variable in sorted(set(variables) - used):
        logger.warning(
            "--var %s is not used: %s has no ${%s}; check the variable's name",
            variable,
            name,
            variable,
        )


def sniff_format(text: str) -> str:
    """Guess the format of text that has no file name: JSON if it parses as JSON."""
    if text.lstrip().startswith(("{", "[")):
        try:
            json.loads(text)
        except ValueError:
            return "hocon"
        return "json"
    return "hocon"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(text: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _json_syntax_error(exc, name) from None
    except ValueError as exc:
        raise ConfigSyntaxError(name, 1, 1, "a JSON value", str(exc)) from None
    except RecursionError:
        raise ConfigSyntaxError(
            name, 1, 1, "fewer levels of nesting", "too deep a structure"
        ) from None
    if not isinstance(data, dict):
        raise ConfigSyntaxError(
            name, 1, 1, "a JSON object at the top level", f"a JSON {_json_type(data)}"
        )
    return data


def _json_syntax_error(exc: json.JSONDecodeError, name: str) -> ConfigSyntaxError:
    message = exc.msg
    expected = message[len("Expecting ") :] if message.startswith("Expecting ") else "valid JSON"
    if exc.pos >= len(exc.doc):
        found = "the end of the file"
    elif not message.startswith("Expecting "):
        found = message[0].lower() + message[1:]
    else:
        found = repr(exc.doc[exc.pos])
    return ConfigSyntaxError(name, exc.lineno, exc.colno, expected, found)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def check_variables(variables: Mapping[str, str]) -> None:
    """Reject variable names that SeaTunnel reserves for sink placeholders."""
    for variable in variables:
        if variable in RESERVED_VARIABLES:
            raise VariableError(
                f"--var {variable}: '{variable}' is a placeholder that the sink fills from "
                f"the upstream table and cannot be set; reserved names: "
                f"{', '.join(sorted(RESERVED_VARIABLES))}"
            )


def variable_value(text: str) -> Any:
    """Type a variable given on the command line, as used by an unquoted `${name}`.

    `[a,b]` becomes a list (split on commas, as SeaTunnel does), numbers and booleans
    get their types, and anything else stays a string.
    """
    if len(text) >= 2 and text.startswith("[") and text.endswith("]"):
        return text[1:-1].split(",") if text[1:-1] else []
    return hocon.unquoted_scalar(text)


@dataclass(frozen=True)
class VariableResolver:
    """Values for unquoted `${name}`: the given variables, then the environment."""

    variables: Mapping[str, str]
    environ: bool = True
    keep_unresolved: bool = False
    used: set[str] = field(default_factory=set, compare=False)

    def __call__(self, name: str) -> Any:
        self.used.add(name)
        if name in self.variables:
            return variable_value(self.variables[name])
        if self.environ and name in os.environ:
            return variable_value(os.environ[name])
        return hocon.UNRESOLVED if self.keep_unresolved else MISSING

    def hint(self, name: str) -> str:
        """Say how to give a variable that has no value."""
        if self.environ:
            return f"pass --var {name}=VALUE or set the environment variable {name}"
        return "write the value into the config; a submitted job takes no variables"


def fill_placeholders(data: Any, variables: Mapping[str, str], used: set[str] | None = None) -> Any:
    """Replace `${name}` and `${name:default}` inside string values, in place.

    A placeholder takes the variable's value if it is set and not empty, else its
    default, else it stays as written, so sink placeholders such as `${table_name}`
    survive for the sink to fill. The names of the placeholders found go into `used`.
    """

    def replace(match: re.Match[str]) -> str:
        if used is not None:
            used.add(match.group(1))
        value = variables.get(match.group(1))
        if value:
            return value
        if match.group(2) is not None:
            return match.group(2).strip()
        return match.group(0)

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return _PLACEHOLDER.sub(replace, value) if "${" in value else value
        if isinstance(value, dict):
            for key, item in value.items():
                value[key] = fill(item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                value[index] = fill(item)
        return value

    return fill(data)


JOB_BLOCKS = ("env", *PLUGIN_SECTIONS)


def check_is_job(data: dict[str, Any], name: str) -> None:
    """Raise `NotAJobError` unless the config has an env, source, transform or sink block."""
    if any(block in data for block in JOB_BLOCKS):
        return
    keys = ", ".join(list(data)[:8]) or "none"
    raise NotAJobError(
        f"{name}: not a SeaTunnel job, because it has none of the blocks env, source, "
        f"transform and sink (top-level keys: {keys})"
    )


def plugins(job: Mapping[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Yield `(section, index, plugin)` for every plugin object in a job, in file order."""
    for section in PLUGIN_SECTIONS:
        blocks = job.get(section)
        if not isinstance(blocks, list):
            continue
        for index, plugin in enumerate(blocks):
            if isinstance(plugin, dict):
                yield section, index, plugin


def get_option(options: Mapping[str, Any], key: str, default: Any = MISSING) -> Any:
    """Look up an option the way SeaTunnel does: the flat key first, then nested objects.

    `get_option(plugin, "row.num")` finds `{"row.num": 1}` and `{"row": {"num": 1}}`
    alike, and any mix such as `{"a.b": {"c": 1}}` for `"a.b.c"`.
    """
    if key in options:
        return options[key]
    dot = key.find(".")
    while dot > 0:
        head = options.get(key[:dot])
        if isinstance(head, Mapping):
            found = get_option(head, key[dot + 1 :], MISSING)
            if found is not MISSING:
                return found
        dot = key.find(".", dot + 1)
    return default


# Dumping

_BARE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_INLINE_WIDTH = 80


def dump_json(data: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """Render a config as JSON, keeping key order and non-ASCII text as written."""
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def dump_hocon(data: Mapping[str, Any]) -> str:
    """Render a job as SeaTunnel HOCON that `loads` reads back to the same job."""
    lines: list[str] = []
    for key, value in data.items():
        if key in PLUGIN_SECTIONS and _is_plugin_list(value):
            _dump_plugin_section(key, value, lines)
        else:
            _dump_field(key, value, 0, lines)
    return "\n".join(lines) + "\n"


def _is_plugin_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(plugin, dict) and isinstance(plugin.get("plugin_name"), str) for plugin in value
    )


def _dump_plugin_section(section: str, plugins: list[dict[str, Any]], lines: list[str]) -> None:
    if not plugins:
        lines.append(f"{section} {{}}")
        return
    lines.append(f"{section} {{")
    for plugin in plugins:
        body = {key: value for key, value in plugin.items() if key != "plugin_name"}
        _dump_field(plugin["plugin_name"], body, 1, lines)
    lines.append("}")


def _dump_field(key: str, value: Any, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    rendered_key = _hocon_key(key)
    if isinstance(value, dict):
        if not value:
            lines.append(f"{indent}{rendered_key} {{}}")
            return
        lines.append(f"{indent}{rendered_key} {{")
        for child_key, child in value.items():
            _dump_field(child_key, child, depth + 1, lines)
        lines.append(f"{indent}}}")
    else:
        lines.append(f"{indent}{rendered_key} = {_hocon_value(value, depth)}")


def _hocon_key(key: str) -> str:
    if _BARE_KEY.fullmatch(key) and not key.endswith("."):
        return key
    return json.dumps(key, ensure_ascii=False)


def _hocon_value(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner: list[str] = []
        for key, child in value.items():
            _dump_field(key, child, depth + 1, inner)
        return "{\n" + "\n".join(inner) + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        return _hocon_list(value, depth)
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(str(value))
    return json.dumps(value, ensure_ascii=False)


def _hocon_list(items: list[Any], depth: int) -> str:
    if not items:
        return "[]"
    if all(not isinstance(item, (dict, list)) for item in items):
        inline = "[" + ", ".join(_hocon_value(item, depth) for item in items) + "]"
        if len(inline) + 2 * depth <= _INLINE_WIDTH:
            return inline
    indent = "  " * (depth + 1)
    rendered = [f"{indent}{_hocon_value(item, depth + 1)}" for item in items]
    return "[\n" + ",\n".join(rendered) + "\n" + "  " * depth + "]"
