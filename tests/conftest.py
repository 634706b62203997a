from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def corpus_root() -> Path | None:
    """Return the SeaTunnel corpus folder, or None when this clone has none."""
    configured = os.environ.get("STCONFIG_CORPUS")
    candidate = Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "corpus"
    if not candidate.is_absolute():
        candidate = (Path.cwd() / candidate).resolve()
    return candidate if candidate.is_dir() else None


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME and the XDG folders at a temporary folder, so no test touches the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The SeaTunnel corpus; tests that use it are skipped when it is absent."""
    root = corpus_root()
    if root is None:
        if os.environ.get("CI"):
            pytest.fail(
                "STCONFIG_CORPUS is not set or does not exist, and CI must not skip corpus tests"
            )
        pytest.skip("the SeaTunnel corpus is absent: set STCONFIG_CORPUS to its folder")
    return root


def run_stconfig(
    *args: str, input: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `stconfig` CLI in a subprocess, as a user would, and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "stconfig", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The `stconfig` CLI, run in a subprocess; see `run_stconfig`."""
    return run_stconfig
