"""A small stand-in for a SeaTunnel Zeta node's v1 REST API, with the responses of SeaTunnel 2.3.8.

It differs from stconfig's node where SeaTunnel does: job ids are JSON strings, ended
jobs carry `finishTime`, running jobs have no `envOptions` on v1, stopping an unknown job
returns 200, and an unknown `finished-jobs` state gives `[]`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/hazelcast/rest/maps/"
FIRST_ID = 733584788375666689
METRICS = {"SourceReceivedCount": "100", "SinkWriteCount": "100", "SourceReceivedQPS": "0.0"}
DAG = {"jobId": "", "pipelineEdges": {}, "envOptions": {}, "vertexInfoMap": []}


@dataclass
class StandinState:
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: list[Any] = field(default_factory=list)
    stops: list[Any] = field(default_factory=list)
    next_id: int = FIRST_ID


class StandinHandler(BaseHTTPRequestHandler):
    state: StandinState

    def log_message(self, format: str, *args: Any) -> None:
        return

    def reply(self, status: int, value: Any) -> None:
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path[len(PREFIX) :] if self.path.startswith(PREFIX) else None
        if path is None:
            self.reply(404, {"status": "fail", "message": "not found"})
        elif path.startswith("running-jobs"):
            self.reply(200, [job for job in self.state.jobs.values() if "finishTime" not in job])
        elif path.startswith("finished-jobs"):
            state = path[len("finished-jobs/") :].upper() if "/" in path else ""
            ended = [job for job in self.state.jobs.values() if "finishTime" in job]
            self.reply(200, [job for job in ended if not state or job["jobStatus"] == state])
        elif path.startswith(("job-info/", "running-job/")):
            job_id = path.split("/", 1)[1]
            if not job_id.isdigit():
                self.reply(400, {"status": "fail", "message": f'For input string: "{job_id}"'})
            else:
                self.reply(200, self.state.jobs.get(job_id, {"jobId": job_id}))
        elif path.startswith("system-monitoring-information"):
            self.reply(
                200,
                [
                    {
                        "isMaster": "true",
                        "host": "localhost",
                        "port": "5801",
                        "processors": "8",
                        "physical.memory.total": "16.0G",
                        "physical.memory.free": "9.1G",
                        "heap.memory.used": "135.7M",
                        "load.process": "24.78%",
                        "load.system": "60.00%",
                        "thread.count": "117",
                    }
                ],
            )
        else:
            self.reply(404, {"status": "fail", "message": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            self.reply(400, {"status": "fail", "message": "Invalid JSON format in request body."})
            return
        if self.path.startswith(PREFIX + "submit-job"):
            self.submit(body)
        elif self.path.startswith(PREFIX + "stop-job"):
            self.state.stops.append(body)
            job = self.state.jobs.get(str(body.get("jobId")))
            if job is not None and "finishTime" not in job:
                job.update(jobStatus="CANCELED", errorMsg=None, finishTime="2024-10-23 20:06:00")
            self.reply(200, {"jobId": str(body.get("jobId"))})
        else:
            self.reply(404, {"status": "fail", "message": "not found"})

    def submit(self, body: dict[str, Any]) -> None:
        from urllib.parse import parse_qs, urlsplit

        self.state.bodies.append(body)
        query = parse_qs(urlsplit(self.path).query)
        job_id = str(self.state.next_id)
        self.state.next_id += 1
        name = query.get("jobName", [body.get("env", {}).get("job.name", "SeaTunnel_Job")])[0]
        self.state.jobs[job_id] = {
            "jobId": job_id,
            "jobName": name,
            "jobStatus": "RUNNING",
            "createTime": "2024-10-23 20:05:13",
            "jobDag": {**DAG, "jobId": job_id},
            "pluginJarsUrls": [],
            "isStartWithSavePoint": False,
            "metrics": METRICS,
        }
        self.reply(200, {"jobId": job_id, "jobName": name})


class Standin:
    """The stand-in server, running in a thread on an ephemeral loopback port."""

    def __init__(self) -> None:
        self.state = StandinState()
        handler = type("Handler", (StandinHandler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def finish(self, job_id: str, status: str, error: str | None = None) -> None:
        self.state.jobs[job_id].update(
            jobStatus=status, errorMsg=error, finishTime="2024-10-23 20:07:30"
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
