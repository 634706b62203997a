"""An HTTP client for any node that speaks SeaTunnel's REST API: stconfig's own, or Zeta.

The client uses the v1 paths (`/hazelcast/rest/maps/...`), which both serve on port
5801. It accepts what either server sends: job ids as JSON strings (SeaTunnel) or
numbers (stconfig's `submit-job` and `stop-job`), and `finishTime` or `finishedTime`.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from stconfig.errors import StconfigError

DEFAULT_URL = "http://127.0.0.1:5801"
URL_VARIABLE = "STCONFIG_URL"
TOKEN_VARIABLE = "STCONFIG_AUTH_TOKEN"
USER_VARIABLE = "STCONFIG_AUTH_USER"
PASSWORD_VARIABLE = "STCONFIG_AUTH_PASSWORD"
V1_PREFIX = "/hazelcast/rest/maps"
# The states of a job that has ended, in SeaTunnel and in stconfig's node.
ENDED_STATES = ("FINISHED", "CANCELED", "FAILED", "UNKNOWABLE", "SAVEPOINT_DONE")


class NodeError(StconfigError):
    """A node that returned an error status for a request."""

    def __init__(
        self, message: str, status: int, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or []


class NodeUnavailableError(StconfigError):
    """A node that cannot be reached, or that responded with something other than JSON."""


@dataclass(frozen=True)
class StopOutcome:
    """The result of `stop_unless_ended`: a stop request sent, or the state of an ended job."""

    job_id: int
    requested: bool
    ended_status: str | None = None


def as_job_id(value: Any) -> int:
    """Read a job id sent as a JSON number or a decimal string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise NodeUnavailableError(f"the node sent {value!r} where a job id was expected")


def finish_time(job: dict[str, Any]) -> str | None:
    """Return an ended job's finish time under either name a node may use."""
    return job.get("finishTime") or job.get("finishedTime")


class NodeClient:
    """Calls to one node; each method returns the decoded JSON of the reply."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        timeout: float = 30.0,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StconfigError(f"--url {url!r} is not an http:// or https:// URL of a node")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = token or os.environ.get(TOKEN_VARIABLE)
        user = user or os.environ.get(USER_VARIABLE)
        password = password or os.environ.get(PASSWORD_VARIABLE)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user and password:
            pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {pair}"
        self.opener = _opener(parts.hostname)

    # Endpoints

    def submit(
        self,
        job: dict[str, Any],
        *,
        job_name: str | None = None,
        job_id: int | None = None,
        restore: bool = False,
    ) -> tuple[int, str]:
        """Submit a job given as its canonical JSON form; return its id and name."""
        query = {}
        if job_id is not None:
            query["jobId"] = str(job_id)
        if job_name:
            query["jobName"] = job_name
        if restore:
            query["isStartWithSavePoint"] = "true"
        reply = self._object(self.request("POST", "submit-job", body=job, query=query))
        return as_job_id(reply.get("jobId")), str(reply.get("jobName", job_name or ""))

    def stop(self, job_id: int, *, savepoint: bool = False) -> int:
        """Ask the node to stop a job, with a savepoint or not; return the job id."""
        body = {"jobId": job_id, "isStopWithSavePoint": savepoint}
        reply = self._object(self.request("POST", "stop-job", body=body))
        return as_job_id(reply.get("jobId", job_id))

    def stop_unless_ended(self, job_id: int, *, savepoint: bool = False) -> StopOutcome:
        """Stop a job unless job-info shows that it has already ended.

        SeaTunnel and stconfig's node both return 200 for a stop of an ended job, so
        only job-info distinguishes a stopped job from one that had already ended. Raises
        `StconfigError` when the node has no job with that id.
        """
        info = self.job_info(job_id)
        if info is None:
            raise StconfigError(
                f"job {job_id} not found on {self.url}; list jobs with `stconfig jobs`"
            )
        status = str(info.get("jobStatus"))
        if status in ENDED_STATES:
            return StopOutcome(job_id, requested=False, ended_status=status)
        # NOTE: a job that ends between the job-info request and the stop request is
        # reported as being stopped.
        return StopOutcome(self.stop(job_id, savepoint=savepoint), requested=True)

    def running_jobs(self) -> list[dict[str, Any]]:
        return self._list(self.request("GET", "running-jobs"))

    def finished_jobs(self, state: str | None = None) -> list[dict[str, Any]]:
        path = "finished-jobs" + (f"/{urllib.parse.quote(state)}" if state else "")
        return self._list(self.request("GET", path))

    def job_info(self, job_id: int) -> dict[str, Any] | None:
        """Return one job, or None when the node has no job with that id."""
        reply = self._object(self.request("GET", f"job-info/{job_id}"))
        return reply if "jobStatus" in reply else None

    def monitoring(self) -> list[dict[str, Any]]:
        return self._list(self.request("GET", "system-monitoring-information"))

    def overview(self) -> dict[str, Any]:
        return self._object(self.request("GET", "overview"))

    # Transport

    def request(
        self, method: str, endpoint: str, *, body: Any = None, query: dict[str, str] | None = None
    ) -> Any:
        """Send one request to an endpoint and return the decoded JSON reply."""
        url = f"{self.url}{V1_PREFIX}/{endpoint}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=self.headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                return self._decode(reply.read(), url, reply.status)
        except urllib.error.HTTPError as exc:
            raise self._error(exc, url) from None
        except urllib.error.URLError as exc:
            raise NodeUnavailableError(
                f"cannot reach the node at {self.url}: {_reason(exc.reason)}; start one with "
                f"`stconfig serve`, or pass --url (or set {URL_VARIABLE})"
            ) from None
        except TimeoutError:
            raise NodeUnavailableError(
                f"{method} {url} timed out after {self.timeout:g} s; the node may be "
                "overloaded, or raise --timeout"
            ) from None
        except (ConnectionError, HTTPException) as exc:
            raise NodeUnavailableError(
                f"the node at {self.url} closed the connection without an answer "
                f"({type(exc).__name__}); on SeaTunnel, check that the REST API and its DATA "
                "endpoint group are enabled in hazelcast.yaml"
            ) from None

    def _decode(self, raw: bytes, url: str, status: int) -> Any:
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError):
            snippet = raw[:80].decode("utf-8", "replace")
            raise NodeUnavailableError(
                f"{url} returned {status} with something other than JSON ({snippet!r}); "
                "check that --url points at a SeaTunnel REST API"
            ) from None

    def _error(self, exc: urllib.error.HTTPError, url: str) -> StconfigError:
        raw = exc.read() or b""
        try:
            reply = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            reply = {}
        if not isinstance(reply, dict):
            reply = {}
        message = reply.get("message") or exc.reason or "no message"
        if exc.code == 401:
            message = (
                f"{message} (set {TOKEN_VARIABLE}, or {USER_VARIABLE} and {PASSWORD_VARIABLE})"
            )
        errors = reply.get("errors") if isinstance(reply.get("errors"), list) else None
        return NodeError(f"the node returned {exc.code}: {message}", exc.code, errors)

    @staticmethod
    def _object(reply: Any) -> dict[str, Any]:
        if not isinstance(reply, dict):
            raise NodeUnavailableError(f"expected a JSON object from the node, got {reply!r:.80}")
        return reply

    @staticmethod
    def _list(reply: Any) -> list[dict[str, Any]]:
        if not isinstance(reply, list):
            raise NodeUnavailableError(f"expected a JSON array from the node, got {reply!r:.80}")
        return [item for item in reply if isinstance(item, dict)]


def _opener(hostname: str) -> urllib.request.OpenerDirector:
    """Build an opener; proxies from the environment apply except for loopback hosts."""
    try:
        loopback = ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        loopback = hostname == "localhost"
    if loopback:
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _reason(reason: Any) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(getattr(reason, "strerror", None) or reason)
