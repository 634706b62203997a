"""Measure the REST node on loopback, against a floor app on the same WSGI server.

The node tracks 100 running jobs (real streaming jobs in worker processes) and 10,000
ended ones (written to its store before it starts, as a node that ran them would have).
Measured in one run:

- `GET running-jobs` at 16 connections: throughput and p99, for the node and for the
  floor. The floor is a Bottle app on waitress with the same thread count that returns
  the same bytes precomputed, and the ratio is node / floor;
- `GET finished-jobs` with 10,000 ended jobs: median time of one request;
- submit-job until job-info reports RUNNING: median, for a Console job and for a
  LocalFile job whose path goes through the allowed-folder check;
- the idle RSS of a fresh node.

Usage: python benchmarks/bench_rest.py [--duration SECONDS] [--rounds N] [--running N]
       [--jobs-on-peer]
Uses wrk when it is installed (Debian package `wrk`), else a Python load generator.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

V1 = "/hazelcast/rest/maps"
CONNECTIONS = 16
RUNNING_JOBS = 100
ENDED_JOBS = 10_000
SUBMITS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3, help="load runs per server")
    parser.add_argument("--running", type=int, default=RUNNING_JOBS, help="running jobs to track")
    parser.add_argument(
        "--jobs-on-peer",
        action="store_true",
        help="run the jobs on a second node that shares the store, so the measured node "
        "only lists them",
    )
    parser.add_argument(
        "--floor", nargs=2, metavar=("PORT_FILE", "BODY_FILE"), help=argparse.SUPPRESS
    )
    options = parser.parse_args()
    if options.floor:
        serve_floor(Path(options.floor[0]), Path(options.floor[1]))
        return
    with tempfile.TemporaryDirectory(prefix="stconfig-bench-") as scratch:
        run(Path(scratch), options.duration, options.rounds, options.running, options.jobs_on_peer)


def run(scratch: Path, duration: int, rounds: int, running_count: int, jobs_on_peer: bool) -> None:
    idle_rss = measure_idle_rss(scratch / "idle")
    data_dir = scratch / "data"
    seed_ended_jobs(data_dir, ENDED_JOBS)
    node = Node(data_dir)
    peer = Node(data_dir, "peer") if jobs_on_peer else node
    try:
        running = [peer.submit(streaming_job()) for _ in range(running_count)]
        for job_id in running:
            node.wait_running(job_id)
        body = node.get(f"{V1}/running-jobs")
        assert len(json.loads(body)) == running_count
        finished_ms = time_requests(node.port, f"{V1}/finished-jobs", 20)
        finished_count = len(json.loads(node.get(f"{V1}/finished-jobs")))
        floor = Floor(scratch, body)
        try:
            node_runs, floor_runs = [], []
            for _ in range(rounds):
                node_runs.append(load(node.port, f"{V1}/running-jobs", duration))
                floor_runs.append(load(floor.port, "/running-jobs", duration))
        finally:
            floor.stop()
        for job_id in running:
            node.post(f"{V1}/stop-job", {"jobId": job_id})
        console_ms = submit_latencies(node, streaming_job)
        confined_ms = submit_latencies(node, lambda: local_file_job(data_dir / "files" / "out"))
    finally:
        node.stop()
        if peer is not node:
            peer.stop()
    where = "on a second node sharing the store" if jobs_on_peer else "on the measured node"
    print(f"running jobs tracked: {running_count}, running {where}")
    report(
        idle_rss,
        len(body),
        finished_count,
        finished_ms,
        node_runs,
        floor_runs,
        console_ms,
        confined_ms,
    )


def report(
    idle_rss: int,
    body_size: int,
    finished_count: int,
    finished_ms: list[float],
    node_runs: list[tuple[float, float]],
    floor_runs: list[tuple[float, float]],
    console_ms: list[float],
    confined_ms: list[float],
) -> None:
    node_rps = statistics.median(r for r, _ in node_runs)
    floor_rps = statistics.median(r for r, _ in floor_runs)
    node_p99 = statistics.median(p for _, p in node_runs)
    floor_p99 = statistics.median(p for _, p in floor_runs)
    print(
        f"load generator: {'wrk' if shutil.which('wrk') else 'python'}, {CONNECTIONS} connections"
    )
    print(f"running-jobs body: {body_size} bytes")
    print(f"GET running-jobs  node:  {node_rps:8.0f} rps  p99 {node_p99:6.1f} ms  runs {node_runs}")
    print(
        f"GET running-jobs  floor: {floor_rps:8.0f} rps  p99 {floor_p99:6.1f} ms  runs {floor_runs}"
    )
    print(f"node / floor throughput: {node_rps / floor_rps:.2f}x  (target >= 0.7x, p99 < 50 ms)")
    print(
        f"GET finished-jobs ({finished_count} ended jobs): "
        f"median {statistics.median(finished_ms):.1f} ms"
        f"  max {max(finished_ms):.1f} ms  (target < 200 ms)"
    )
    print(
        f"submit-job until RUNNING, Console sink:   median {statistics.median(console_ms):.1f} ms"
        f"  (target < 150 ms)"
    )
    print(
        f"submit-job until RUNNING, LocalFile sink: median {statistics.median(confined_ms):.1f} ms"
        "  (its path is checked against the allowed folders)"
    )
    print(
        f"allowed-folder check of that job, in-process: {confinement_cost_us():.1f} us per submit"
    )
    print(f"idle node RSS: {idle_rss / 1024 / 1024:.1f} MB  (target < 80 MB)")


def confinement_cost_us() -> float:
    """Time `confine_job` alone on the LocalFile job, in microseconds per call."""
    import timeit

    from stconfig.server.confinement import confine_job, resolve_roots

    with tempfile.TemporaryDirectory() as folder:
        roots = resolve_roots([Path(folder)])
        job = local_file_job(Path(folder) / "out")
        calls = 2000
        seconds = min(timeit.repeat(lambda: confine_job(job, roots), number=calls, repeat=5))
    return seconds / calls * 1e6


class Node:
    """A `stconfig serve` process on an ephemeral loopback port."""

    def __init__(self, data_dir: Path, label: str = "node") -> None:
        self.log_path = data_dir.parent / f"{data_dir.name}-{label}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "stconfig",
                    "serve",
                    "--port",
                    "0",
                    "--data-dir",
                    str(data_dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.port = wait_for_port(self.log_path, self.process)

    def request(self, method: str, path: str, body: object = None) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = json.dumps(body).encode() if body is not None else None
            connection.request(method, path, body=data)
            response = connection.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
            return payload
        finally:
            connection.close()

    def get(self, path: str) -> bytes:
        return self.request("GET", path)

    def post(self, path: str, body: object) -> bytes:
        return self.request("POST", path, body)

    def submit(self, job: dict) -> int:
        return json.loads(self.post(f"{V1}/submit-job", job))["jobId"]

    def status(self, job_id: int) -> str:
        return json.loads(self.get(f"{V1}/job-info/{job_id}")).get("jobStatus", "")

    def wait_running(self, job_id: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.status(job_id) != "RUNNING":
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job_id} did not reach RUNNING")
            time.sleep(0.002)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)


def wait_for_port(log_path: Path, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log_path.read_text())
        if match:
            return int(match.group(1))
        if process.poll() is not None:
            raise RuntimeError(log_path.read_text())
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start")


def seed_ended_jobs(data_dir: Path, count: int) -> None:
    """Write ended jobs to a store, as the node records them when jobs end."""
    import orjson

    from stconfig.server import render
    from stconfig.server.engine import build_dag, empty_metrics
    from stconfig.server.store import JobRow, Store

    store = Store(data_dir)
    now = time.time()
    metrics = empty_metrics()
    metrics["SourceReceivedCount"] = metrics["SinkWriteCount"] = "100"
    for index in range(count):
        dag = build_dag(batch_job(), 0)

        def build(job_id: int, dag: dict = dag, index: int = index) -> JobRow:
            dag["jobId"] = str(job_id)
            return JobRow(
                job_id=job_id,
                name=f"history-{index}",
                status="FINISHED",
                ended=False,
                node_id="seed",
                create_time=now - 60,
                finish_time=None,
                start_with_savepoint=False,
                env_options=orjson.dumps(render.env_options({"job.mode": "BATCH"})),
                job_dag=orjson.dumps(dag),
                metrics=orjson.dumps(metrics),
                error_msg=None,
            )

        job_id = store.insert_job(build)
        store.end_job(
            job_id,
            "FINISHED",
            finish_time=now - 30 + index / 1000,
            error_msg=None,
            metrics=None,
            summary_builder=render.finished_summary,
        )
    store.close()


def batch_job() -> dict:
    return {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 100,
                "schema": {"fields": {"name": "string", "age": "int"}},
            }
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": "fake"}],
    }


def streaming_job() -> dict:
    return {
        "env": {"job.mode": "STREAMING"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 1,
                "split.read-interval": 60000,
                "schema": {"fields": {"id": "int"}},
            }
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": "fake"}],
    }


def local_file_job(path: Path) -> dict:
    job = streaming_job()
    job["sink"] = [
        {
            "plugin_name": "LocalFile",
            "plugin_input": "fake",
            "path": str(path),
            "file_format_type": "json",
        }
    ]
    return job


def submit_latencies(node: Node, make_job) -> list[float]:
    latencies = []
    for _ in range(SUBMITS):
        started = time.perf_counter()
        job_id = node.submit(make_job())
        node.wait_running(job_id)
        latencies.append((time.perf_counter() - started) * 1000)
        node.post(f"{V1}/stop-job", {"jobId": job_id})
    return latencies


def time_requests(port: int, path: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        connection.request("GET", path)
        connection.getresponse().read()
        timings.append((time.perf_counter() - started) * 1000)
        connection.close()
    return timings


def measure_idle_rss(data_dir: Path) -> int:
    import psutil

    node = Node(data_dir)
    try:
        node.get(f"{V1}/running-jobs")
        time.sleep(2)
        return psutil.Process(node.process.pid).memory_info().rss
    finally:
        node.stop()


class Floor:
    """The floor: a Bottle app on waitress returning the node's bytes, precomputed."""

    def __init__(self, scratch: Path, body: bytes) -> None:
        body_file = scratch / "floor-body.json"
        body_file.write_bytes(body)
        port_file = scratch / "floor-port"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--floor", str(port_file), str(body_file)]
        )
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("floor server did not start")
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def serve_floor(port_file: Path, body_file: Path) -> None:
    import bottle
    import waitress

    from stconfig.server.config import DEFAULT_THREADS

    body = body_file.read_bytes()
    app = bottle.Bottle()

    @app.get("/running-jobs")
    def running_jobs() -> bytes:
        bottle.response.content_type = "application/json"
        return body

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=DEFAULT_THREADS)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    port_file.write_text(str(server.effective_port))
    server.run()


def load(port: int, path: str, duration: int) -> tuple[float, float]:
    """Return (requests per second, p99 latency in ms) at CONNECTIONS connections."""
    url = f"http://127.0.0.1:{port}{path}"
    if shutil.which("wrk"):
        return wrk(url, duration)
    return python_load(port, path, duration)


def wrk(url: str, duration: int) -> tuple[float, float]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "5s",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in output or "Socket errors" in output:
        print(output, file=sys.stderr)
    return round(rps), round(float(value) * scale, 2)


def python_load(port: int, path: str, duration: int) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        own = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection.request("GET", path)
            connection.getresponse().read()
            own.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return round(len(latencies) / duration), round(latencies[int(len(latencies) * 0.99)], 2)


if __name__ == "__main__":
    main()
