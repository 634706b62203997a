from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CLI_TIMEOUT = 120

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run `python -m stconfig ARGS` in `tmp_path` (or `cwd`) and return the finished process."""

    def run(
        *args: str, input: str | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = dict(os.environ)
        environment.pop("STCONFIG_LOG_LEVEL", None)
        return subprocess.run(
            [sys.executable, "-m", "stconfig", *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=cwd or tmp_path,
            env=environment,
            timeout=CLI_TIMEOUT,
        )

    return run
