"""Config shades: the encryptors that protect sensitive values in SeaTunnel jobs.

A shade turns one plain-text option value into a protected string and back. Shades are
found through the entry-point group `stconfig.shades` (see `stconfig.shades.registry`);
the built-in `base64` and `aes` shades are registered through that group too.

A third-party shade is any class whose instances match the `Shade` protocol. Subclassing
`ShadeBase` is optional and gives the defaults for everything but `encrypt` and `decrypt`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from stconfig.errors import StconfigError

__all__ = [
    "Shade",
    "ShadeBase",
    "ShadeError",
    "ShadeLoadError",
    "UnknownShadeError",
    "utf8_bytes",
]


@runtime_checkable
class Shade(Protocol):
    """The contract of a config shade.

    `identifier` is the name that `env."shade.identifier"` selects. `encrypts` is False
    for an encoding such as base64 that anyone can reverse. `sensitive_options` names
    options that the shade protects in addition to the default ones. `open` receives
    `env."shade.properties"` once, before the first `encrypt` or `decrypt`.

    `encrypt` and `decrypt` raise `ShadeError` for a value they cannot process. The
    message of that error must not contain the value, a key or any plain text, because
    stconfig shows it to the user next to the option's path.
    """

    identifier: str
    encrypts: bool
    sensitive_options: tuple[str, ...]

    def open(self, properties: dict[str, Any]) -> None: ...

    def encrypt(self, value: str) -> str: ...

    def decrypt(self, value: str) -> str: ...


class ShadeBase:
    """Defaults for a shade: it encrypts, adds no sensitive options and ignores properties.

    `is_encrypted` is an optional hook outside the `Shade` protocol. A shade whose
    output can be recognized returns True for it, and `stconfig encrypt` then leaves
    such values alone instead of encrypting them twice.
    """

    identifier: str = ""
    encrypts: bool = True
    sensitive_options: tuple[str, ...] = ()

    def open(self, properties: dict[str, Any]) -> None:
        return None

    def encrypt(self, value: str) -> str:
        raise NotImplementedError

    def decrypt(self, value: str) -> str:
        raise NotImplementedError

    def is_encrypted(self, value: str) -> bool:
        return False


class ShadeError(StconfigError):
    """A value or a key that a shade cannot use. The message never contains either."""


class UnknownShadeError(StconfigError):
    """An identifier that no installed shade has."""

    def __init__(self, identifier: str, installed: list[str]) -> None:
        self.identifier = identifier
        self.installed = installed
        names = ", ".join(installed) if installed else "none"
        super().__init__(
            f"unknown shade {identifier!r}; installed shades: {names}. Fix the spelling of "
            'env."shade.identifier" in the job (or of --identifier, if you passed it to '
            "stconfig encrypt or decrypt), or install the package that provides the shade"
        )


class ShadeLoadError(StconfigError):
    """An installed shade plugin that fails to import or does not match the protocol."""


def utf8_bytes(value: str) -> bytes:
    """Encode a value as UTF-8, raising `ShadeError` (without the value) when it cannot be."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise ShadeError(
            "the value is not valid Unicode text (it contains a lone surrogate)"
        ) from None
