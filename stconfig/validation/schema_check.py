"""Structure and JSON Schema checks: the job's blocks, `env`, and each plugin's options.

Each plugin is checked against its own schema, chosen by `plugin_name` without regard to
case, so a finding is always about that plugin's options. Values first go through the
compiled predicates; jsonschema runs only for values that fail them, to explain why.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from stconfig.hocon import PLUGIN_SECTIONS
from stconfig.validation import catalog
from stconfig.validation.findings import (
    Issue,
    ValuePath,
    error,
    quote,
    render_value,
    suggestion,
    warning,
)
from stconfig.validation.messages import issues_from_errors

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

logger = logging.getLogger(__name__)

TOP_LEVEL_KEYS = ("env", *PLUGIN_SECTIONS)
# "$schema" lets editors find job.schema.json; SeaTunnel ignores it like any other key.
_QUIET_TOP_LEVEL_KEYS = frozenset((*TOP_LEVEL_KEYS, "$schema"))


def check_structure(job: Mapping[str, Any]) -> list[Issue]:
    """Check the four top-level blocks; plugin checks run only on the lists that pass."""
    issues: list[Issue] = []
    if "env" not in job:
        # A warning, not an error: SeaTunnel's Zeta engine rejects such a job, but a few
        # configs in SeaTunnel's own repository have no env block.
        issues.append(
            warning(
                (),
                "missing env block; SeaTunnel's Zeta engine rejects the job with \"No "
                "configuration setting found for key 'env'\", so add one, even an empty env {}",
            )
        )
    elif not isinstance(job["env"], dict):
        issues.append(
            error(("env",), f"expected an object of options, got {render_value(job['env'])}")
        )
    for section in PLUGIN_SECTIONS:
        issues.extend(_check_section(job, section))
    for key in job:
        if key not in _QUIET_TOP_LEVEL_KEYS:
            issues.append(
                warning(
                    (key,),
                    f"unknown top-level block {quote(key)}; SeaTunnel reads only env, source, "
                    f"transform and sink{suggestion(key, TOP_LEVEL_KEYS)}",
                    at_key=True,
                )
            )
    return issues


def _check_section(job: Mapping[str, Any], section: str) -> list[Issue]:
    if section not in job:
        if section == "transform":
            return []
        return [error((), f"missing {section} block; a job needs at least one {section} plugin")]
    blocks = job[section]
    if isinstance(blocks, dict):
        return [
            error(
                (section,),
                f"expected a list of plugin objects, got an object; in JSON write "
                f'"{section}": [{{"plugin_name": "...", ...}}]',
            )
        ]
    if not isinstance(blocks, list):
        return [error((section,), f"expected a list of plugin objects, got {render_value(blocks)}")]
    if not blocks and section != "transform":
        return [
            error((section,), f"the {section} block is empty; add at least one {section} plugin")
        ]
    issues = []
    for index, plugin in enumerate(blocks):
        if not isinstance(plugin, dict):
            issues.append(
                error((section, index), f"expected a plugin object, got {render_value(plugin)}")
            )
    return issues


def check_env(job: Mapping[str, Any]) -> list[Issue]:
    """Check `env` against the env schema and warn about options SeaTunnel does not know."""
    env = job.get("env")
    if not isinstance(env, dict):
        return []
    uri = catalog.schema_uri(catalog.ENV_SCHEMA)
    return check_options(env, uri, ("env",), "env")


def check_plugin(
    section: str, index: int, plugin: dict[str, Any], entry: catalog.PluginSchema
) -> list[Issue]:
    """Check one plugin's options against its schema."""
    owner = f"the {entry.name} {section}"
    return check_options(plugin, entry.uri, (section, index), owner)


def check_options(
    options: dict[str, Any], uri: str, prefix: ValuePath, owner: str, *, report_unknown: bool = True
) -> list[Issue]:
    """Validate an object of options against a schema, and report options it does not declare."""
    known = catalog.known_options(uri)
    view, renamed, consumed = nested_view(options, known.dotted)
    # A flat "schema.fields" key in a plugin hides the "schema" option SeaTunnel looks for.
    flat_schema = prefix[0] != "env" and "schema" not in options
    flat_schema_keys = [key for key in options if flat_schema and key.startswith("schema.")]
    ignore_missing = frozenset(("schema",)) if flat_schema_keys else frozenset()

    issues: list[Issue] = []
    if not catalog.predicate(uri)(view):
        logger.debug("%s fails its compiled check; explaining it with jsonschema", owner)
        errors = sorted(
            validator_for(uri).iter_errors(view), key=lambda e: list(map(str, e.absolute_path))
        )
        issues.extend(
            issues_from_errors(
                errors, prefix=prefix, owner=owner, renamed=renamed, ignore_missing=ignore_missing
            )
        )
    for key in options:
        if key in known or key in consumed or key == "plugin_name":
            continue
        if key in flat_schema_keys:
            issues.append(_flat_schema_issue(prefix + (key,), key))
        elif report_unknown:
            issues.append(_unknown_option(prefix + (key,), key, known, owner))
    return issues


def nested_view(
    options: dict[str, Any], dotted: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, ValuePath], set[str]]:
    """Find dotted options written in nested form, as SeaTunnel's option lookup does.

    `row { num = 10 }` is read like `row.num = 10`. Returns the options with such values
    added under their flat names, where each flat name was written, and the top-level
    keys that held them.
    """
    first_parts = _first_parts(dotted)
    heads = {key for key in options if key in first_parts and isinstance(options[key], dict)}
    if not heads:
        return options, {}, set()
    view = options
    renamed: dict[str, ValuePath] = {}
    for name in dotted:
        if name in options or name.split(".", 1)[0] not in heads:
            continue
        where = _nested_path(options, name)
        if where is None:
            continue
        if view is options:
            view = dict(options)
        view[name] = _value_at(options, where)
        renamed[name] = where
    consumed = {where[0] for where in renamed.values() if isinstance(where[0], str)}
    return view, renamed, consumed


@cache
def _first_parts(dotted: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.split(".", 1)[0] for name in dotted)


def _nested_path(options: Mapping[str, Any], key: str) -> ValuePath | None:
    dot = key.find(".")
    while dot > 0:
        head = options.get(key[:dot])
        if isinstance(head, Mapping):
            rest = key[dot + 1 :]
            if rest in head:
                return (key[:dot], rest)
            deeper = _nested_path(head, rest)
            if deeper is not None:
                return (key[:dot], *deeper)
        dot = key.find(".", dot + 1)
    return None


def _value_at(options: Mapping[str, Any], path: ValuePath) -> Any:
    value: Any = options
    for part in path:
        value = value[part]
    return value


def _flat_schema_issue(path: ValuePath, key: str) -> Issue:
    return error(
        path,
        f'{quote(key)} is one flat key, so SeaTunnel finds no "schema" option; write it '
        f"nested: schema {{ {key.split('.', 1)[1]} {{ ... }} }}",
        at_key=True,
    )


def _unknown_option(path: ValuePath, key: str, known: catalog.KnownOptions, owner: str) -> Issue:
    # NOTE: the option lists of connectors the runner does not run come from SeaTunnel's
    # documentation and configs, so a real option missing there is reported here too.
    return warning(
        path,
        f"unknown option {quote(key)} for {owner}; SeaTunnel ignores options it does not know"
        f"{suggestion(key, known.names)}",
        at_key=True,
    )


@cache
def validator_for(uri: str) -> Validator:
    """Return a jsonschema validator for the schema at `uri`, with refs in the schema folder."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    def retrieve(target: str) -> Resource:
        try:
            contents = catalog.load_document(target)
        except catalog.SchemaError:
            raise NoSuchResource(ref=target) from None
        return Resource.from_contents(contents, default_specification=_draft())

    registry: Registry = Registry(retrieve=retrieve)
    return Draft202012Validator({"$ref": uri}, registry=registry)


def _draft() -> Any:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012
