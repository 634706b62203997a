"""The schema files: where they are, which plugin each one describes, and what they declare.

Schemas live in the `stconfig.schemas` package as plain JSON Schema (draft 2020-12)
files. Each file refers to the others by relative `$ref`, so any JSON Schema tool can use
`job.schema.json` on its own. Plugin schemas are named `plugins/<section>.<Name>.schema.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from stconfig.errors import StconfigError
from stconfig.validation.compiler import Compiler, Predicate

SECTIONS = ("source", "transform", "sink")
ENV_SCHEMA = "env.schema.json"
JOB_SCHEMA = "job.schema.json"
CATALOGUE = "seatunnel-plugins.json"
_PLUGIN_FILE = re.compile(r"(source|transform|sink)\.(.+)\.schema\.json")


class SchemaError(StconfigError):
    """A schema file that is missing, unreadable or refers to something that does not exist."""


@dataclass(frozen=True, slots=True)
class PluginSchema:
    """A plugin that has a schema file."""

    section: str
    name: str
    file: str

    @property
    def uri(self) -> str:
        return schema_uri(self.file)


@dataclass(frozen=True, slots=True)
class KnownOptions:
    """The option names a schema declares, and the patterns of option names it accepts."""

    names: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    dotted: tuple[str, ...]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return key in self.names or any(pattern.search(key) for pattern in self.patterns)


@cache
def schema_dir() -> Path:
    """Return the folder of the installed schema files."""
    from stconfig import schemas

    return Path(schemas.__file__).resolve().parent


@cache
def _root_uri() -> str:
    return schema_dir().as_uri() + "/"


def schema_uri(file: str) -> str:
    """Return the URI of a schema file given relative to the schema folder."""
    return _root_uri() + file


def resolve_reference(base: str, reference: str) -> str:
    """Join a `$ref` onto the URI of the schema that contains it, as JSON Schema specifies."""
    return urljoin(base, reference)


@cache
def load_document(uri: str) -> Any:
    """Read the schema document at `uri`, which must be inside the schema folder."""
    root = _root_uri()
    if not uri.startswith(root):
        raise SchemaError(f"schema reference {uri} leaves the schema folder {schema_dir()}")
    path = schema_dir() / uri[len(root) :]
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(f"schema file {path} is missing; reinstall stconfig") from None
    except (OSError, ValueError) as exc:
        raise SchemaError(f"schema file {path} cannot be read: {exc}") from None


def load_schema(file: str) -> Any:
    """Read a schema file given relative to the schema folder."""
    return load_document(schema_uri(file))


@cache
def _compiler() -> Compiler:
    return Compiler(load_document, resolve_reference)


def predicate(uri: str) -> Predicate:
    """Return the compiled yes/no check of the schema at `uri`."""
    return _compiler().compile_uri(uri)


@cache
def plugin_schemas() -> dict[tuple[str, str], PluginSchema]:
    """Map `(section, lower-case name)` to each plugin that has a schema file."""
    index: dict[tuple[str, str], PluginSchema] = {}
    for path in (schema_dir() / "plugins").iterdir():
        match = _PLUGIN_FILE.fullmatch(path.name)
        if match:
            section, name = match.groups()
            index[(section, name.lower())] = PluginSchema(section, name, f"plugins/{path.name}")
    return index


def find_plugin(section: str, name: str) -> PluginSchema | None:
    """Return the schema entry of a plugin, matching its name without regard to case."""
    return plugin_schemas().get((section, name.lower()))


@cache
def catalogue() -> dict[str, Any]:
    """Return the list of plugin names SeaTunnel ships, including those without a schema."""
    return load_schema(CATALOGUE)


def known_names(section: str) -> dict[str, str]:
    """Map the lower-case name of every plugin SeaTunnel ships in a section to its spelling."""
    names = {name.lower(): name for name in catalogue()[section]}
    for (plugin_section, lower), entry in plugin_schemas().items():
        if plugin_section == section:
            names[lower] = entry.name
    return names


@cache
def known_options(uri: str) -> KnownOptions:
    """Collect the options a schema declares, following `allOf` and `$ref` into shared files."""
    names: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    _collect_options(uri, names, patterns, set())
    dotted = tuple(sorted(name for name in names if "." in name))
    return KnownOptions(frozenset(names), tuple(patterns), dotted)


def _collect_options(uri: str, names: set[str], patterns: list, seen: set[str]) -> None:
    if uri in seen:
        return
    seen.add(uri)
    schema = _schema_at(uri)
    document_uri = uri.partition("#")[0]
    names.update(schema.get("properties", {}))
    patterns.extend(re.compile(pattern) for pattern in schema.get("patternProperties", {}))
    references = [schema.get("$ref")] + [sub.get("$ref") for sub in schema.get("allOf", [])]
    for reference in references:
        if reference:
            _collect_options(resolve_reference(document_uri, reference), names, patterns, seen)


def _schema_at(uri: str) -> dict[str, Any]:
    document_uri, _, fragment = uri.partition("#")
    node = load_document(document_uri)
    for part in filter(None, fragment.split("/")):
        node = node[part]
    return node


def option_schema(uri: str, option: str) -> dict[str, Any] | None:
    """Return the schema of one top-level option, looking through `allOf` and `$ref`."""
    return _find_option(uri, option, set())


def _find_option(uri: str, option: str, seen: set[str]) -> dict[str, Any] | None:
    if uri in seen:
        return None
    seen.add(uri)
    schema = _schema_at(uri)
    found = schema.get("properties", {}).get(option)
    if found is not None:
        return found
    document_uri = uri.partition("#")[0]
    references = [schema.get("$ref")] + [sub.get("$ref") for sub in schema.get("allOf", [])]
    for reference in references:
        if reference:
            found = _find_option(resolve_reference(document_uri, reference), option, seen)
            if found is not None:
                return found
    return None


def path_options(section: str, plugin_name: str) -> list[str]:
    """Return the options of a plugin that name local files or folders.

    These are the options marked `"x-stconfig-path": true` in the plugin's schema, such
    as LocalFile's `path` and `tmp_path`. A plugin without a schema has none. Elements of
    a `tables_configs` list take the same options as the plugin itself.
    """
    entry = find_plugin(section, plugin_name)
    if entry is None:
        return []
    options = known_options(entry.uri)
    marked = []
    for name in sorted(options.names):
        schema = option_schema(entry.uri, name)
        if schema is not None and schema.get("x-stconfig-path") is True:
            marked.append(name)
    return marked


def schema_file(name: str, section: str | None = None) -> str:
    """Return the schema file of `job`, `env`, or a plugin, matching names without regard to case.

    Raises `SchemaError` naming the choices when the plugin has no schema, or when it has
    one per section and `section` does not pick one.
    """
    whole = {"job": JOB_SCHEMA, "env": ENV_SCHEMA}
    if section is None and name.lower() in whole:
        return whole[name.lower()]
    sections = [section] if section else list(SECTIONS)
    found = [entry for s in sections if (entry := find_plugin(s, name)) is not None]
    if len(found) == 1:
        return found[0].file
    if found:
        choices = " or ".join(f"--section {entry.section}" for entry in found)
        raise SchemaError(f"{found[0].name} has a schema per section; pick one with {choices}")
    where = f"{section} plugin" if section else "plugin"
    names = sorted({entry.name for entry in plugin_schemas().values()})
    from stconfig.validation.findings import suggestion

    raise SchemaError(
        f"no schema for the {where} {name!r}{suggestion(name, names)}; "
        "stconfig plugins lists the plugins that have one"
    )


def plugin_listing(section: str | None = None) -> list[dict[str, Any]]:
    """List every known plugin with its section and whether it has a schema."""
    rows = []
    for listed in [section] if section else SECTIONS:
        with_schema = {lower for (s, lower) in plugin_schemas() if s == listed}
        for lower, name in sorted(known_names(listed).items()):
            rows.append({"section": listed, "name": name, "schema": lower in with_schema})
    return rows
