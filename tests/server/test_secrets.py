"""Secrets stay inside the node: not in responses, not in the log, not in the store."""

from __future__ import annotations

import sqlite3

from tests.server.nodes import V1, NodeProcess, batch_job, streaming_job

ENDED = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")
PLAINTEXT = "secret-1"
USER = "user1"


def encoded_job(job: dict) -> dict:
    job["env"]["shade.identifier"] = "base64"
    job["source"][0]["username"] = "dXNlcjE="
    job["source"][0]["password"] = "c2VjcmV0LTE="
    return job


def assert_no_secret(text: str) -> None:
    assert PLAINTEXT not in text
    assert "c2VjcmV0LTE=" not in text


def test_encrypted_json_and_hocon_jobs_hide_secrets(node: NodeProcess) -> None:
    hocon = """
    env { job.mode = "STREAMING", shade.identifier = "base64" }
    source { FakeSource { plugin_output = "t", row.num = 1000000, split.read-interval = 100,
                          username = "dXNlcjE=", password = "c2VjcmV0LTE=",
                          schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    from_json = node.submit(encoded_job(streaming_job()))
    from_hocon = node.post(f"{V1}/submit-job?format=hocon", hocon)
    assert from_hocon.status == 200, from_hocon.body
    node.wait_for_status(from_json, ("RUNNING",))
    node.wait_for_status(from_hocon.json["jobId"], ("RUNNING",))

    running = node.get(f"{V1}/running-jobs")
    assert_no_secret(running.body.decode())
    for job in running.json:
        assert job["jobDag"]
        source_vertex_text = str(job)
        assert PLAINTEXT not in source_vertex_text
    info = node.job_info(from_json)
    assert_no_secret(str(info))

    for job_id in (from_json, from_hocon.json["jobId"]):
        node.post(f"{V1}/stop-job", {"jobId": job_id})
        node.wait_for_status(job_id, ENDED)
    assert_no_secret(node.get(f"{V1}/finished-jobs").body.decode())
    assert node.stop() == 0
    assert_no_secret(node.log())
    store_bytes = b"".join(path.read_bytes() for path in node.data_dir.glob("stconfig-node.db*"))
    assert PLAINTEXT.encode() not in store_bytes


def test_plaintext_password_is_masked(node: NodeProcess) -> None:
    job = batch_job(**{"job.name": "masked"})
    job["sink"][0]["password"] = PLAINTEXT
    job_id = node.submit(job)
    node.wait_for_status(job_id, ENDED)

    info = node.get(f"{V1}/job-info/{job_id}").body.decode()
    assert PLAINTEXT not in info
    listing = node.get(f"{V1}/finished-jobs").body.decode()
    assert PLAINTEXT not in listing
    assert node.stop() == 0
    assert PLAINTEXT not in node.log()
    with sqlite3.connect(node.data_dir / "stconfig-node.db") as connection:
        rows = connection.execute("SELECT * FROM jobs").fetchall()
    assert PLAINTEXT not in repr(rows)


def test_invalid_job_errors_hide_secrets(node: NodeProcess) -> None:
    job = {
        "env": {"job.mode": "BATCH"},
        "source": [{"plugin_name": "FakeSource", "row.num": 1, "password": PLAINTEXT}],
        "sink": [{"plugin_name": "Console"}],
    }
    reply = node.post(f"{V1}/submit-job", job)

    assert reply.status == 400
    assert PLAINTEXT not in reply.body.decode()


def test_unknown_shade_is_400(node: NodeProcess) -> None:
    job = batch_job(**{"shade.identifier": "myprotection"})
    job["source"][0]["password"] = PLAINTEXT
    reply = node.post(f"{V1}/submit-job", job)

    assert reply.status == 400
    assert "myprotection" in reply.json["message"]
    assert PLAINTEXT not in reply.body.decode()
    assert node.get(f"{V1}/running-jobs").json == []
