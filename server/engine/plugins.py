"""The plugin interface of the runner, and the registry that finds plugins by name.

Sources, transforms and sinks are classes registered in the entry-point group
`stconfig.plugins` under the name `<section>.<PluginName>`, for example
`source.FakeSource = stconfig.server.engine.connectors.fake:FakeSource`. The built-in
plugins are registered the same way, and a third-party distribution adds its own.
Names are matched case-insensitively, as SeaTunnel does.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar, TextIO

from stconfig.config import get_option
from stconfig.hocon import MISSING
from stconfig.server.engine.errors import UnknownPluginError, invalid_value_error
from stconfig.server.engine.paths import PathGuard
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.types import TableSchema

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "stconfig.plugins"
SECTIONS = ("source", "transform", "sink")


@dataclass
class JobContext:
    """What a plugin may know about the job it runs in."""

    job_id: int
    job_mode: str
    env: dict[str, Any]
    paths: PathGuard = field(default_factory=lambda: PathGuard(None))
    staging_dir: Path = field(default_factory=lambda: Path("/tmp/seatunnel"))
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def streaming(self) -> bool:
        return self.job_mode == "STREAMING"


class Plugin:
    """Common parts of sources, transforms and sinks: the name and option access."""

    plugin_name: ClassVar[str] = ""
    dag_name: ClassVar[str] = ""

    def __init__(self, options: Mapping[str, Any], context: JobContext) -> None:
        self.options = options
        self.context = context

    def option(self, key: str, default: Any = MISSING) -> Any:
        """Return an option (flat or nested form), or `default` when it is absent."""
        return get_option(self.options, key, default)

    def required(self, key: str) -> Any:
        value = self.option(key)
        if value is MISSING or value is None:
            from stconfig.server.engine.errors import required_options_error

            raise required_options_error(key)
        return value

    def int_option(self, key: str, default: int) -> int:
        value = self.option(key, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            message = f"{self.plugin_name}: option '{key}' is {value!r}, not an integer"
            raise invalid_value_error(self.plugin_name, key, value, message) from None

    def bool_option(self, key: str, default: bool) -> bool:
        value = self.option(key, default)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise invalid_value_error(
                self.plugin_name,
                key,
                value,
                f"Unrecognized option for boolean: {value}. "
                "Expected either true or false(case insensitive)",
            )
        return text == "true"


class SourceReader:
    """One parallel reader of a source.

    `poll` returns the next batch, or None when nothing is ready yet; it sets `finished`
    once a bounded reader has emitted everything. `snapshot` returns the reader's
    position as JSON data, which the reader's factory receives back on restore.

    `max_rows` is the most rows the next `poll` should return, or None for the reader's
    own batch size. The runner sets it while env `read_limit` options pace the reader. A
    reader that returns more rows still works, because the runner then makes it wait
    longer, but its batches are larger than the limit allows.
    """

    finished: bool = False
    max_rows: int | None = None

    def poll(self) -> Batch | None:
        raise NotImplementedError

    def snapshot(self) -> Any:
        return None

    def close(self) -> None:
        return None


class Source(Plugin):
    """A source: the tables it produces, and a factory of parallel readers."""

    tables: list[TableSchema]

    def create_reader(self, index: int, parallelism: int, state: Any) -> SourceReader:
        raise NotImplementedError


class Transform(Plugin):
    """A row-wise transform of one input table into one output table."""

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context)
        self.upstream = upstream
        self.schema = upstream

    def process(self, batch: Batch) -> Batch | None:
        raise NotImplementedError


class SinkWriter:
    """One parallel writer of a sink.

    `write` returns how many rows it really wrote. `prepare_commit` ends the current
    transaction at a checkpoint and returns JSON data that the sink's `commit` turns into
    visible output; `finish` is called once at the end of a bounded input.
    """

    def write(self, batch: Batch) -> int:
        raise NotImplementedError

    def prepare_commit(self, checkpoint_id: int) -> Any:
        return None

    def finish(self) -> None:
        return None

    def abort(self) -> None:
        return None

    def close(self) -> None:
        return None


class Sink(Plugin):
    """A sink: a factory of parallel writers, and the committer of their transactions."""

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, tables: list[TableSchema]
    ) -> None:
        super().__init__(options, context)
        self.tables = tables

    def create_writer(self, index: int) -> SinkWriter:
        raise NotImplementedError

    def commit(self, infos: list[Any]) -> None:
        """Make prepared transactions visible; must be safe to call again after a restore."""
        return None

    def finish(self) -> None:
        """Run once after every writer has finished (a bounded job that ends normally)."""
        return None


_registry: dict[str, dict[str, EntryPoint]] | None = None


def installed_plugins() -> dict[str, dict[str, EntryPoint]]:
    """Return the registered plugins as {section: {lower-case name: entry point}}."""
    global _registry
    if _registry is None:
        registry: dict[str, dict[str, EntryPoint]] = {section: {} for section in SECTIONS}
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            section, _, name = entry.name.partition(".")
            if section in registry and name:
                registry[section][name.lower()] = entry
            else:
                logger.warning(
                    "ignoring runner plugin %r: its name must be <source|transform|sink>.<Name>",
                    entry.name,
                )
        _registry = registry
    return _registry


def find_plugin(section: str, name: str) -> type[Plugin]:
    """Return the plugin class for `name` in `section` ("source", "transform" or "sink")."""
    entry = installed_plugins()[section].get(str(name).lower())
    if entry is None:
        raise UnknownPluginError(_unknown_plugin_message(section, name))
    try:
        plugin = entry.load()
    except Exception as exc:
        distribution = entry.dist.name if entry.dist is not None else "an unknown distribution"
        raise UnknownPluginError(
            f"the {section} plugin '{name}' from {distribution} failed to load "
            f"({type(exc).__name__}: {exc}); reinstall or remove that distribution"
        ) from None
    return plugin


def _unknown_plugin_message(section: str, name: str) -> str:
    known = sorted(entry.name.partition(".")[2] for entry in installed_plugins()[section].values())
    if section == "transform":
        return (
            "ErrorCode:[API-06], ErrorDescription:[Factory initialize failed] - Could not find "
            f"any factory for identifier '{name}' that implements transforms in stconfig's "
            f"runner. Available transforms: {', '.join(known)}"
        )
    return (
        f"Plugin PluginIdentifier{{engineType='seatunnel', pluginType='{section}', "
        f"pluginName='{name}'}} not found. The runner's {section}s are: {', '.join(known)}"
    )
