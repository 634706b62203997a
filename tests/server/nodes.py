"""A real `stconfig serve` process on an ephemeral loopback port, an HTTP helper, and jobs."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

V1 = "/hazelcast/rest/maps"
START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 20.0
_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class NodeProcess:
    """One node process started by a test."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    log_path: Path

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | dict | list | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Reply:
        """Send one request; dict and list bodies are sent as JSON."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False)
        if isinstance(body, str):
            body = body.encode("utf-8")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def submit(self, job: dict[str, Any], query: str = "") -> int:
        """Submit a job that must be accepted; return its id."""
        reply = self.post(f"{V1}/submit-job{query}", job)
        assert reply.status == 200, reply.body
        return reply.json["jobId"]

    def job_info(self, job_id: int | str) -> dict[str, Any]:
        reply = self.get(f"{V1}/job-info/{job_id}")
        assert reply.status == 200, reply.body
        return reply.json

    def wait_for_status(
        self, job_id: int, statuses: tuple[str, ...], timeout: float = 30.0
    ) -> dict[str, Any]:
        """Poll job-info until the job is in one of `statuses`; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        info: dict[str, Any] = {}
        while time.monotonic() < deadline:
            info = self.job_info(job_id)
            if info.get("jobStatus") in statuses:
                return info
            time.sleep(0.05)
        pytest.fail(f"job {job_id} did not reach {statuses} in {timeout} s; last: {info}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """Send SIGTERM and wait for the process; return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            pytest.fail(f"node on port {self.port} did not stop within {STOP_TIMEOUT_SECONDS} s")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT_SECONDS)


def start_node(
    data_dir: Path, *args: str, log_path: Path | None = None, env: dict[str, str] | None = None
) -> NodeProcess:
    """Start `stconfig serve` on an ephemeral port and wait until it reports the port."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_path or data_dir.parent / f"{data_dir.name}-{time.monotonic_ns()}.log"
    command = [
        sys.executable,
        "-m",
        "stconfig",
        "--log-level",
        "debug",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        *args,
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        match = _LISTENING.search(log_path.read_text(encoding="utf-8", errors="replace"))
        if match:
            return NodeProcess(process, int(match.group(1)), data_dir, log_path)
        if process.poll() is not None:
            pytest.fail(f"node exited with {process.returncode}:\n{log_path.read_text()}")
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=STOP_TIMEOUT_SECONDS)
    pytest.fail(
        f"node did not report its port within {START_TIMEOUT_SECONDS} s:\n{log_path.read_text()}"
    )


def batch_job(rows: int = 5, **env: Any) -> dict[str, Any]:
    """A FakeSource -> Console batch job in canonical JSON form."""
    return {
        "env": {"job.mode": "BATCH", **env},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": rows,
                "schema": {"fields": {"name": "string", "age": "int"}},
            }
        ],
        "transform": [],
        "sink": [{"plugin_name": "Console", "plugin_input": "fake"}],
    }


def streaming_job(**env: Any) -> dict[str, Any]:
    """A job that runs until it is stopped."""
    return {
        "env": {"job.mode": "STREAMING", "checkpoint.interval": 1000, **env},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 1000000,
                "split.read-interval": 100,
                "schema": {"fields": {"id": "int"}},
            }
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": "fake"}],
    }


# The example job of SeaTunnel's REST API description, byte for byte as the description shows it.
DESCRIPTION_SUBMIT_BODY = """{
"env": {
"job.mode": "batch"
},
"source": [
{
"plugin_name": "FakeSource",
"result_table_name": "fake",
"row.num": 100,
"schema": {
"fields": {
"name": "string",
"age": "int",
"card": "int"
}
}
}
],
"transform": [
],
"sink": [
{
"plugin_name": "Console",
"source_table_name": ["fake"]
}
]
}"""
