"""Load configs for `stconfig encrypt` and `decrypt`, keeping variables without a value.

Encrypting and decrypting leave every value written with `${name}` as it is, so they do
not need the variables' values. Here an unquoted `${name}` that has no value (from
`--var` or the environment) loads as its own text, `"${name}"`, where `stconfig.config`
would stop with an error. A variable that has a value is filled as usual.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stconfig.encryption import (
    IDENTIFIER_OPTION,
    OPTIONS_OPTION,
    PROPERTIES_OPTION,
    EncryptionError,
    format_path,
)

if TYPE_CHECKING:
    from stconfig.config import LoadedConfig, VariableResolver

# A value that is nothing but a variable left as written, such as `${PW}` or `${PW:x}`.
_UNFILLED = re.compile(r"\$\{\??\s*([^:{}\s]+)\s*(?::[^}]*)?\}")
# The name in a `${name}`, `${?name}` or `${name:default}`.
_VARIABLE_NAME = re.compile(r"\$\{\??([^:{}]*)")


def load_keeping_variables(source: str, *, variables: Mapping[str, str]) -> LoadedConfig:
    """Load a config file, or stdin for "-", as `stconfig.config.load` does.

    The difference: an unquoted `${name}` without a value stays as its own text.
    """
    from stconfig.config import read_text

    if source == "-":
        return loads_keeping_variables(sys.stdin.read(), name="<stdin>", variables=variables)
    path = Path(source)
    format = "json" if path.suffix.lower() == ".json" else "hocon"
    return loads_keeping_variables(
        read_text(path), name=str(path), format=format, variables=variables
    )


def loads_keeping_variables(
    text: str, *, name: str, variables: Mapping[str, str] | None, format: str | None = None
) -> LoadedConfig:
    """Load config text as `stconfig.config.loads` does, keeping unfilled `${name}` as text."""
    from stconfig.config import loads, sniff_format

    variables = dict(variables or {})
    if format is None and text.strip():
        format = sniff_format(text)
    if format != "hocon" or "${" not in text:
        return loads(text, name=name, variables=variables, format=format)
    return _loads_hocon(text, name, variables)


def _loads_hocon(text: str, name: str, variables: dict[str, str]) -> LoadedConfig:
    # TODO: replace with a `keep_unresolved` option of `stconfig.config.loads`, which
    # would pass the same resolver, so that this copy of its last steps can go.
    from stconfig import hocon
    from stconfig.config import (
        LoadedConfig,
        VariableResolver,
        _warn_unused,
        check_is_job,
        check_variables,
        fill_placeholders,
    )

    check_variables(variables)
    variable_resolver = VariableResolver(variables)
    resolver = _KeepUnresolved(variable_resolver, _required_variables(text))
    parsed = hocon.parse(text, name, resolver=resolver)
    loaded = LoadedConfig(parsed.data, name, "hocon", text, resolver)

    used = set(variable_resolver.used)
    fill_placeholders(loaded.data, variables, used)
    _warn_unused(variables, used, name)
    check_is_job(loaded.data, name)
    return loaded


def variables_named_in(text: str, variables: Mapping[str, str] | None) -> dict[str, str]:
    """Return the variables whose names appear in a `${...}` of `text`.

    Loading the text with only these gives the same config, without a warning for
    each unused variable, so a config is loaded again with them after a rewrite. Names
    are taken with and without the blanks around them, which may keep a few too many.
    """
    names = set()
    for match in _VARIABLE_NAME.finditer(text):
        names.update((match.group(1), match.group(1).strip()))
    return {name: value for name, value in (variables or {}).items() if name in names}


@dataclass(frozen=True)
class _KeepUnresolved:
    """A resolver that gives a required `${name}` without a value its own text.

    An optional `${?name}` without a value is still left out, as HOCON wants, unless the
    same name is also written as a required `${name}`, because the parser passes only
    the name. NOTE: in that case the optional one also loads as the text `${name}`.
    """

    resolver: VariableResolver
    required: frozenset[str]

    def __call__(self, name: str) -> Any:
        from stconfig.hocon import MISSING

        value = self.resolver(name)
        if value is MISSING and name in self.required:
            return "${" + name + "}"
        return value


def _required_variables(text: str) -> frozenset[str]:
    """Return the names written as unquoted, required `${name}` substitutions."""
    from stconfig.hocon import tokenize

    names = set()
    for token in tokenize(text):
        if token.startswith("${") and not token.startswith("${?") and token.endswith("}"):
            names.add(token[2:-1].strip())
    return frozenset(names)


def check_shade_settings_filled(job: Mapping[str, Any], *, identifier_given: bool) -> None:
    """Raise `EncryptionError` when a shade setting in `env` is a variable with no value.

    The shade would otherwise use the text `${name}` as its identifier, a key file path
    or an option name. `identifier_given` skips `shade.identifier`, which an identifier
    given to the command replaces.
    """
    env = job.get("env")
    if not isinstance(env, Mapping):
        return
    names = [PROPERTIES_OPTION, OPTIONS_OPTION]
    if not identifier_given:
        names.insert(0, IDENTIFIER_OPTION)
    for name in names:
        if name in env:
            _check_filled(env[name], ("env", name))


def _check_filled(value: Any, path: tuple[str | int, ...]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_filled(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_filled(item, (*path, index))
    elif isinstance(value, str) and (match := _UNFILLED.fullmatch(value.strip())):
        variable = match.group(1)
        raise EncryptionError(
            f"{format_path(path)} is the variable ${{{variable}}}, which has no value; pass "
            f"--var {variable}=VALUE or set the environment variable {variable}"
        )
