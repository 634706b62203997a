"""Node settings: SeaTunnel's YAML files, endpoint groups, authentication and ports."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from stconfig.errors import ConfigFileError
from stconfig.server.config import load_node_config
from tests.server.nodes import V1, batch_job


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_seatunnel_hazelcast_yaml_is_read(corpus: Path) -> None:
    config = load_node_config((corpus / "seatunnel" / "config" / "hazelcast.yaml",))

    assert config.port == 5801
    assert config.auto_increment is False
    assert config.rest_enabled is True
    assert config.data_enabled is True
    assert config.cluster_write_enabled is True


def test_seatunnel_yaml_history_limit_is_read(corpus: Path) -> None:
    config = load_node_config((corpus / "seatunnel" / "config" / "seatunnel.yaml",))

    assert config.history_expire_minutes == 1440


def test_description_network_block_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "hazelcast.yaml",
        "hazelcast:\n  network:\n    rest-api:\n      enabled: true\n      endpoint-groups:\n"
        "        CLUSTER_WRITE:\n          enabled: false\n        DATA:\n          enabled: true\n"
        "    port:\n      auto-increment: true\n      port-count: 7\n      port: 6801\n",
    )

    config = load_node_config((path,))

    assert (config.port, config.auto_increment, config.port_count) == (6801, True, 7)
    assert config.cluster_write_enabled is False


def test_command_line_wins_over_file(tmp_path: Path) -> None:
    path = write(tmp_path / "node.yaml", "hazelcast:\n  network:\n    port:\n      port: 6000\n")

    config = load_node_config((path,), overrides={"port": 7000, "host": None})

    assert config.port == 7000
    assert config.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hazelcast: [1, 2]\n", "hazelcast must be a mapping"),
        ("- a\n- b\n", "YAML mapping"),
        ("hazelcast:\n  network:\n    port:\n      port: seven\n", "must be an integer"),
        ("hazelcast:\n  network:\n    port:\n      port: 99999\n", "not in 0-65535"),
        ("stconfig:\n  max-body-size: [1]\n", "stconfig.max-body-size must be an integer"),
        ("a: [\n", "node.yaml:"),
    ],
)
def test_bad_node_config_names_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "node.yaml", text)

    with pytest.raises(ConfigFileError) as caught:
        load_node_config((path,))

    assert expected in str(caught.value)


def test_missing_config_file_exits_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stconfig", "serve", "--config", str(tmp_path / "absent.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "absent.yaml: no such node config file" in result.stderr


def test_rest_disabled_exits_1(tmp_path: Path) -> None:
    path = write(
        tmp_path / "node.yaml", "hazelcast:\n  network:\n    rest-api:\n      enabled: false\n"
    )

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stconfig",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            "--config",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "rest-api.enabled" in result.stderr


def test_data_group_disabled_is_403(node_factory, tmp_path: Path) -> None:
    path = write(
        tmp_path / "node.yaml",
        "hazelcast:\n  network:\n    rest-api:\n      endpoint-groups:\n        DATA:\n"
        "          enabled: false\n",
    )
    node = node_factory("--config", str(path))

    for reply in (
        node.get(f"{V1}/running-jobs"),
        node.get("/job-info/1"),
        node.post(f"{V1}/submit-job", batch_job()),
    ):
        assert reply.status == 403
        assert "DATA" in reply.json["message"]
    assert node.get(f"{V1}/system-monitoring-information").status == 200


def test_cluster_write_disabled_is_403(node_factory, tmp_path: Path) -> None:
    path = write(
        tmp_path / "node.yaml",
        "hazelcast:\n  network:\n    rest-api:\n      endpoint-groups:\n        CLUSTER_WRITE:\n"
        "          enabled: false\n",
    )
    node = node_factory("--config", str(path))

    for endpoint in ("submit-job", "stop-job", "encrypt-config"):
        reply = node.post(f"{V1}/{endpoint}", batch_job())
        assert reply.status == 403, endpoint
        assert reply.json["message"] == (
            f"{endpoint} is disabled on this node, because the endpoint group CLUSTER_WRITE "
            "is disabled in the node config "
            "(hazelcast.network.rest-api.endpoint-groups.CLUSTER_WRITE.enabled is false)"
        )
    assert node.get(f"{V1}/running-jobs").status == 200


def test_read_only_flag_is_403_on_writes(node_factory) -> None:
    node = node_factory("--read-only")

    for endpoint in ("submit-job", "stop-job", "encrypt-config"):
        reply = node.post(f"{V1}/{endpoint}", batch_job())
        assert reply.status == 403, endpoint
        assert reply.json["message"] == (
            f"{endpoint} is disabled on this node, because the node was started with --read-only"
        )
    assert node.get(f"{V1}/finished-jobs").status == 200


def test_read_only_and_config_name_both(node_factory, tmp_path: Path) -> None:
    path = write(
        tmp_path / "node.yaml",
        "hazelcast:\n  network:\n    rest-api:\n      endpoint-groups:\n        CLUSTER_WRITE:\n"
        "          enabled: false\n",
    )
    node = node_factory("--read-only", "--config", str(path))

    message = node.post(f"{V1}/submit-job", batch_job()).json["message"]

    assert "started with --read-only" in message
    assert "CLUSTER_WRITE.enabled is false" in message


def test_seatunnel_http_keys_are_warned_once(node_factory, tmp_path: Path) -> None:
    path = write(
        tmp_path / "seatunnel.yaml",
        "seatunnel:\n  engine:\n    http:\n      enable-http: true\n      port: 8080\n"
        "      context-path: /seatunnel\n      enable-basic-auth: false\n",
    )
    node = node_factory("--config", str(path))

    log = node.log()
    warnings = [line for line in log.splitlines() if "seatunnel.engine.http" in line]
    assert len(warnings) == 1, log
    assert "WARNING" in warnings[0]
    assert (
        "ignores seatunnel.engine.http.enable-http, seatunnel.engine.http.port, "
        "seatunnel.engine.http.context-path"
    ) in warnings[0]
    assert "enable-basic-auth" not in warnings[0]
    assert f"serves v2 at http://127.0.0.1:{node.port}/" in warnings[0]
    assert node.get("/overview").status == 200
    assert node.get("/seatunnel/overview").status == 404


def test_node_without_http_keys_does_not_warn(node) -> None:
    assert "seatunnel.engine.http" not in node.log()


def test_bearer_token_auth(node_factory) -> None:
    node = node_factory(env={"STCONFIG_AUTH_TOKEN": "t0ken-value"})

    anonymous = node.get(f"{V1}/running-jobs")
    wrong = node.get(f"{V1}/running-jobs", headers={"Authorization": "Bearer nope"})
    right = node.get(f"{V1}/running-jobs", headers={"Authorization": "Bearer t0ken-value"})

    assert anonymous.status == 401
    assert anonymous.json["status"] == "fail"
    assert anonymous.json["message"].startswith("authentication required: send an Authorization")
    assert "www-authenticate" in {name.lower() for name in anonymous.headers}
    assert wrong.status == 401
    assert wrong.json["message"].startswith("invalid credentials: the bearer token")
    assert b"nope" not in wrong.body
    assert right.status == 200
    assert "t0ken-value" not in node.log()


def test_unaccepted_auth_scheme_is_invalid(node_factory) -> None:
    node = node_factory(env={"STCONFIG_AUTH_TOKEN": "t0ken-value"})

    reply = node.get(f"{V1}/running-jobs", headers={"Authorization": "Digest s3cret-attempt"})

    assert reply.status == 401
    assert reply.json["message"].startswith(
        "invalid credentials: the Authorization header uses a scheme this node does not accept"
    )
    assert "bearer token" in reply.json["message"]
    assert "basic-auth" not in reply.json["message"]
    assert b"s3cret-attempt" not in reply.body
    assert b"Digest" not in reply.body


def test_basic_auth_from_seatunnel_yaml(node_factory, tmp_path: Path) -> None:
    path = write(
        tmp_path / "seatunnel.yaml",
        "seatunnel:\n  engine:\n    http:\n      enable-basic-auth: true\n"
        "      basic-auth-username: ops\n      basic-auth-password: pa55word\n",
    )
    node = node_factory("--config", str(path))
    good = base64.b64encode(b"ops:pa55word").decode()
    bad = base64.b64encode(b"ops:n0t-the-pa55").decode()

    rejected = node.get("/overview", headers={"Authorization": f"Basic {bad}"})
    missing = node.get("/overview")

    assert node.get("/overview", headers={"Authorization": f"Basic {good}"}).status == 200
    assert rejected.status == 401
    assert rejected.json["message"].startswith("invalid credentials: the basic-auth user name")
    assert b"n0t-the-pa55" not in rejected.body
    assert bad.encode() not in rejected.body
    assert missing.status == 401
    assert missing.json["message"].startswith("authentication required")
    assert "basic-auth user name and password" in missing.json["message"]


def test_busy_port_moves_to_next(node_factory, tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        if busy >= 65535:
            pytest.skip("the ephemeral port is the last one; no next port to move to")
        path = write(
            tmp_path / "hazelcast.yaml",
            f"hazelcast:\n  network:\n    port:\n      auto-increment: true\n"
            f"      port-count: 5\n      port: {busy}\n",
        )
        command_port_free = start_node_with_port(tmp_path, path)
        try:
            assert command_port_free.port != busy
            assert busy < command_port_free.port <= busy + 4
            assert f"port {busy} was busy, so the node uses port {command_port_free.port}" in (
                command_port_free.log()
            )
        finally:
            command_port_free.stop()


def start_node_with_port(tmp_path: Path, config: Path):
    """Start a node whose port comes from the config file rather than --port 0."""
    import os
    import re
    import time

    from tests.server.nodes import NodeProcess

    log_path = tmp_path / "port.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stconfig",
                "serve",
                "--data-dir",
                str(tmp_path / "data"),
                "--config",
                str(config),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log_path.read_text())
        if match:
            return NodeProcess(process, int(match.group(1)), tmp_path / "data", log_path)
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=20)
    pytest.fail(log_path.read_text())
