"""Checks of `env."shade.identifier"`: a shade that is installed, and no plain-text secrets."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stconfig.errors import StconfigError
from stconfig.validation.findings import Issue, error, quote, suggestion, warning

if TYPE_CHECKING:
    from stconfig.shades import Shade

logger = logging.getLogger(__name__)

IDENTIFIER_PATH = ("env", "shade.identifier")


def check_shade(job: Mapping[str, Any]) -> list[Issue]:
    """Check that the job's shade is installed and that its secrets look protected."""
    env = job.get("env")
    if not isinstance(env, dict):
        return []
    identifier = env.get("shade.identifier")
    if not isinstance(identifier, str) or not identifier.strip():
        return []

    from stconfig.encryption import PASS_THROUGH_IDENTIFIER
    from stconfig.shades import registry

    if identifier.lower() == PASS_THROUGH_IDENTIFIER:
        # SeaTunnel's pass-through shade: values are meant to stay as written.
        return []

    installed = registry.identifiers()
    exact = {name.lower(): name for name in installed}.get(identifier.lower())
    if exact is None:
        return [
            error(
                IDENTIFIER_PATH,
                f"unknown shade {quote(identifier)}; installed shades: "
                f"{', '.join(installed) or 'none'}{suggestion(identifier, installed)}. "
                "SeaTunnel would leave the values as they are",
            )
        ]
    issues: list[Issue] = []
    if exact != identifier:
        issues.append(
            warning(
                IDENTIFIER_PATH,
                "SeaTunnel matches shade identifiers with case and would not find "
                f"{quote(identifier)}; write {quote(exact)}",
            )
        )
    issues.extend(_plain_secrets(job, exact, env))
    return issues


def _plain_secrets(job: Mapping[str, Any], identifier: str, env: Mapping[str, Any]) -> list[Issue]:
    from stconfig import encryption
    from stconfig.shades import registry

    try:
        shade = registry.find_shade(identifier)
        properties = env.get("shade.properties")
        shade.open(dict(properties) if isinstance(properties, Mapping) else {})
        paths = encryption.sensitive_paths(job, shade)
    except StconfigError as exc:
        logger.debug("cannot check the secrets of the %s shade: %s", identifier, exc)
        return []

    issues = []
    for path in paths:
        value = _value_at(job, path)
        if isinstance(value, str) and _looks_plain(shade, value):
            issues.append(
                warning(
                    path,
                    f'looks like plain text, but env."shade.identifier" is {quote(identifier)}; '
                    "encrypt the file with stconfig encrypt FILE",
                )
            )
    return issues


def _value_at(job: Mapping[str, Any], path: tuple[Any, ...]) -> Any:
    value: Any = job
    for part in path:
        value = value[part]
    return value


def _looks_plain(shade: Shade, value: str) -> bool:
    """Tell whether a value is plain text rather than the shade's output.

    A shade that can recognize its output reports it through `is_encrypted`; an encoding
    such as base64 is tried by decoding. An encrypting shade without the hook cannot
    be checked, so its values never count as plain.
    """
    if not value or "${" in value:
        return False
    from stconfig.shades import ShadeBase

    hook = getattr(type(shade), "is_encrypted", None)
    if hook is not None and hook is not ShadeBase.is_encrypted:
        return not shade.is_encrypted(value)  # type: ignore[attr-defined]
    if not shade.encrypts:
        try:
            shade.decrypt(value)
        except (StconfigError, ValueError):
            return True
    return False
