"""Apply a config shade to the sensitive values of a job, and mask secrets for display.

The shade comes from `env."shade.identifier"` (or an explicit identifier) and receives
`env."shade.properties"` through its `open` method. Sensitive values are, in every
source, transform and sink block, the options named in `DEFAULT_SENSITIVE_OPTIONS`, the
shade's own `sensitive_options` and the names or dotted paths in `env."shade.options"`.
A dotted name matches a flat key (`"config1.f1"`) and nested objects (`config1 { f1 }`)
alike. Only strings are shaded; a list is shaded element by element.

`encrypt_job` and `decrypt_job` work on canonical job dicts and serve the CLI, the REST
node and the runner. `stconfig.encryption_text` applies the same steps to the text of a
config. Errors name the option's path, such as `sink[0].password`, and never contain a
value, a token or a key.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from stconfig.errors import StconfigError

if TYPE_CHECKING:
    from stconfig.shades import Shade

logger = logging.getLogger(__name__)

DEFAULT_SENSITIVE_OPTIONS = ("password", "username", "auth", "token", "access_key", "secret_key")
MASK = "******"
IDENTIFIER_OPTION = "shade.identifier"
PROPERTIES_OPTION = "shade.properties"
OPTIONS_OPTION = "shade.options"
# SeaTunnel's own name for "no shade"; decrypting with it changes nothing.
PASS_THROUGH_IDENTIFIER = "default"

JobPath = tuple[str | int, ...]


class EncryptionError(StconfigError):
    """A job that cannot be encrypted or decrypted; the message names the option's path."""


# Encrypting and decrypting jobs


def encrypt_job(
    job: Mapping[str, Any], *, identifier: str | None = None, key_files: Sequence[str] = ()
) -> dict[str, Any]:
    """Return a copy of `job` with its sensitive values encrypted.

    `identifier` overrides `env."shade.identifier"` and is recorded there in the result,
    so that the result decrypts with the same shade. Values the shade recognizes as
    already encrypted are left alone.
    """
    check_job_structure(job)
    shade = open_encrypting_shade(job, identifier, key_files)
    changes = shade_values(job, shade, encrypt=True)
    result = with_changes(job, changes)
    record_identifier(result, shade.identifier)
    return result


def decrypt_job(
    job: Mapping[str, Any], *, identifier: str | None = None, key_files: Sequence[str] = ()
) -> dict[str, Any]:
    """Return a copy of `job` with its sensitive values decrypted.

    A job that names no shade (and no `identifier` is given) has nothing to decrypt and
    comes back unchanged, as does one that names SeaTunnel's pass-through `default`.
    """
    check_job_structure(job)
    shade = open_decrypting_shade(job, identifier, key_files)
    if shade is None:
        return copy.deepcopy(dict(job))
    return with_changes(job, shade_values(job, shade, encrypt=False))


def check_job_structure(job: Mapping[str, Any]) -> None:
    """Raise `EncryptionError` unless `source` and `sink` are non-empty lists of plugins."""
    for section in ("source", "sink"):
        blocks = job.get(section)
        if blocks is None:
            raise EncryptionError(
                f"the job has no {section} block; a job needs at least one {section} plugin"
            )
        if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
            raise EncryptionError(f"{section} must be a list of plugin objects")
        if not blocks:
            raise EncryptionError(
                f"the {section} block is empty; a job needs at least one {section} plugin"
            )
    transforms = job.get("transform", [])
    if not isinstance(transforms, list) or not all(isinstance(block, dict) for block in transforms):
        raise EncryptionError("transform must be a list of plugin objects")


# Choosing the shade


def job_identifier(job: Mapping[str, Any]) -> str | None:
    """Return `env."shade.identifier"`, or None when the job names no shade."""
    from stconfig.config import MISSING, get_option

    env = job.get("env")
    if not isinstance(env, Mapping):
        return None
    value = get_option(env, IDENTIFIER_OPTION)
    if value is MISSING or value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise EncryptionError(
            'env."shade.identifier" must be the name of a shade, such as "aes" or "base64"'
        )
    return value.strip()


def open_encrypting_shade(
    job: Mapping[str, Any], identifier: str | None, key_files: Sequence[str]
) -> Shade:
    """Open the shade to encrypt with, raising `EncryptionError` when none is chosen."""
    chosen = identifier or job_identifier(job)
    if chosen is None:
        from stconfig.shades.registry import identifiers

        raise EncryptionError(
            'no shade chosen: the job has no env."shade.identifier"; set '
            'shade.identifier = "aes" in its env block, or pass --identifier to stconfig '
            f"encrypt (installed shades: {', '.join(identifiers()) or 'none'})"
        )
    if chosen.lower() == PASS_THROUGH_IDENTIFIER:
        raise EncryptionError(
            "the shade 'default' leaves values in plain text; choose a shade that protects "
            "them, such as aes"
        )
    return _open_shade(job, chosen, key_files)


def open_decrypting_shade(
    job: Mapping[str, Any], identifier: str | None, key_files: Sequence[str]
) -> Shade | None:
    """Open the shade to decrypt with, or return None when the job names no shade."""
    chosen = identifier or job_identifier(job)
    if chosen is None or chosen.lower() == PASS_THROUGH_IDENTIFIER:
        logger.debug("the job names no shade, so there is nothing to decrypt")
        return None
    return _open_shade(job, chosen, key_files)


def _open_shade(job: Mapping[str, Any], identifier: str, key_files: Sequence[str]) -> Shade:
    """Find the shade and open it with `env."shade.properties"` and the key files.

    Key files given here come first in the `key_file` property, before any that
    `shade.properties` names.
    """
    from stconfig.shades import ShadeError
    from stconfig.shades.registry import find_shade

    shade = find_shade(identifier)
    properties = _shade_properties(job)
    if key_files:
        properties["key_file"] = [*map(os.fspath, key_files), *_as_list(properties.get("key_file"))]
    try:
        shade.open(properties)
    except ShadeError as exc:
        raise EncryptionError(f"cannot open the {shade.identifier} shade: {exc}") from None
    except Exception as exc:  # a third-party shade may fail in any way
        raise EncryptionError(
            f"cannot open the {shade.identifier} shade: {type(exc).__name__}; check "
            f'env."shade.properties"'
        ) from None
    if not shade.encrypts:
        logger.warning(
            "the %s shade only encodes values, and anyone can decode them; use the aes "
            "shade to encrypt them",
            shade.identifier,
        )
    return shade


def _shade_properties(job: Mapping[str, Any]) -> dict[str, Any]:
    from stconfig.config import MISSING, get_option

    env = job.get("env")
    if not isinstance(env, Mapping):
        return {}
    properties = get_option(env, PROPERTIES_OPTION)
    if properties is MISSING or properties is None:
        return {}
    if not isinstance(properties, Mapping):
        raise EncryptionError(
            'env."shade.properties" must be an object, such as '
            '{ key_file = "secrets/stconfig.key" }'
        )
    return copy.deepcopy(dict(properties))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# Choosing the values


def sensitive_names(job: Mapping[str, Any], shade: Shade | None = None) -> list[str]:
    """Return the option names and dotted paths whose values the shade protects."""
    names = list(DEFAULT_SENSITIVE_OPTIONS)
    if shade is not None:
        names.extend(str(name) for name in shade.sensitive_options or ())
    names.extend(_shade_options(job))
    return list(dict.fromkeys(names))


def _shade_options(job: Mapping[str, Any]) -> list[str]:
    from stconfig.config import MISSING, get_option

    env = job.get("env")
    if not isinstance(env, Mapping):
        return []
    options = get_option(env, OPTIONS_OPTION)
    if options is MISSING or options is None:
        return []
    if not isinstance(options, list) or not all(isinstance(name, str) for name in options):
        raise EncryptionError(
            'env."shade.options" must be a list of option names or dotted paths, such as '
            '["client_secret", "config1.f1"]'
        )
    return [name.strip() for name in options if name.strip()]


def sensitive_paths(job: Mapping[str, Any], shade: Shade | None = None) -> list[JobPath]:
    """Return the paths of the string values that `shade` (or the defaults) would touch."""
    names = sensitive_names(job, shade)
    return [path for path, value in _sensitive_values(job, names) if isinstance(value, str)]


def _sensitive_values(job: Mapping[str, Any], names: list[str]) -> Iterator[tuple[JobPath, Any]]:
    """Yield the path and value of every sensitive option, one list element at a time."""
    from stconfig.config import plugins

    seen: set[JobPath] = set()
    for section, index, plugin in plugins(job):
        for name in names:
            for path in option_paths(plugin, name, (section, index)):
                if path in seen or path[-1] == "plugin_name":
                    continue
                seen.add(path)
                value = get_path(job, path)
                if isinstance(value, list):
                    for position, item in enumerate(value):
                        yield (*path, position), item
                else:
                    yield path, value


def option_paths(options: Mapping[str, Any], name: str, prefix: JobPath = ()) -> Iterator[JobPath]:
    """Yield every path under `options` whose keys, joined with dots, spell `name`.

    `"config1.f1"` matches the flat key `config1.f1`, the nested `config1 -> f1`, and
    mixes such as `a.b -> c` for `a.b.c`.
    """
    if name in options:
        yield (*prefix, name)
    dot = name.find(".")
    while dot > 0:
        head = options.get(name[:dot])
        if isinstance(head, Mapping):
            yield from option_paths(head, name[dot + 1 :], (*prefix, name[:dot]))
        dot = name.find(".", dot + 1)


def get_path(data: Any, path: JobPath) -> Any:
    """Return the value at `path`, which must exist."""
    for part in path:
        data = data[part]
    return data


def _set_path(data: Any, path: JobPath, value: Any) -> None:
    get_path(data, path[:-1])[path[-1]] = value


def format_path(path: JobPath) -> str:
    """Render a path as `sink[0].password`, quoting keys that are not plain words."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part) else json.dumps(part)
        text += f".{key}" if text else key
    return text


# Applying the shade


def shade_values(
    job: Mapping[str, Any],
    shade: Shade,
    *,
    encrypt: bool,
    skip: Callable[[JobPath], bool] | None = None,
) -> dict[JobPath, str]:
    """Return the new value of every sensitive string that the shade changes."""
    already_encrypted = getattr(shade, "is_encrypted", None) if encrypt else None
    names = sensitive_names(job, shade)
    changes: dict[JobPath, str] = {}
    found = False
    for path, value in _sensitive_values(job, names):
        found = True
        if not isinstance(value, str):
            _warn_not_string(path, value, encrypt)
            continue
        if skip is not None and skip(path):
            continue
        if already_encrypted is not None and already_encrypted(value):
            logger.info("%s is already encrypted; left as it is", format_path(path))
            continue
        changes[path] = _apply(shade, path, value, encrypt)

    if encrypt and not found:
        logger.warning(
            "the job has none of the sensitive options (%s), so nothing was encrypted; "
            'list the options to protect in env."shade.options"',
            ", ".join(names),
        )
    return changes


def _apply(shade: Shade, path: JobPath, value: str, encrypt: bool) -> str:
    from stconfig.shades import ShadeError

    verb = "encrypt" if encrypt else "decrypt"
    try:
        return shade.encrypt(value) if encrypt else shade.decrypt(value)
    except ShadeError as exc:
        reason = _without(str(exc), value)
        message = f"{format_path(path)}: cannot {verb} with the {shade.identifier} shade: {reason}"
    except Exception as exc:  # a third-party shade may fail in any way
        message = (
            f"{format_path(path)}: the {shade.identifier} shade failed to {verb} the value "
            f"({type(exc).__name__})"
        )
    raise EncryptionError(message)


def _without(message: str, value: str) -> str:
    """Remove a value from a shade's message, in case a third-party shade quoted it."""
    if len(value) >= 3 and value in message:
        return message.replace(value, MASK)
    return message


def _warn_not_string(path: JobPath, value: Any, encrypt: bool) -> None:
    if value is None:
        return
    kind = _kind(value)
    if isinstance(value, dict):
        logger.warning(
            "%s is an object, so it is not %s; name the options inside it in "
            'env."shade.options", such as %s',
            format_path(path),
            "encrypted" if encrypt else "decrypted",
            ".".join(str(part) for part in path[2:]) + ".KEY",
        )
    elif encrypt:
        logger.warning(
            "%s is %s, not a string, so it stays in plain text; quote it in the config to "
            "encrypt it",
            format_path(path),
            kind,
        )
    else:
        logger.warning("%s is %s, not an encrypted string; left as it is", format_path(path), kind)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def with_changes(job: Mapping[str, Any], changes: Mapping[JobPath, str]) -> dict[str, Any]:
    """Return a deep copy of `job` with the value at each changed path replaced."""
    result = copy.deepcopy(dict(job))
    for path, value in changes.items():
        _set_path(result, path, value)
    return result


def identifier_path(job: Mapping[str, Any]) -> JobPath | None:
    """Return where `shade.identifier` is written in `env` (flat or nested), or None."""
    env = job.get("env")
    if not isinstance(env, Mapping):
        return None
    return next(option_paths(env, IDENTIFIER_OPTION, ("env",)), None)


def record_identifier(job: dict[str, Any], identifier: str) -> bool:
    """Set `env."shade.identifier"` unless it already names the shade; return if it changed."""
    current = job_identifier(job)
    if current is not None and current.lower() == identifier.lower():
        return False
    path = identifier_path(job)
    if path is not None:
        _set_path(job, path, identifier)
        return True
    env = job.get("env")
    if not isinstance(env, dict):
        env = {}
        job["env"] = env
    env[IDENTIFIER_OPTION] = identifier
    return True


# Masking

# Option names whose values are masked for display, at any depth. Names are compared in
# lower case with `.` and `-` read as `_`, and a key that ends in `_<name>` (such as
# `db_password` or `fs.s3a.secret.key`) counts too.
MASKED_OPTIONS = frozenset(
    (
        *DEFAULT_SENSITIVE_OPTIONS,
        "passwd",
        "pwd",
        "secret",
        "client_secret",
        "private_key",
        "api_key",
        "access_token",
        "refresh_token",
        "credential",
        "credentials",
        "connection_string",
        "sasl_jaas_config",
    )
)


@cache
def _secret_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compile, on first use, the patterns of secrets inside free text.

    The first finds `password=x`, `"token": "x"` and the like in a JDBC URL or an error
    message, with `.`, `-` or `_` between the words of a name. A name that follows `].`,
    as in `sink[0].password: cannot decrypt`, is the path of a job field in a message
    about that field, not a secret, so it is not matched. The second finds the password
    in `scheme://user:password@host`. Both start a match only where a word starts,
    which keeps the time linear in the length of the text.
    """
    names = sorted(MASKED_OPTIONS, key=len, reverse=True)
    alternatives = "|".join(re.escape(name).replace("_", "[._-]") for name in names)
    # A key starts after none of `word . - ]`, and not inside a quoted path part such
    # as `sink[0]."db.password"`. It does not start with `.`, which would let it begin
    # after a quoted part, as in `sink[0]."a.b".password`.
    pair = re.compile(
        rf"""(?ix)
        (?P<key>(?<![\w.\]-])(?<!\.["'])["']?(?!\.)[\w.-]*?(?<![a-z0-9])(?:{alternatives})["']?)
        (?P<separator>\s*[:=]\s*)
        (?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&)}}\]"']+)
        """
    )
    url = re.compile(
        r"(?P<head>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<value>[^/\s@]+)(?=@)", re.I
    )
    return pair, url


def mask_secrets(value: Any) -> Any:
    """Return a deep copy of `value` with every sensitive value replaced by `******`.

    A value is sensitive when its key is one of `MASKED_OPTIONS` (or ends with one),
    one of the extra options of a shade loaded so far, or named by the job's own
    `env."shade.options"`. Inside other strings, `key=value` pairs with such keys and
    passwords in URLs are masked too.
    """
    return _mask(value, _mask_names(value), inside_secret=False)


def _mask_names(value: Any) -> frozenset[str]:
    from stconfig.shades.registry import loaded_sensitive_options

    names = set(MASKED_OPTIONS)
    names.update(_normalize(name) for name in loaded_sensitive_options())
    if isinstance(value, Mapping):
        try:
            extra = _shade_options(value)
        except EncryptionError:
            extra = []
        for name in extra:
            names.add(_normalize(name))
            names.add(_normalize(name.rsplit(".", 1)[-1]))
    return frozenset(names)


def _mask(value: Any, names: frozenset[str], *, inside_secret: bool) -> Any:
    if isinstance(value, Mapping):
        return {
            key: _mask(item, names, inside_secret=inside_secret or _is_masked(key, names))
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(_mask(item, names, inside_secret=inside_secret) for item in value)
    if inside_secret:
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    return copy.deepcopy(value)


def _is_masked(key: Any, names: frozenset[str]) -> bool:
    normalized = _normalize(str(key))
    if normalized in names:
        return True
    return any(normalized.endswith("_" + name) for name in names)


def _normalize(name: str) -> str:
    return name.lower().replace(".", "_").replace("-", "_")


def mask_text(text: str) -> str:
    """Mask `password=...`-style pairs and URL passwords inside free text."""
    if not text:
        return text
    pair, url = _secret_patterns()
    text = pair.sub(_masked_pair, text)
    return url.sub(lambda match: match["head"] + MASK, text)


def _masked_pair(match: re.Match[str]) -> str:
    quote = match["value"][0] if match["value"][0] in "\"'" else ""
    return f"{match['key']}{match['separator']}{quote}{MASK}{quote}"
