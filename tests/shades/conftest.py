from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from shade_helpers import RunCli, new_key

CLI_TIMEOUT = 60


@pytest.fixture
def aes_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh AES key in STCONFIG_AES_KEY, for this process and the CLI it starts."""
    key = new_key()
    monkeypatch.setenv("STCONFIG_AES_KEY", key)
    return key


@pytest.fixture(autouse=True)
def no_ambient_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without a key from the developer's environment."""
    monkeypatch.delenv("STCONFIG_AES_KEY", raising=False)
    monkeypatch.delenv("STCONFIG_LOG_LEVEL", raising=False)


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run `python -m stconfig ARGS` in `tmp_path` and return the finished process."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        environment = dict(os.environ)
        environment.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "stconfig", *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=environment,
            cwd=cwd or tmp_path,
            timeout=CLI_TIMEOUT,
            check=False,
        )

    return run
