"""The node's own key files: decrypting submitted jobs, encrypt-config, and start-up checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_stconfig
from tests.server.nodes import V1, NodeProcess, batch_job

ENDED = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")
PASSWORD = "pw-only-in-the-job-9c1e"
START_FAILURE_TIMEOUT_SECONDS = 60


@pytest.fixture(autouse=True)
def no_environment_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep STCONFIG_AES_KEY out of the nodes, so only key files can decrypt."""
    monkeypatch.delenv("STCONFIG_AES_KEY", raising=False)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A key file outside every folder that submitted jobs may use."""
    folder = tmp_path / "keys"
    folder.mkdir()
    path = folder / "node.key"
    result = run_stconfig("keygen", str(path))
    assert result.returncode == 0, result.stderr
    return path


def aes_job() -> dict:
    job = batch_job(**{"shade.identifier": "aes"})
    job["source"][0]["username"] = "reader"
    job["source"][0]["password"] = PASSWORD
    return job


def encrypted_job(tmp_path: Path, key_file: Path) -> dict:
    """Encrypt `aes_job()` with `stconfig encrypt`, as a user would before submitting it."""
    plain = tmp_path / "job.json"
    plain.write_text(json.dumps(aes_job()), encoding="utf-8")
    result = run_stconfig("encrypt", str(plain), "--key-file", str(key_file))
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["source"][0]["password"].startswith("aes:v1:")
    return job


def key_text(key_file: Path) -> str:
    return key_file.read_text(encoding="utf-8").strip()


def serve_expecting_failure(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `stconfig serve` with settings it must reject before it listens."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "stconfig",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=START_FAILURE_TIMEOUT_SECONDS,
    )


def test_key_file_decrypts_aes_job(node_factory, tmp_path: Path, key_file: Path) -> None:
    job = encrypted_job(tmp_path, key_file)
    node: NodeProcess = node_factory("--key-file", str(key_file))

    reply = node.post(f"{V1}/submit-job", job)

    assert reply.status == 200, reply.body
    info = node.wait_for_status(reply.json["jobId"], ENDED)
    assert info["jobStatus"] == "FINISHED", info
    assert PASSWORD not in json.dumps(info)
    assert node.stop() == 0
    log = node.log()
    assert PASSWORD not in log
    assert key_text(key_file) not in log
    assert f"jobs are decrypted with the key files: {key_file}" in log


def test_aes_job_without_node_key_is_400(node: NodeProcess, tmp_path: Path, key_file: Path) -> None:
    reply = node.post(f"{V1}/submit-job", encrypted_job(tmp_path, key_file))

    assert reply.status == 400
    assert "aes" in reply.json["message"]
    assert node.get(f"{V1}/running-jobs").json == []


def test_key_files_from_node_config(node_factory, tmp_path: Path, key_file: Path) -> None:
    config = tmp_path / "node.yaml"
    config.write_text("stconfig:\n  key-files:\n    - keys/node.key\n", encoding="utf-8")
    node: NodeProcess = node_factory("--config", str(config))

    reply = node.post(f"{V1}/submit-job", encrypted_job(tmp_path, key_file))

    assert reply.status == 200, reply.body
    assert node.wait_for_status(reply.json["jobId"], ENDED)["jobStatus"] == "FINISHED"


def test_encrypt_config_uses_node_key(node_factory, tmp_path: Path, key_file: Path) -> None:
    node: NodeProcess = node_factory("--key-file", str(key_file))

    reply = node.post(f"{V1}/encrypt-config", aes_job())

    assert reply.status == 200, reply.body
    assert PASSWORD not in reply.body.decode()
    assert key_text(key_file) not in reply.body.decode()
    encrypted = tmp_path / "encrypted.json"
    encrypted.write_text(reply.body.decode(), encoding="utf-8")
    decrypted = run_stconfig("decrypt", str(encrypted), "--key-file", str(key_file))
    assert decrypted.returncode == 0, decrypted.stderr
    assert json.loads(decrypted.stdout)["source"][0]["password"] == PASSWORD


def test_missing_key_file_stops_start(tmp_path: Path) -> None:
    missing = tmp_path / "absent.key"

    result = serve_expecting_failure(tmp_path, "--key-file", str(missing))

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"error: key file {missing}: no such file" in result.stderr


def test_key_file_inside_allowed_folder_stops_start(tmp_path: Path, key_file: Path) -> None:
    allowed = key_file.parent

    result = serve_expecting_failure(
        tmp_path, "--allow-path", str(allowed), "--key-file", str(key_file)
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert f"key file {key_file} is inside {allowed.resolve()}" in result.stderr
    assert key_text(key_file) not in result.stderr
