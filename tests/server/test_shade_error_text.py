"""The node and `stconfig submit` return shade errors with their words intact."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_stconfig
from tests.server.nodes import V1, NodeProcess, batch_job

WRONG_KEY_MESSAGE = (
    "source[0].password: cannot decrypt with the aes shade: the aes token does not "
    "decrypt with any of the configured keys"
)


def job_with_foreign_token() -> dict:
    """A job whose password is an aes token that no key of the node decrypts."""
    job = batch_job(**{"shade.identifier": "aes"})
    job["source"][0]["password"] = "aes:v1:" + "A" * 40
    return job


def node_with_key(node_factory: Callable[..., NodeProcess]) -> NodeProcess:
    key = base64.b64encode(os.urandom(32)).decode("ascii")
    return node_factory(env={"STCONFIG_AES_KEY": key})


def test_decrypt_error_keeps_its_words(node_factory: Callable[..., NodeProcess]) -> None:
    node = node_with_key(node_factory)
    reply = node.post(f"{V1}/submit-job", job_with_foreign_token())
    assert reply.status == 400
    message = reply.json["message"]
    assert WRONG_KEY_MESSAGE in message
    assert "password: ******" not in message


def test_no_key_error_names_node_environment(node: NodeProcess) -> None:
    reply = node.post(f"{V1}/submit-job", job_with_foreign_token())
    assert reply.status == 400
    message = reply.json["message"]
    assert "source[0].password: cannot decrypt with the aes shade: no AES key found" in message
    assert "start the node with --key-file FILE (for a submitted job)" in message
    assert "keygen" not in message


def test_submit_prints_decrypt_error(
    node_factory: Callable[..., NodeProcess], tmp_path: Path
) -> None:
    node = node_with_key(node_factory)
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job_with_foreign_token()), encoding="utf-8")
    result = run_stconfig("submit", "--url", f"http://127.0.0.1:{node.port}", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert WRONG_KEY_MESSAGE in result.stderr
    assert "password: ******" not in result.stderr
