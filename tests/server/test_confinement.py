"""Jobs submitted over REST may touch files only under the node's allowed folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stconfig.server.confinement import confine_job, confine_sqlite_url, resolve_roots
from stconfig.server.errors import Forbidden
from tests.conftest import run_stconfig
from tests.server.nodes import V1, NodeProcess

ENDED = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")


def local_file_job(path: str, **sink: object) -> dict:
    return {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 3,
                "schema": {"fields": {"id": "int"}},
            }
        ],
        "sink": [
            {
                "plugin_name": "LocalFile",
                "plugin_input": "fake",
                "path": path,
                "file_format_type": "json",
                **sink,
            }
        ],
    }


def jdbc_job(url: str) -> dict:
    job = local_file_job("unused")
    job["sink"] = [
        {
            "plugin_name": "Jdbc",
            "plugin_input": "fake",
            "url": url,
            "driver": "org.sqlite.JDBC",
            "query": "insert into t (id) values (?)",
        }
    ]
    return job


@pytest.fixture
def roots(tmp_path: Path) -> list[Path]:
    root = tmp_path / "allowed"
    root.mkdir()
    return resolve_roots([root])


def test_sink_inside_root_writes_there(node: NodeProcess) -> None:
    root = node.data_dir / "files"
    job_id = node.submit(local_file_job(str(root / "out")))

    info = node.wait_for_status(job_id, ENDED)

    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert any((root / "out").rglob("*")), "the sink wrote no file under the root"


def test_relative_path_lands_under_root(node: NodeProcess) -> None:
    job_id = node.submit(local_file_job("relative/out"))

    info = node.wait_for_status(job_id, ENDED)

    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert any((node.data_dir / "files" / "relative" / "out").rglob("*"))


def test_paths_outside_root_are_403(node: NodeProcess, tmp_path: Path) -> None:
    root = node.data_dir / "files"
    outside = tmp_path / "outside"
    outside.mkdir()
    link = root / "escape"
    link.symlink_to(outside, target_is_directory=True)
    cases = {
        "absolute": str(outside / "out"),
        "dotdot": str(root / ".." / ".." / "outside" / "out"),
        "relative dotdot": "../../outside/out",
        "symlink": str(link / "out"),
        "file url": f"file://{outside}/out",
    }
    for label, path in cases.items():
        reply = node.post(f"{V1}/submit-job", local_file_job(path))
        assert reply.status == 403, (label, reply.body)
        message = reply.json["message"]
        assert "sink[0].path" in message, label
        assert str(os.path.realpath(root)) in message, label
    tmp_reply = node.post(
        f"{V1}/submit-job", local_file_job(str(root / "ok"), tmp_path=str(outside))
    )
    assert tmp_reply.status == 403
    assert "sink[0].tmp_path" in tmp_reply.json["message"]
    assert not any(outside.iterdir())
    assert node.get(f"{V1}/running-jobs").json == []
    assert node.get(f"{V1}/finished-jobs").json == []


def test_jdbc_sqlite_url_outside_root_is_403(node: NodeProcess, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.db"

    reply = node.post(f"{V1}/submit-job", jdbc_job(f"jdbc:sqlite:{outside}"))

    assert reply.status == 403
    assert "sink[0].url" in reply.json["message"]
    assert not outside.exists()


def test_allow_path_option_adds_root(node_factory, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    node = node_factory("--allow-path", str(extra))

    inside = node.post(f"{V1}/submit-job", local_file_job(str(extra / "out")))
    default_root = node.post(f"{V1}/submit-job", local_file_job(str(node.data_dir / "files" / "x")))

    assert inside.status == 200, inside.body
    assert default_root.status == 403
    node.wait_for_status(inside.json["jobId"], ENDED)


def test_confine_job_rewrites_relative_paths(roots: list[Path]) -> None:
    confined = confine_job(local_file_job("a/b"), roots)

    assert confined["sink"][0]["path"] == str(roots[0] / "a" / "b")


def test_confine_job_leaves_input_unchanged(roots: list[Path]) -> None:
    job = local_file_job("a/b")
    confine_job(job, roots)

    assert job["sink"][0]["path"] == "a/b"


def test_confine_job_rejects_dotdot(roots: list[Path]) -> None:
    with pytest.raises(Forbidden) as caught:
        confine_job(local_file_job(str(roots[0] / "x" / ".." / ".." / "y")), roots)

    assert "sink[0].path" in str(caught.value)
    assert str(roots[0]) in str(caught.value)


def test_sqlite_urls(roots: list[Path]) -> None:
    root = roots[0]

    assert confine_sqlite_url("jdbc:sqlite::memory:", roots, "url") == "jdbc:sqlite::memory:"
    assert (
        confine_sqlite_url("jdbc:sqlite:db.sqlite", roots, "url") == f"jdbc:sqlite:{root}/db.sqlite"
    )
    assert confine_sqlite_url(f"jdbc:sqlite:{root}/a.db?journal_mode=WAL", roots, "url") == (
        f"jdbc:sqlite:{root}/a.db?journal_mode=WAL"
    )
    assert confine_sqlite_url(f"jdbc:sqlite:file:{root}/a.db?mode=ro", roots, "url") == (
        f"jdbc:sqlite:file:{root}/a.db?mode=ro"
    )
    for outside in ("jdbc:sqlite:/etc/passwd", "jdbc:sqlite:../x.db", "jdbc:sqlite::resource:x.db"):
        with pytest.raises(Forbidden):
            confine_sqlite_url(outside, roots, "url")


def test_shade_key_file_outside_root_is_403(node: NodeProcess, tmp_path: Path) -> None:
    outside = tmp_path / "node-user.key"
    outside.write_text("not a key\n")
    job = local_file_job(str(node.data_dir / "files" / "out"))
    job["env"]["shade.identifier"] = "aes"
    job["env"]["shade.properties"] = {"key_file": str(outside)}

    reply = node.post(f"{V1}/submit-job", job)

    assert reply.status == 403
    assert 'env."shade.properties".key_file' in reply.json["message"]
    assert b"not a key" not in reply.body
    assert node.get(f"{V1}/running-jobs").json == []


def test_nested_shade_properties_key_file_is_403(node: NodeProcess, tmp_path: Path) -> None:
    outside = tmp_path / "node-user.key"
    outside.write_text("not a key\n")
    job = local_file_job(str(node.data_dir / "files" / "out"))
    job["env"]["shade"] = {"identifier": "aes", "properties": {"key_file": str(outside)}}

    reply = node.post(f"{V1}/submit-job", job)

    assert reply.status == 403, reply.body
    assert 'env."shade.properties".key_file' in reply.json["message"]
    assert b"not a key" not in reply.body
    assert node.get(f"{V1}/running-jobs").json == []


def test_encrypt_config_key_file_outside_root_is_403(node: NodeProcess, tmp_path: Path) -> None:
    outside = tmp_path / "node-user.key"
    assert run_stconfig("keygen", str(outside)).returncode == 0
    job = local_file_job("out", password="plain-pw-4d2a")
    job["env"]["shade.identifier"] = "aes"
    job["env"]["shade.properties"] = {"key_file": str(outside)}

    reply = node.post(f"{V1}/encrypt-config", job)

    assert reply.status == 403, reply.body
    assert 'env."shade.properties".key_file' in reply.json["message"]
    assert b"plain-pw-4d2a" not in reply.body
    assert outside.read_text().strip().encode() not in reply.body


def test_encrypt_config_keeps_key_file_as_sent(node: NodeProcess) -> None:
    keys = node.data_dir / "files" / "keys"
    keys.mkdir(parents=True)
    assert run_stconfig("keygen", str(keys / "job.key")).returncode == 0
    job = local_file_job("out", password="plain-pw-4d2a")
    job["env"]["shade.identifier"] = "aes"
    job["env"]["shade.properties"] = {"key_file": "keys/job.key"}

    reply = node.post(f"{V1}/encrypt-config", job)

    assert reply.status == 200, reply.body
    assert reply.json["env"]["shade.properties"] == {"key_file": "keys/job.key"}
    assert reply.json["sink"][0]["password"].startswith("aes:v1:")
    assert reply.json["sink"][0]["path"] == "out"


def test_confine_job_checks_every_key_file(roots: list[Path]) -> None:
    job = local_file_job("out")
    job["env"]["shade.properties"] = {"key_file": ["keys/new.key", "/etc/ssh/ssh_host_key"]}

    with pytest.raises(Forbidden) as caught:
        confine_job(job, roots)

    assert 'env."shade.properties".key_file[1]' in str(caught.value)
    job["env"]["shade.properties"]["key_file"] = ["keys/new.key"]
    confined = confine_job(job, roots)
    assert confined["env"]["shade.properties"]["key_file"] == [str(roots[0] / "keys" / "new.key")]
