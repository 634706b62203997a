"""Load configs for `stconfig encrypt` and `decrypt`, keeping variables without a value.

Encrypting and decrypting leave every value written with `${name}` as it is, so they do
not need the variables' values: an unquoted `${name}` that has no value (from `--var` or
the environment) loads as its own text, where loading a job to run it stops with an
error. A variable that has a value is filled as usual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stconfig.encryption import (
    IDENTIFIER_OPTION,
    OPTIONS_OPTION,
    PROPERTIES_OPTION,
    EncryptionError,
    format_path,
)

if TYPE_CHECKING:
    from stconfig.config import LoadedConfig

# A value that is nothing but a variable left as written, such as `${PW}` or `${PW:x}`.
_UNFILLED = re.compile(r"\$\{\??\s*([^:{}\s]+)\s*(?::[^}]*)?\}")
# The name in a `${name}`, `${?name}` or `${name:default}`.
_VARIABLE_NAME = re.compile(r"\$\{\??([^:{}]*)")


def load_keeping_variables(source: str, *, variables: Mapping[str, str]) -> LoadedConfig:
    """Load a config file, or stdin for "-", keeping an unfilled `${name}` as its text."""
    from stconfig.config import load

    return load(source, variables=variables, keep_unresolved=True)


def loads_keeping_variables(
    text: str, *, name: str, variables: Mapping[str, str] | None, format: str | None = None
) -> LoadedConfig:
    """Load config text, keeping an unfilled `${name}` as its text."""
    from stconfig.config import loads

    return loads(text, name=name, variables=variables, format=format, keep_unresolved=True)


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
