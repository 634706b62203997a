"""Settings of a REST node, from SeaTunnel's own YAML node configs and the command line.

A config file may hold any of three top-level sections, so SeaTunnel's `hazelcast.yaml`
and `seatunnel.yaml` work unchanged:

- `hazelcast.network`: `port.port`, `port.auto-increment`, `port.port-count`,
  `rest-api.enabled` and `rest-api.endpoint-groups.{DATA,CLUSTER_WRITE}.enabled`;
- `seatunnel.engine`: `history-job-expire-minutes`, and `http.enable-basic-auth` with
  `http.basic-auth-username` and `http.basic-auth-password`;
- `stconfig`: `host`, `data-dir`, `allow-paths`, `key-files`, `max-body-size` (bytes),
  `savepoint-on-shutdown`, `threads` and `auth-token`.

Other keys are ignored, as SeaTunnel ignores keys it does not use. The other
`seatunnel.engine.http` keys (`enable-http`, `port`, `context-path` and the HTTPS ones)
go to `ignored_http_keys`, and `serve` warns about them. SeaTunnel 2.3.9 and later
serve the v2 API on a second port with them, but the node serves v1 and v2 on its one
port.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stconfig.errors import ConfigFileError

DEFAULT_PORT = 5801
DEFAULT_PORT_COUNT = 100
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_HISTORY_MINUTES = 1440
DEFAULT_THREADS = 8

AUTH_TOKEN_VARIABLE = "STCONFIG_AUTH_TOKEN"
AUTH_USER_VARIABLE = "STCONFIG_AUTH_USER"
AUTH_PASSWORD_VARIABLE = "STCONFIG_AUTH_PASSWORD"

# The keys of seatunnel.engine.http that the node reads; the others are reported as ignored.
HONOURED_HTTP_KEYS = ("enable-basic-auth", "basic-auth-username", "basic-auth-password")

# NodeConfig fields that are lists of paths, which `load_node_config` copies from overrides.
_PATH_LISTS = ("allow_paths", "key_files")


def default_data_dir() -> Path:
    """Return `$XDG_DATA_HOME/stconfig/node`, or `~/.local/share/stconfig/node`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "stconfig" / "node"


@dataclass
class NodeConfig:
    """Everything a node needs to start; secrets stay out of its `repr`."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    auto_increment: bool = True
    port_count: int = DEFAULT_PORT_COUNT
    data_dir: Path = field(default_factory=default_data_dir)
    rest_enabled: bool = True
    data_enabled: bool = True
    cluster_write_enabled: bool = True
    read_only: bool = False
    history_expire_minutes: int = DEFAULT_HISTORY_MINUTES
    allow_paths: list[Path] = field(default_factory=list)
    key_files: list[Path] = field(default_factory=list)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    savepoint_on_shutdown: bool = False
    threads: int = DEFAULT_THREADS
    auth_user: str | None = field(default=None, repr=False)
    auth_password: str | None = field(default=None, repr=False)
    auth_token: str | None = field(default=None, repr=False)
    ignored_http_keys: list[str] = field(default_factory=list)

    @property
    def has_auth(self) -> bool:
        return bool(self.auth_token or (self.auth_user and self.auth_password))

    def confinement_roots(self) -> list[Path]:
        """Return the folders submitted jobs may use: `allow_paths`, else `data_dir/files`."""
        return list(self.allow_paths) or [self.data_dir / "files"]


def load_node_config(
    files: tuple[Path, ...] = (), *, overrides: dict[str, Any] | None = None
) -> NodeConfig:
    """Build the node settings: defaults, then each file in order, then `overrides`.

    `overrides` contains command-line values; None values are ignored.
    """
    config = NodeConfig()
    for path in files:
        _apply_file(config, path)
    _apply_environment(config)
    for name, value in (overrides or {}).items():
        if value is None or value == ():
            continue
        setattr(config, name, list(value) if name in _PATH_LISTS else value)
    config.data_dir = config.data_dir.expanduser()
    config.allow_paths = [Path(root).expanduser() for root in config.allow_paths]
    config.key_files = [Path(key_file).expanduser() for key_file in config.key_files]
    return config


def _apply_environment(config: NodeConfig) -> None:
    config.auth_token = os.environ.get(AUTH_TOKEN_VARIABLE) or config.auth_token
    config.auth_user = os.environ.get(AUTH_USER_VARIABLE) or config.auth_user
    config.auth_password = os.environ.get(AUTH_PASSWORD_VARIABLE) or config.auth_password


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileError(
            f"{path}: no such node config file; check the --config path"
        ) from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{path}: is not UTF-8 text; save the node config as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigFileError(f"{path}{where}: {problem}; fix the YAML syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigFileError(
            f"{path}: a node config is a YAML mapping with hazelcast, seatunnel or stconfig "
            "sections, not a list or a single value"
        )
    return data


class _Section:
    """Typed reads from one mapping of a YAML file, with errors that name the key."""

    def __init__(self, path: Path, data: Any, where: str) -> None:
        self.path = path
        self.where = where
        if data is not None and not isinstance(data, dict):
            raise ConfigFileError(f"{path}: {where} must be a mapping")
        self.data: dict[str, Any] = data or {}

    def child(self, key: str) -> _Section:
        return _Section(self.path, self.data.get(key), f"{self.where}.{key}")

    def get(self, key: str, kind: type, default: Any) -> Any:
        value = self.data.get(key, default)
        if value is default:
            return default
        if kind is int and isinstance(value, bool):
            value = str(value)
        if kind is bool and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind is int and isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if not isinstance(value, kind):
            raise ConfigFileError(
                f"{self.path}: {self.where}.{key} must be {_KIND_NAMES[kind]}, not {value!r}"
            )
        return value


_KIND_NAMES = {bool: "true or false", int: "an integer", str: "a string", list: "a list"}


def _apply_file(config: NodeConfig, path: Path) -> None:
    data = _read_yaml(path)
    _apply_hazelcast(config, _Section(path, data.get("hazelcast"), "hazelcast"))
    _apply_seatunnel(config, _Section(path, data.get("seatunnel"), "seatunnel"))
    _apply_stconfig(config, _Section(path, data.get("stconfig"), "stconfig"))


def _apply_hazelcast(config: NodeConfig, hazelcast: _Section) -> None:
    network = hazelcast.child("network")
    port = network.data.get("port")
    if isinstance(port, int) and not isinstance(port, bool):
        config.port = _port_number(network, port)
    elif port is not None:
        port_section = network.child("port")
        config.port = _port_number(port_section, port_section.get("port", int, config.port))
        config.auto_increment = port_section.get("auto-increment", bool, config.auto_increment)
        config.port_count = port_section.get("port-count", int, config.port_count)
    rest = network.child("rest-api")
    config.rest_enabled = rest.get("enabled", bool, config.rest_enabled)
    groups = rest.child("endpoint-groups")
    config.data_enabled = groups.child("DATA").get("enabled", bool, config.data_enabled)
    config.cluster_write_enabled = groups.child("CLUSTER_WRITE").get(
        "enabled", bool, config.cluster_write_enabled
    )


def _port_number(section: _Section, port: int) -> int:
    if not 0 <= port <= 65535:
        raise ConfigFileError(f"{section.path}: {section.where} port {port} is not in 0-65535")
    return port


def _apply_seatunnel(config: NodeConfig, seatunnel: _Section) -> None:
    engine = seatunnel.child("engine")
    config.history_expire_minutes = engine.get(
        "history-job-expire-minutes", int, config.history_expire_minutes
    )
    http = engine.child("http")
    if http.get("enable-basic-auth", bool, False):
        config.auth_user = http.get("basic-auth-username", str, "admin")
        config.auth_password = http.get("basic-auth-password", str, "admin")
    for key in http.data:
        name = f"{http.where}.{key}"
        if key not in HONOURED_HTTP_KEYS and name not in config.ignored_http_keys:
            config.ignored_http_keys.append(name)


def _apply_stconfig(config: NodeConfig, section: _Section) -> None:
    config.host = section.get("host", str, config.host)
    data_dir = section.get("data-dir", str, None)
    if data_dir is not None:
        config.data_dir = _relative_to_file(section.path, data_dir)
    roots = section.get("allow-paths", list, None)
    if roots is not None:
        config.allow_paths = [_relative_to_file(section.path, str(root)) for root in roots]
    key_files = section.get("key-files", list, None)
    if key_files is not None:
        config.key_files = [_relative_to_file(section.path, str(path)) for path in key_files]
    config.max_body_bytes = section.get("max-body-size", int, config.max_body_bytes)
    config.savepoint_on_shutdown = section.get(
        "savepoint-on-shutdown", bool, config.savepoint_on_shutdown
    )
    config.threads = section.get("threads", int, config.threads)
    config.auth_token = section.get("auth-token", str, config.auth_token)


def _relative_to_file(path: Path, value: str) -> Path:
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else path.parent / candidate
