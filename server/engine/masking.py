"""Remove secrets from the texts the engine reports: errors, logs and event messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from stconfig.encryption import DEFAULT_SENSITIVE_OPTIONS, MASK

# Credentials inside a JDBC or other URL: `//user:secret@host` and `password=secret` parameters.
_URL_USERINFO = re.compile(r"(//)([^/@\s:]+):([^/@\s]*)@")
_URL_PARAMETER = re.compile(
    r"(?i)([?&;:](?:user|username|password|passwd|pwd|token|auth|access_key|secret_key)=)([^&;\s]*)"
)


def sensitive_values(job: Any, extra_keys: Iterable[str] = ()) -> list[str]:
    """Return the values of sensitive options at any depth of a job, longest first."""
    keys = {key.lower() for key in (*DEFAULT_SENSITIVE_OPTIONS, *extra_keys)}
    found: set[str] = set()
    _collect(job, keys, found)
    if isinstance(job, Mapping):
        env = job.get("env")
        if isinstance(env, Mapping):
            options = env.get("shade.options")
            if isinstance(options, list):
                keys |= {str(option).lower() for option in options}
                _collect(job, keys, found)
    return sorted((value for value in found if value), key=len, reverse=True)


def _collect(value: Any, keys: set[str], found: set[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in keys and item is not None and not isinstance(item, Mapping):
                items = item if isinstance(item, list) else [item]
                found.update(str(element) for element in items if element is not None)
            else:
                _collect(item, keys, found)
            if str(key).lower() == "url" and isinstance(item, str):
                found.update(url_secrets(item))
    elif isinstance(value, list):
        for item in value:
            _collect(item, keys, found)


def url_secrets(url: str) -> list[str]:
    """Return the credentials written inside a URL."""
    secrets = [part for match in _URL_USERINFO.finditer(url) for part in match.group(2, 3)]
    secrets += [match.group(2) for match in _URL_PARAMETER.finditer(url)]
    return [secret for secret in secrets if secret]


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret, and every credential written in a URL, with `******`."""
    for secret in secrets:
        if len(secret) >= 1:
            text = text.replace(secret, MASK)
    text = _URL_USERINFO.sub(lambda match: f"{match.group(1)}{MASK}:{MASK}@", text)
    return _URL_PARAMETER.sub(lambda match: f"{match.group(1)}{MASK}", text)
