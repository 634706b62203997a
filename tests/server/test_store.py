"""The SQLite store on its own: ids, history, and two stores on one file."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stconfig.server import render
from stconfig.server.monitoring import format_percent, format_size
from stconfig.server.store import MAX_JOB_ID, JobIdInUseError, JobRow, Store, StoreError


def row_builder(name: str = "job"):
    def build(job_id: int) -> JobRow:
        return JobRow(
            job_id=job_id,
            name=name,
            status="PENDING",
            ended=False,
            node_id="n1",
            create_time=time.time(),
            finish_time=None,
            start_with_savepoint=False,
            env_options=b"{}",
            job_dag=b"{}",
            metrics=b"{}",
            error_msg=None,
        )

    return build


def test_store_uses_wal(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        mode = store._reader().execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        store.close()

    assert mode == "wal"


def test_ids_unique_across_two_stores(tmp_path: Path) -> None:
    stores = [Store(tmp_path), Store(tmp_path)]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(
                pool.map(lambda index: stores[index % 2].insert_job(row_builder()), range(400))
            )
    finally:
        for store in stores:
            store.close()

    assert len(set(ids)) == 400
    assert all(1 <= job_id <= MAX_JOB_ID for job_id in ids)


def test_custom_id_in_use(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        store.insert_job(row_builder(), job_id=42)
        with pytest.raises(JobIdInUseError):
            store.insert_job(row_builder(), job_id=42)
        generated = store.insert_job(row_builder())
    finally:
        store.close()

    assert generated != 42


def test_end_job_once_and_list_history(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        job_id = store.insert_job(row_builder("first"))
        first = store.end_job(
            job_id,
            "FINISHED",
            finish_time=time.time(),
            error_msg=None,
            metrics=None,
            summary_builder=render.finished_summary,
        )
        second = store.end_job(
            job_id,
            "FAILED",
            finish_time=time.time(),
            error_msg="late",
            metrics=None,
            summary_builder=render.finished_summary,
        )
        summaries = store.finished_summaries("FINISHED")
        purged = store.purge_history(time.time() + 1)
        after = store.finished_summaries()
    finally:
        store.close()

    assert (first, second) == (True, False)
    assert len(summaries) == 1
    assert b'"jobStatus":"FINISHED"' in summaries[0]
    assert purged == 1
    assert after == []


def test_unknown_schema_version_is_an_error(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "stconfig-node.db") as connection:
        connection.execute("PRAGMA user_version=99")

    with pytest.raises(StoreError) as caught:
        Store(tmp_path)

    assert "version 99" in str(caught.value)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0"),
        (512, "512"),
        (1024, "1024"),
        (1536, "1.5K"),
        (16 * 1024**3, "16.0G"),
        (142_300_000, "135.7M"),
    ],
)
def test_format_size(count: int, text: str) -> None:
    assert format_size(count) == text


def test_format_percent() -> None:
    assert format_percent(1, 4) == "25.00%"
    assert format_percent(1, 0) == "0.00%"


def test_java_string_of_env_values() -> None:
    assert render.java_string(5000) == "5000"
    assert render.java_string(True) == "true"
    assert render.java_string(["a", "b"]) == "[a, b]"
    assert render.java_string({"k": 1}) == "{k=1}"
