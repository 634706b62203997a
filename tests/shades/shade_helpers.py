"""Helpers shared by the shade tests."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Callable

# `run_cli(*args, input=None, env=None, cwd=None)`, the fixture of the shade tests.
RunCli = Callable[..., subprocess.CompletedProcess[str]]


def new_key() -> str:
    """Return a new random AES-256 key in base64, the form that STCONFIG_AES_KEY uses."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def assert_secret_free(text: str, *secrets: str) -> None:
    """Assert that none of the secrets appears in the text."""
    for secret in secrets:
        assert secret not in text, "a secret value leaked into the output"
