"""Faults inside the node become 500 JSON bodies, and settings that expose the node warn."""

from __future__ import annotations

import io
import json
import logging
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from stconfig.server.app import create_app
from stconfig.server.config import NodeConfig
from stconfig.server.node import Node
from stconfig.server.serve import _warn_if_exposed
from tests.server.nodes import V1, NodeProcess


def call_app(app, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    """Call a WSGI app directly, as a server would, and return status, headers and body."""
    captured: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        captured["status"] = status
        captured["headers"] = dict(headers)

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5801",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    body = b"".join(app(environ, start_response))
    return str(captured["status"]), captured["headers"], body


def test_store_failure_is_500_json(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = NodeConfig(data_dir=tmp_path / "data")
    (config.data_dir / "files").mkdir(parents=True)
    node = Node(config)
    app = create_app(node, config)
    node.store.close()

    with caplog.at_level(logging.ERROR, logger="stconfig.server.app"):
        status, headers, body = call_app(app, "GET", f"{V1}/running-jobs")

    assert status.startswith("500")
    assert headers["Content-Type"] == "application/json"
    reply = json.loads(body)
    assert reply["status"] == "fail"
    assert "node log" in reply["message"]
    assert "Traceback" not in body.decode()
    assert "GET /hazelcast/rest/maps/running-jobs failed" in caplog.text
    node.monitor.close()


@pytest.mark.parametrize(
    ("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False), ("::1", False)]
)
def test_exposed_bind_warns_without_auth(
    host: str, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="stconfig.server.serve"):
        _warn_if_exposed(NodeConfig(host=host))
        _warn_if_exposed(NodeConfig(host=host, auth_token="t"))

    assert caplog.text.count("without authentication") == (1 if warned else 0)


def test_sigint_stops_node_cleanly(node_factory: Callable[..., NodeProcess]) -> None:
    node = node_factory()

    node.process.send_signal(signal.SIGINT)

    assert node.process.wait(timeout=20) == 0
    assert "received SIGINT" in node.log()
    assert "stopped" in node.log().splitlines()[-1]
