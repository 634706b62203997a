"""Malformed requests, oversized bodies and many concurrent clients against a real node."""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.nodes import V1, NodeProcess, batch_job, start_node

ENDED = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")
ENDPOINTS = (
    "running-jobs",
    "running-job",
    "job-info",
    "finished-jobs",
    "system-monitoring-information",
    "overview",
    "submit-job",
    "submit-jobs",
    "stop-job",
    "stop-jobs",
    "encrypt-config",
)
JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzz_node(tmp_path_factory: pytest.TempPathFactory) -> NodeProcess:
    config = tmp_path_factory.mktemp("fuzz-config") / "node.yaml"
    config.write_text("stconfig:\n  max-body-size: 65536\n")
    process = start_node(tmp_path_factory.mktemp("fuzz") / "data", "--config", str(config))
    yield process
    process.stop()


def job_like_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that look like jobs but break them: wrong types, missing blocks, bad values."""
    plugin = st.fixed_dictionaries(
        {
            "plugin_name": st.sampled_from(["FakeSource", "Console", "LocalFile", "Jdbc", "x"])
            | JSON_SCALARS
        },
        optional={
            "row.num": JSON_VALUES,
            "path": JSON_VALUES,
            "url": JSON_VALUES,
            "schema": JSON_VALUES,
        },
    )
    job = st.fixed_dictionaries(
        {},
        optional={
            "env": st.dictionaries(
                st.sampled_from(["job.mode", "shade.identifier", "parallelism"]), JSON_VALUES
            )
            | JSON_VALUES,
            "source": st.lists(plugin, max_size=2) | JSON_VALUES,
            "sink": st.lists(plugin, max_size=2) | JSON_VALUES,
            "transform": st.lists(plugin, max_size=1) | JSON_VALUES,
        },
    )
    return st.one_of(
        st.binary(max_size=200),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
        job.map(lambda value: json.dumps(value).encode()),
        st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    )


paths = st.one_of(
    st.tuples(st.sampled_from([V1, ""]), st.sampled_from(ENDPOINTS), st.text(max_size=12)).map(
        lambda parts: f"{parts[0]}/{parts[1]}/{parts[2]}"
    ),
    st.sampled_from(ENDPOINTS).map(lambda name: f"{V1}/{name}"),
    st.text(alphabet="/abcdefghijklmnopqrstuvwxyz-_.%?=&0123456789", max_size=40).map(
        lambda p: "/" + p
    ),
)
queries = st.dictionaries(
    st.sampled_from(["jobId", "jobName", "isStartWithSavePoint", "format", "x"]),
    st.text(max_size=12) | st.integers().map(str),
    max_size=3,
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
    path=paths,
    query=queries,
    body=job_like_bodies(),
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
    ),
)
def test_malformed_requests_get_4xx_json(
    fuzz_node: NodeProcess,
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes,
    content_type: str,
) -> None:
    from urllib.parse import quote, urlencode

    target = quote(path, safe="/%?=&") + (("?" + urlencode(query)) if query else "")
    headers = {"Content-Type": content_type} if content_type else {}
    reply = fuzz_node.request(method, target, body=body or None, headers=headers, timeout=30)

    assert reply.status < 500, (method, target, body, reply.body)
    if method != "HEAD" and reply.status >= 400:
        assert reply.headers["Content-Type"].startswith("application/json")
        assert json.loads(reply.body)["status"] == "fail"


def test_node_survives_fuzzing(fuzz_node: NodeProcess) -> None:
    assert fuzz_node.process.poll() is None
    assert fuzz_node.get(f"{V1}/overview").status == 200


def test_body_over_limit_is_413_json(fuzz_node: NodeProcess) -> None:
    big = {"env": {"job.mode": "BATCH", "padding": "x" * 70000}, "source": [], "sink": []}

    reply = fuzz_node.post(f"{V1}/submit-job", big)

    assert reply.status == 413
    assert reply.headers["Content-Type"].startswith("application/json")
    assert "65536" in reply.json["message"]


def test_chunked_body_over_limit_is_413_json(fuzz_node: NodeProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fuzz_node.port, timeout=30)
    try:
        connection.request(
            "POST",
            f"{V1}/submit-job",
            body=iter([b"{" + b" " * 70000 + b"}"]),
            encode_chunked=True,
            headers={"Transfer-Encoding": "chunked"},
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()

    assert response.status == 413
    assert json.loads(body)["status"] == "fail"


def test_large_body_under_default_limit_is_accepted(node: NodeProcess) -> None:
    job = batch_job()
    job["source"][0]["rows"] = [
        {"kind": "INSERT", "fields": [f"name-{index:06d}", index]} for index in range(5000)
    ]
    body = json.dumps(job).encode()
    assert len(body) > 200_000

    reply = node.post(f"{V1}/submit-job", body)

    assert reply.status == 200, reply.body[:200]


def test_200_submits_from_16_threads(tmp_path: Path) -> None:
    node = start_node(tmp_path / "data")
    stop_polling = threading.Event()
    poll_statuses: list[int] = []

    def poll_running_jobs() -> None:
        while not stop_polling.is_set():
            poll_statuses.append(node.get(f"{V1}/running-jobs", timeout=30).status)

    poller = threading.Thread(target=poll_running_jobs)
    poller.start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            ids = list(pool.map(lambda _: node.submit(batch_job(rows=1)), range(200)))
        for job_id in ids:
            node.wait_for_status(job_id, ENDED, timeout=120)
    finally:
        stop_polling.set()
        poller.join(timeout=60)
        exit_code = node.stop()

    assert len(set(ids)) == 200
    assert poll_statuses
    assert set(poll_statuses) == {200}
    assert exit_code == 0
    listed = [item["jobId"] for item in node_listing(node)]
    assert sorted(listed) == sorted(str(job_id) for job_id in ids)


def node_listing(stopped: NodeProcess) -> list[dict]:
    """List ended jobs from a fresh node on the same data directory."""
    again = start_node(stopped.data_dir)
    try:
        return again.get(f"{V1}/finished-jobs").json
    finally:
        again.stop()


def test_malformed_http_is_400_json(fuzz_node: NodeProcess) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", fuzz_node.port), timeout=30) as connection:
        connection.sendall(b"GET /overview HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk

    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["status"] == "fail"
