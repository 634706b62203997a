"""The `base64` shade: SeaTunnel's built-in encoding, byte for byte.

It encodes UTF-8 bytes with the standard alphabet and `=` padding, as Java's
`java.util.Base64` basic encoder does, so SeaTunnel reads the values it writes. Decoding
accepts what that basic decoder accepts, including values without their padding. Base64
only encodes: anyone can reverse it, so `encrypts` is False.
"""

from __future__ import annotations

import base64
import binascii
import re

from stconfig.shades import ShadeBase, ShadeError, utf8_bytes

# The standard alphabet with at most two padding characters at the end. Java's basic
# decoder rejects everything else, URL-safe characters and whitespace included.
_ENCODED = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_NOT_BASE64_HINT = "if it is still plain text, encrypt the file first"


class Base64Shade(ShadeBase):
    identifier = "base64"
    encrypts = False
    sensitive_options = ()

    def encrypt(self, value: str) -> str:
        return base64.b64encode(utf8_bytes(value)).decode("ascii")

    def decrypt(self, value: str) -> str:
        data = _decode(value)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ShadeError(
                f"the base64 value does not decode to UTF-8 text; {_NOT_BASE64_HINT}"
            ) from None


def _decode(value: str) -> bytes:
    """Decode like Java's basic decoder: padding optional, but correct when present."""
    if not _ENCODED.fullmatch(value):
        raise ShadeError(
            f"the value is not base64: it contains characters outside the standard base64 "
            f"alphabet (A-Z, a-z, 0-9, +, / and = at the end); {_NOT_BASE64_HINT}"
        )
    if len(value.rstrip("=")) % 4 == 1:
        raise ShadeError(
            f"the base64 value is truncated (its last group is one character); {_NOT_BASE64_HINT}"
        )
    if "=" not in value:
        value += "=" * (-len(value) % 4)
    elif len(value) % 4:
        raise ShadeError(f"the base64 value has wrong padding; {_NOT_BASE64_HINT}")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ShadeError(f"the base64 value has wrong padding; {_NOT_BASE64_HINT}") from None
