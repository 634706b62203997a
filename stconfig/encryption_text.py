"""Encrypt or decrypt the sensitive values of a config in its own text.

Only the bytes of the shaded values change, so comments, key order, blank lines and
indentation stay as written. The values come from `stconfig.encryption`, which also
serves the jobs of the REST node and the runner, and the rewritten text is loaded again
to check that it gives exactly the expected job.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stconfig.encryption import (
    IDENTIFIER_OPTION,
    PROPERTIES_OPTION,
    EncryptionError,
    JobPath,
    check_job_structure,
    format_path,
    get_path,
    identifier_path,
    open_decrypting_shade,
    open_encrypting_shade,
    option_paths,
    record_identifier,
    sensitive_paths,
    shade_values,
    with_changes,
)
from stconfig.encryption_loading import (
    check_shade_settings_filled,
    loads_keeping_variables,
    variables_named_in,
)
from stconfig.encryption_removal import remove_entry
from stconfig.errors import StconfigError

if TYPE_CHECKING:
    from stconfig.config import LoadedConfig
    from stconfig.shades import Shade

logger = logging.getLogger(__name__)

# A `${name}` or `${name:default}` inside a written value: a HOCON substitution, or a
# placeholder that SeaTunnel fills from a variable. Such values are left as written. A
# `${` that does not form one, as in the password "a${b", is plain text.
_VARIABLE = re.compile(r"\$\{[^:{}]+(?::[^}]*)?\}")

Edit = tuple[int, int, str]


@dataclass
class TextResult:
    """A config rewritten by `encrypt_text` or `decrypt_text`."""

    text: str
    job: dict[str, Any]
    identifier: str | None
    changed: list[JobPath] = field(default_factory=list)
    skipped: list[JobPath] = field(default_factory=list)
    removed: list[JobPath] = field(default_factory=list)


def encrypt_text(
    loaded: LoadedConfig,
    *,
    identifier: str | None = None,
    key_files: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
) -> TextResult:
    """Encrypt the sensitive values of a loaded config in its own text.

    Only the bytes of the encrypted values change (and `shade.identifier`, when
    `identifier` names another shade than the config). Values written with `${...}`
    are left as written and reported, because encrypting them would put the variable's
    value into the file. `variables` must be the ones `loaded` was loaded with, because
    the rewritten text is loaded again to check that only the shaded values changed.
    A `${name}` without a value may stay as its own text in `loaded`, as
    `stconfig.encryption_loading` loads it.
    """
    with _named(loaded.name):
        check_job_structure(loaded.job)
        check_shade_settings_filled(loaded.job, identifier_given=identifier is not None)
        shade = open_encrypting_shade(loaded.job, identifier, key_files)
        return _rewrite(loaded, shade, encrypt=True, variables=variables)


def decrypt_text(
    loaded: LoadedConfig,
    *,
    identifier: str | None = None,
    key_files: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
    keep_shade: bool = False,
) -> TextResult:
    """Decrypt the sensitive values of a loaded config in its own text. See `encrypt_text`.

    Unless `keep_shade` is set, `env."shade.identifier"` and `env."shade.properties"` are
    removed too, because a runner would try to decrypt the plain values again with the
    shade the config names. A config that names no shade comes back unchanged.
    """
    with _named(loaded.name):
        check_job_structure(loaded.job)
        check_shade_settings_filled(loaded.job, identifier_given=identifier is not None)
        shade = open_decrypting_shade(loaded.job, identifier, key_files)
        if shade is None:
            logger.warning(
                '%s names no shade in env."shade.identifier"; nothing to decrypt', loaded.name
            )
            return TextResult(loaded.text, copy.deepcopy(loaded.job), None)
        result = _rewrite(loaded, shade, encrypt=False, variables=variables)
        if not keep_shade:
            _remove_shade_settings(loaded, result, variables)
        return result


@contextmanager
def _named(name: str) -> Iterator[None]:
    """Put the config's name in front of an `EncryptionError` raised inside."""
    try:
        yield
    except EncryptionError as exc:
        raise EncryptionError(f"{name}: {exc}") from None


def _rewrite(
    loaded: LoadedConfig, shade: Shade, *, encrypt: bool, variables: Mapping[str, str] | None
) -> TextResult:
    job = loaded.job
    skipped = _written_with_variables(loaded, shade, encrypt)
    changes = shade_values(job, shade, encrypt=encrypt, skip=skipped.__contains__)

    expected = with_changes(job, changes)
    edits = _value_edits(loaded, changes)
    if encrypt and record_identifier(expected, shade.identifier):
        edits.append(_identifier_edit(loaded, shade.identifier))

    text = loaded.text
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    _check_rewrite(loaded, text, expected, variables)
    if encrypt:
        _warn_plain_text_left(loaded, text, changes)
    return TextResult(text, expected, shade.identifier, list(changes), skipped)


# Plain values shorter than this are too likely to occur by chance to be worth a warning.
_LEFTOVER_MIN_LENGTH = 6


def _warn_plain_text_left(loaded: LoadedConfig, text: str, changes: Mapping[JobPath, str]) -> None:
    """Warn when an encrypted value still appears in plain text elsewhere in the file.

    A comment, or an earlier duplicate of the key that HOCON overrides, can keep a
    secret in the file after its value was encrypted. The warning names the line only.
    """
    # NOTE: an overridden duplicate key whose value differs from every encrypted value is
    # not found, because the parser records the span of the last occurrence only.
    for path in changes:
        plain = get_path(loaded.job, path)
        if len(plain) < _LEFTOVER_MIN_LENGTH:
            continue
        position = text.find(plain)
        if position >= 0:
            line = text.count("\n", 0, position) + 1
            logger.warning(
                "%s:%d: the plain value of %s still appears here (in a comment or an "
                "overridden duplicate key?); remove it by hand",
                loaded.name,
                line,
                format_path(path),
            )


def _written_with_variables(loaded: LoadedConfig, shade: Shade, encrypt: bool) -> list[JobPath]:
    """Return the sensitive values written with `${...}`, which stay as written."""
    advice = f"; put the {shade.identifier} value into the variable instead" if encrypt else ""
    skipped = []
    for path in sensitive_paths(loaded.job, shade):
        span = loaded.span(path)
        if span is not None and _VARIABLE.search(loaded.text, span[0], span[1]):
            logger.warning(
                "%s: %s is written with a ${...} variable, so it is left as written%s",
                loaded.name,
                format_path(path),
                advice,
            )
            skipped.append(path)
    return skipped


def _value_edits(loaded: LoadedConfig, changes: Mapping[JobPath, str]) -> list[Edit]:
    edits = []
    for path, value in changes.items():
        span = loaded.span(path)
        if span is None:
            raise EncryptionError(
                f"cannot find where {format_path(path)} is written (is it built with +=?), "
                f"so it cannot be rewritten; write it as one plain value or list"
            )
        edits.append((span[0], span[1], _quoted(value)))
    return edits


def _quoted(value: str) -> str:
    """Write a string as a JSON string, which is also a valid quoted HOCON string."""
    return json.dumps(value, ensure_ascii=False)


def _identifier_edit(loaded: LoadedConfig, identifier: str) -> Edit:
    """Return the edit that sets `shade.identifier`, replacing or adding the option."""
    path = identifier_path(loaded.job)
    if path is not None:
        span = loaded.span(path)
        if span is None or _VARIABLE.search(loaded.text, span[0], span[1]):
            raise EncryptionError(
                'env."shade.identifier" is not written as a plain value, so the identifier '
                f"given to encrypt cannot replace it; set it to {identifier!r} in the file"
            )
        return (span[0], span[1], _quoted(identifier))

    entry = _entry(loaded.format, IDENTIFIER_OPTION, _quoted(identifier))
    env = loaded.job.get("env")
    env_span = loaded.span(("env",))
    if "env" in loaded.job and not isinstance(env, Mapping):
        raise EncryptionError(
            f"env is {_describe(env)}, not an object, so shade.identifier cannot be added "
            'to it; write env as an object, such as env { job.mode = "BATCH" }'
        )
    if env is None or env_span is None:
        return _insert_before_first_key(loaded, (), *_env_entry(loaded.format, entry))
    if env:
        return _insert_before_first_key(loaded, ("env",), entry, [entry])
    return _insert_into_empty(loaded, env_span, entry)


def _insert_into_empty(loaded: LoadedConfig, span: tuple[int, int], entry: str) -> Edit:
    """Insert an entry just after the `{` of an empty object, on a new line if `{}` spans lines."""
    inside = span[0] + 1
    text = loaded.text
    if "\n" not in text[span[0] : span[1]]:
        return (inside, inside, entry if loaded.format == "json" else f" {entry} ")

    line = text[text.rfind("\n", 0, span[0]) + 1 : span[0]]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return (inside, inside, f"{_line_ending(text)}{indent}  {entry}")


def _entry(format: str, key: str, value: str) -> str:
    if format == "json":
        return f"{json.dumps(key)}: {value}"
    return f"{key} = {value}"


def _env_entry(format: str, entry: str) -> tuple[str, list[str]]:
    """Return an env object holding one entry, on one line and spread over lines."""
    if format == "json":
        return f'"env": {{{entry}}}', ['"env": {', f"  {entry}", "}"]
    return f"env {{ {entry} }}", ["env {", f"  {entry}", "}"]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a number or boolean"


def _insert_before_first_key(
    loaded: LoadedConfig, path: JobPath, one_line: str, lines: list[str]
) -> Edit:
    """Insert an entry before the first key of the object at `path`.

    When that key starts its line, the entry goes in as `lines`, in the key's
    indentation and with the file's line ending. When other text comes before the key
    on its line, the entry goes in as `one_line`, followed by `, `.
    """
    key_starts = [
        span[0]
        for key_path, span in loaded.spans.key_spans.items()
        if len(key_path) == len(path) + 1 and key_path[: len(path)] == path
    ]
    if not key_starts:
        raise EncryptionError(
            'cannot find where to add env."shade.identifier"; add it to the env block yourself'
        )
    start = min(key_starts)
    line_start = loaded.text.rfind("\n", 0, start) + 1
    indent = loaded.text[line_start:start]
    if indent.strip():
        return (start, start, f"{one_line}, ")

    newline = _line_ending(loaded.text)
    separator = "," if loaded.format == "json" else ""
    block = (newline + indent).join(lines)
    return (start, start, f"{block}{separator}{newline}{indent}")


def _line_ending(text: str) -> str:
    """Return the line ending of the text's first line: `\\r\\n`, or else `\\n`."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


# The settings that `decrypt_text` removes: they only tell a runner how to decrypt.
SHADE_SETTINGS = (IDENTIFIER_OPTION, PROPERTIES_OPTION)


def _remove_shade_settings(
    loaded: LoadedConfig, result: TextResult, variables: Mapping[str, str] | None
) -> None:
    """Remove the shade settings from a decrypted result's text and job, in place."""
    for option in SHADE_SETTINGS:
        env = result.job.get("env")
        path = next(option_paths(env, option, ("env",)), None) if isinstance(env, dict) else None
        if path is None:
            continue
        result.text = _remove_every_entry(loaded, result.text, path)
        del get_path(result.job, path[:-1])[path[-1]]
        result.removed.append(path)
    _check_rewrite(loaded, result.text, result.job, variables)


def _remove_every_entry(loaded: LoadedConfig, text: str, path: JobPath) -> str:
    """Remove each entry written at `path`, including duplicates that HOCON merges.

    The parser records where the last entry of a key is written, so the text is parsed
    again after each removal, at most once per occurrence of the key's name.
    """
    for _ in range(text.count(str(path[-1])) + 1):
        try:
            spans = dataclasses.replace(loaded, text=text, _spans=None).spans
        except StconfigError:
            raise _rewrite_failed("does not parse") from None
        key, value = spans.key_spans.get(path), spans.value_spans.get(path)
        if key is None or value is None:
            return text
        text = remove_entry(text, key[0], value[1], loaded.format)
    raise _rewrite_failed(f"still contains {format_path(path)}")


def _check_rewrite(
    loaded: LoadedConfig, text: str, expected: dict[str, Any], variables: Mapping[str, str] | None
) -> None:
    """Load the rewritten text again; it must give exactly the expected job.

    A failure is a bug in stconfig, and the error calls it one. It gives no line or
    column, because those would point into the rewritten text, not into the user's file.
    """
    variables = variables_named_in(loaded.text, variables)
    try:
        reread = loads_keeping_variables(
            text, name=loaded.name, format=loaded.format, variables=variables
        )
    except StconfigError:
        raise _rewrite_failed("does not load") from None
    if reread.job != expected:
        raise _rewrite_failed("loads as a different job")


def _rewrite_failed(problem: str) -> EncryptionError:
    return EncryptionError(
        f"internal error: the rewritten config {problem}, so nothing was written. This is "
        "a bug in stconfig, not in your file: please report it with the layout of the "
        "file (not its values)"
    )


# Writing files


def write_atomically(
    path: Path, text: str, *, mode_from: Path | None = None, bom: bool = False
) -> None:
    """Write text to `path` through a temporary file in the same folder and `os.replace`.

    The file keeps the mode of `mode_from` (or its own mode, when it exists). A symbolic
    link is followed, so the file it points to is replaced, not the link.
    """
    import tempfile

    target = Path(os.path.realpath(path))
    mode = _mode_of(target) or (_mode_of(mode_from) if mode_from is not None else None)
    data = ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")

    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_of(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
