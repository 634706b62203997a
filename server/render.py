"""The JSON objects that the REST API returns for jobs, in SeaTunnel's key order.

Stored JSON columns (`envOptions`, `jobDag`, `metrics`) are embedded as they are with
`orjson.Fragment`, so listing jobs parses no stored JSON.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from stconfig.server.store import JobRow


def format_time(timestamp: float) -> str:
    """Format a time as SeaTunnel does: `2024-10-23 20:05:13`, in the node's local time."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def java_string(value: Any) -> str:
    """Render a config value as Java's `toString` does, which is how `envOptions` shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(java_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={java_string(item)}" for key, item in value.items()) + "}"
    return str(value)


def env_options(env: dict[str, Any]) -> dict[str, str]:
    """Return a job's `env` with every value as a string; pass an already masked env."""
    return {key: java_string(value) for key, value in env.items()}


def running_object(row: JobRow) -> dict[str, Any]:
    """Return the object `running-jobs` lists for a job that has not ended."""
    return {
        "jobId": str(row.job_id),
        "jobName": row.name,
        "jobStatus": row.status,
        "envOptions": orjson.Fragment(row.env_options),
        "createTime": format_time(row.create_time),
        "jobDag": orjson.Fragment(row.job_dag),
        "pluginJarsUrls": [],
        "isStartWithSavePoint": row.start_with_savepoint,
        "metrics": orjson.Fragment(row.metrics),
    }


def finished_object(row: JobRow, *, with_finished_time: bool = False) -> dict[str, Any]:
    """Return the object `finished-jobs` lists for an ended job.

    `job-info` adds `finishedTime`, the name the API description uses, beside
    `finishTime`, the name SeaTunnel's engine sends.
    """
    finish_time = format_time(row.finish_time if row.finish_time is not None else time.time())
    item: dict[str, Any] = {
        "jobId": str(row.job_id),
        "jobName": row.name,
        "jobStatus": row.status,
        "errorMsg": row.error_msg,
        "createTime": format_time(row.create_time),
        "finishTime": finish_time,
    }
    if with_finished_time:
        item["finishedTime"] = finish_time
    item["jobDag"] = orjson.Fragment(row.job_dag)
    item["pluginJarsUrls"] = []
    item["metrics"] = orjson.Fragment(row.metrics)
    return item


def finished_summary(row: JobRow) -> bytes:
    """Return the stored `finished-jobs` item of an ended job."""
    return orjson.dumps(finished_object(row))


def join_array(items: list[bytes]) -> bytes:
    """Join JSON values that are already encoded into one JSON array."""
    return b"[" + b",".join(items) + b"]"
