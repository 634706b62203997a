"""Run a REST node under waitress until SIGTERM or Ctrl-C.

waitress is a multi-threaded WSGI server. Errors that it returns itself (a malformed
request line, a body over the size limit) get the same JSON error body as the app's,
through a channel class whose error task writes JSON.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import waitress
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from stconfig.errors import StconfigError
from stconfig.server.app import V1_PREFIX, create_app, too_large_message
from stconfig.server.config import NodeConfig
from stconfig.server.confinement import resolve_roots
from stconfig.server.errors import error_body
from stconfig.server.node import Node

logger = logging.getLogger(__name__)


class NodeStartError(StconfigError):
    """A node that cannot start: no free port, REST disabled, a missing folder."""


# waitress itself rejects bodies larger than the node's limit plus this slack. Between
# the two, the app reads the whole body and responds with 413, so the client sees the JSON
# reply instead of a connection reset by a server that stopped reading.
BODY_LIMIT_SLACK_BYTES = 1024 * 1024


class JsonErrorTask(ErrorTask):
    """waitress's error response, with a JSON body in SeaTunnel's error shape."""

    def execute(self) -> None:
        error = self.request.error
        if error.code == 413:
            limit = self.channel.server.adj.max_request_body_size - BODY_LIMIT_SLACK_BYTES
            message = too_large_message(limit)
        else:
            message = f"{error.reason}: {error.body}"
        body = error_body(message)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask


def run_node(config: NodeConfig, *, handlers: list[logging.Handler] = ()) -> None:
    """Serve the node until a signal stops it, then stop its jobs and leave the cluster.

    `handlers` get a filter that redacts the secrets of running jobs from log lines.
    """
    check_config(config)
    node = Node(config)
    from stconfig.server.redaction import RedactingFilter

    for handler in handlers:
        handler.addFilter(RedactingFilter(node.redactor))
    try:
        server = bind(create_app(node, config), config)
    except BaseException:
        node.shutdown()
        raise
    port = int(server.effective_port)
    node.connections = lambda: max(len(server._map) - 1, 0)
    node.monitor.queue_size = lambda: len(server.task_dispatcher.queue)
    node.start(config.host, port)
    logger.info(
        "stconfig node listening on http://%s:%d (data directory %s, node %s)",
        _url_host(config.host),
        port,
        config.data_dir,
        node.membership.node_id,
    )
    logger.info("jobs may use files under: %s", ", ".join(str(root) for root in node.roots))
    _log_settings(config, port)
    _warn_if_exposed(config)
    restore = _stop_on_signals()
    try:
        server.run()
    finally:
        logger.info("stconfig node on port %d is stopping", port)
        server.close()
        node.shutdown()
        logger.info("stconfig node on port %d stopped", port)
        restore()


def check_config(config: NodeConfig) -> None:
    """Reject settings a node cannot start with, and create the default files folder."""
    if not config.rest_enabled:
        raise NodeStartError(
            "the REST API is disabled in the node config (hazelcast.network.rest-api.enabled "
            "is false), so the node would serve nothing; set it to true"
        )
    if not config.allow_paths:
        (config.data_dir / "files").mkdir(parents=True, exist_ok=True)
    for root in config.allow_paths:
        if not root.is_dir():
            raise NodeStartError(f"--allow-path {root}: no such folder; create it first")
    roots = resolve_roots(config.confinement_roots())
    for key_file in config.key_files:
        check_key_file(key_file, roots)


def check_key_file(path: Path, roots: list[Path]) -> None:
    """Raise `NodeStartError` for a key file the node cannot read, or one that jobs could read.

    A job may read any file under the allowed folders and send its content elsewhere
    (to a Jdbc sink, say), so a key file there would give the key to every client.
    """
    try:
        with path.open("rb"):
            pass
    except FileNotFoundError:
        raise NodeStartError(
            f"key file {path}: no such file; create a key with `stconfig keygen {path}`"
        ) from None
    except OSError as exc:
        raise NodeStartError(f"key file {path}: cannot be read: {exc.strerror}") from None
    resolved = Path(os.path.realpath(path))
    for root in roots:
        if resolved.is_relative_to(root):
            raise NodeStartError(
                f"key file {path} is inside {root}, a folder that submitted jobs may read, "
                "so any client could read the key; move the key file out of that folder"
            )


def bind(app: Any, config: NodeConfig) -> Any:
    """Create the waitress server on the first free port, honouring auto-increment."""
    tries = config.port_count if config.auto_increment and config.port else 1
    for offset in range(max(tries, 1)):
        port = config.port + offset if config.port else 0
        try:
            server = waitress.create_server(
                app,
                host=config.host,
                port=port,
                threads=config.threads,
                max_request_body_size=config.max_body_bytes + BODY_LIMIT_SLACK_BYTES,
                ident="stconfig",
                clear_untrusted_proxy_headers=True,
            )
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise NodeStartError(
                    f"cannot listen on {config.host}:{port}: {exc.strerror}"
                ) from None
            logger.warning("port %d is busy; trying port %d", port, port + 1)
            continue
        server.channel_class = JsonErrorChannel
        if offset:
            logger.warning("port %d was busy, so the node uses port %d", config.port, port)
        return server
    last = config.port + max(tries, 1) - 1
    raise NodeStartError(
        f"no free port in {config.port}-{last}; stop what uses them, or choose --port"
    )


def _stop_on_signals() -> Any:
    """Make SIGTERM end `server.run()` the way Ctrl-C does; return a function that undoes it."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        logger.info("received %s", signal.Signals(signum).name)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def _log_settings(config: NodeConfig, port: int) -> None:
    """Log the settings that change what clients may do, and the config keys the node ignores."""
    if config.key_files:
        logger.info(
            "jobs are decrypted with the key files: %s",
            ", ".join(str(path) for path in config.key_files),
        )
    if config.read_only:
        logger.info("read-only (--read-only): submit, stop and encrypt requests get 403")
    if config.ignored_http_keys:
        url = f"http://{_url_host(config.host)}:{port}"
        logger.warning(
            "the node ignores %s in its config: it opens no separate port for SeaTunnel's "
            "v2 REST API, but serves v2 at %s/ and v1 at %s%s/ on the same port",
            ", ".join(config.ignored_http_keys),
            url,
            url,
            V1_PREFIX,
        )


def _warn_if_exposed(config: NodeConfig) -> None:
    try:
        loopback = ipaddress.ip_address(config.host).is_loopback
    except ValueError:
        loopback = config.host == "localhost"
    if not loopback and not config.has_auth:
        logger.warning(
            "the node listens on %s without authentication: anyone who can reach this port "
            "can run jobs; set STCONFIG_AUTH_TOKEN or basic auth, or bind 127.0.0.1",
            config.host,
        )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
