"""Keep the files a submitted job names inside the folders the node allows.

Anyone who can reach a node's port can submit a job, and a job names files: a LocalFile
`path`, a SQLite database in a Jdbc `url`, every option a plugin schema marks with
`"x-stconfig-path": true`, and the key files in `env."shade.properties".key_file`.
Before a job starts, each such path is resolved (relative paths against the first
allowed folder, then symlinks and `..`) and must lie inside an allowed folder. The
runner checks again where it opens each file, because a symlink can change between this
check and the open.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from stconfig.config import MISSING, get_option, plugins
from stconfig.server.errors import Forbidden

# Options that name files in plugins whose schemas may not mark them, by section and
# lower-case plugin name.
BUILTIN_PATH_OPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("source", "localfile"): ("path",),
    ("sink", "localfile"): ("path", "tmp_path"),
}
JDBC_PLUGINS = frozenset({"jdbc"})
SQLITE_URL_PREFIX = "jdbc:sqlite:"


class PathNotAllowedError(Forbidden):
    """A job option that names a file outside the allowed folders."""


def resolve_roots(roots: Iterable[Path]) -> list[Path]:
    """Return the allowed folders with symlinks and `..` resolved."""
    return [Path(os.path.realpath(root)) for root in roots]


def confine_job(job: dict[str, Any], roots: list[Path]) -> dict[str, Any]:
    """Return a copy of `job` whose file options are absolute paths inside `roots`.

    `roots` must already be resolved (see `resolve_roots`). Raises `PathNotAllowedError`
    naming the first option that points elsewhere.
    """
    confined = copy.deepcopy(job)
    _confine_key_files(confined, roots)
    for section, index, plugin in plugins(confined):
        name = str(plugin.get("plugin_name", ""))
        where = f"{section}[{index}]"
        for option in path_options_of(section, name):
            value = get_option(plugin, option)
            if isinstance(value, str) and value:
                _set_option(plugin, option, confine_path(value, roots, f"{where}.{option}"))
        if name.lower() in JDBC_PLUGINS:
            url = get_option(plugin, "url")
            if isinstance(url, str) and url.lower().startswith(SQLITE_URL_PREFIX):
                _set_option(plugin, "url", confine_sqlite_url(url, roots, f"{where}.url"))
    return confined


def confine_key_files(job: dict[str, Any], roots: list[Path]) -> dict[str, Any]:
    """Return a copy of `job` whose shade key files are absolute paths inside `roots`.

    Only `env."shade.properties".key_file` changes; other file options stay as written.
    """
    confined = copy.deepcopy(job)
    _confine_key_files(confined, roots)
    return confined


def shade_properties(job: dict[str, Any]) -> dict[str, Any] | None:
    """Return the job's `env."shade.properties"` object, flat or nested, as shades read it."""
    env = job.get("env")
    if not isinstance(env, dict):
        return None
    properties = get_option(env, "shade.properties")
    return properties if isinstance(properties, dict) else None


def _confine_key_files(job: dict[str, Any], roots: list[Path]) -> None:
    """Keep the key files a job's shade reads inside `roots`, like any other file it names."""
    properties = shade_properties(job)
    if properties is None:
        return
    option = 'env."shade.properties".key_file'
    key_files = properties.get("key_file")
    if isinstance(key_files, str):
        properties["key_file"] = confine_path(key_files, roots, option)
    elif isinstance(key_files, list):
        properties["key_file"] = [
            confine_path(item, roots, f"{option}[{index}]") if isinstance(item, str) else item
            for index, item in enumerate(key_files)
        ]


def path_options_of(section: str, plugin_name: str) -> tuple[str, ...]:
    """Return the options of a plugin that name a local file or folder."""
    return _path_options(section, plugin_name.lower())


@functools.cache
def _path_options(section: str, plugin_name: str) -> tuple[str, ...]:
    # Cached because the schemas do not change while the node runs, and reading the
    # annotations from them costs about half a millisecond per plugin.
    from stconfig.validation import path_options

    names = list(BUILTIN_PATH_OPTIONS.get((section, plugin_name), ()))
    for option in path_options(section, plugin_name):
        if option not in names:
            names.append(option)
    return tuple(names)


def confine_path(value: str, roots: list[Path], option: str) -> str:
    """Return `value` as an absolute path inside one of `roots`, or raise `PathNotAllowedError`."""
    text = value
    if text.lower().startswith("file:"):
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise _not_allowed(option, value, roots, "it names another host")
        text = unquote(parts.path)
    candidate = Path(text).expanduser() if text.startswith("~") else Path(text)
    if not candidate.is_absolute():
        candidate = roots[0] / candidate
    resolved = Path(os.path.realpath(candidate))
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        raise _not_allowed(option, value, roots, f"it resolves to {resolved}")
    return str(resolved)


def confine_sqlite_url(url: str, roots: list[Path], option: str) -> str:
    """Return a `jdbc:sqlite:` URL whose database file is inside `roots`."""
    target = url[len(SQLITE_URL_PREFIX) :]
    if target in ("", ":memory:"):
        return url
    if target.startswith(":resource:"):
        raise _not_allowed(option, url, roots, "it loads a database from a resource")
    if target.lower().startswith("file:"):
        parts = urlsplit(target)
        if "mode=memory" in parts.query:
            return url
        path = confine_path(f"file:{parts.path}" if parts.netloc == "" else target, roots, option)
        query = f"?{parts.query}" if parts.query else ""
        return f"{SQLITE_URL_PREFIX}file:{path}{query}"
    path_text, separator, query = target.partition("?")
    path = confine_path(path_text, roots, option)
    return f"{SQLITE_URL_PREFIX}{path}{separator}{query}"


def _not_allowed(option: str, value: str, roots: list[Path], reason: str) -> PathNotAllowedError:
    allowed = ", ".join(str(root) for root in roots)
    return PathNotAllowedError(
        f"{option}: {value!r} is outside the folders this node lets jobs use ({reason}); "
        f"allowed: {allowed}. Use a path inside one of them, or start the node with "
        "--allow-path for another folder"
    )


def _set_option(options: dict[str, Any], key: str, value: Any) -> None:
    """Set an option where `get_option` found it: as a flat dotted key, or nested."""
    if key in options:
        options[key] = value
        return
    head, _, rest = key.partition(".")
    child = options.get(head, MISSING)
    if rest and isinstance(child, dict):
        _set_option(child, rest, value)
    else:
        options[key] = value
