"""The stconfig-validate pre-commit hook, installed and run by pre-commit itself."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = shutil.which("pre-commit")
GIT = shutil.which("git")

BAD_JOB = """\
{"env": {"job.mode": "BATCH"},
 "source": [{"plugin_name": "FakeSource", "plugin_output": "t",
             "row.num": "ten",
             "schema": {"fields": {"id": "int"}}}],
 "sink": [{"plugin_name": "Console", "plugin_input": "t"}]}
"""
GOOD_JOB = """\
env { job.mode = BATCH }
source { FakeSource { plugin_output = "t", schema { fields { id = int } } } }
sink { Console { plugin_input = "t" } }
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        PRE_COMMIT is None, reason="pre-commit is not installed (pip install -e '.[test]')"
    ),
    pytest.mark.skipif(GIT is None, reason="git is not installed"),
]


def git(*args: str, cwd: Path) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def hook_repository(target: Path) -> Path:
    """Copy this project's files into a fresh Git repository with one commit."""
    try:
        listed = git("ls-files", "--cached", "--others", "--exclude-standard", cwd=PROJECT_ROOT)
    except subprocess.CalledProcessError:
        pytest.skip("the project is not a Git checkout, so its files cannot be listed")
    for name in listed.splitlines():
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "snapshot", cwd=target)
    return target


def try_repo(repository: Path, work: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PRE_COMMIT_HOME": str(cache)}
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(repository), "stconfig-validate", "--all-files"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_fails_on_errors_and_passes_when_fixed(tmp_path):
    repository = hook_repository(tmp_path / "hook")
    work = tmp_path / "work"
    (work / "jobs").mkdir(parents=True)
    (work / "jobs" / "bad.json").write_text(BAD_JOB)
    (work / "jobs" / "good.conf").write_text(GOOD_JOB)
    (work / "notes.txt").write_text("not a job, and not checked\n")
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)

    failed = try_repo(repository, work, tmp_path / "cache")
    (work / "jobs" / "bad.json").write_text(BAD_JOB.replace('"ten"', "10"))
    git("add", "-A", cwd=work)
    passed = try_repo(repository, work, tmp_path / "cache")

    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "validate SeaTunnel jobs" in failed.stdout
    assert (
        'jobs/bad.json:3:25: error: $.source[0]."row.num": expected an integer, got "ten"'
        in failed.stdout
    )
    assert "good.conf" not in failed.stdout.split("Failed", 1)[1]
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
