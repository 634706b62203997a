"""The `aes` shade: AES-256-GCM with a fresh random 96-bit nonce per value.

Token format, version 1::

    aes:v1:<base64 of nonce || ciphertext || tag>

The base64 part uses the standard alphabet with padding. `nonce` is 12 random bytes,
`ciphertext` is the UTF-8 plain text encrypted with AES-256-GCM, and `tag` is GCM's
16-byte authentication tag. The ASCII prefix `aes:v1:` is the associated data, so a
token cannot be relabelled as another version. A later format would get a new prefix.

Keys are 32 random bytes written in base64. They come from, in this order:

1. key files, given to `open` as the `key_file` property (a path or a list of paths,
   where a leading `~` means the home folder). Files from the `--key-file` option of
   `stconfig encrypt` and `decrypt` come first, then those that
   `env."shade.properties".key_file` names.
2. the environment variable `STCONFIG_AES_KEY`, one or more keys separated by commas.

A key file contains one or more keys, one per line. Blank lines and lines starting with
`#` are ignored. The first key found encrypts, and decryption tries every key, so a new
key can be put first while values encrypted with an older one still decrypt.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

from stconfig.shades import ShadeBase, ShadeError, utf8_bytes

logger = logging.getLogger(__name__)

ENV_KEYS = "STCONFIG_AES_KEY"
KEY_SEPARATOR = ","
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
PREFIX = "aes:v1:"

_ASSOCIATED_DATA = PREFIX.encode("ascii")
_TOKEN_BODY = re.compile(r"[A-Za-z0-9+/]+={0,2}")
# Advice for a missing or invalid key. Only encrypting can start with a new key,
# because values encrypted with one key never decrypt with another.
_ENCRYPT_HINT = "to create a new key, run stconfig keygen FILE"
_DECRYPT_HINT = "use the key that the values were encrypted with"


class AesShade(ShadeBase):
    identifier = "aes"
    encrypts = True
    sensitive_options = ()

    def __init__(self) -> None:
        self._key_files: list[str] = []
        self._keys: list[bytes] | None = None

    def open(self, properties: dict[str, Any]) -> None:
        # NOTE: a job's shade.properties can name any readable file here, and the errors
        # show whether it exists and how long a base64 key in it is. The REST node confines
        # key_file to its allowed folders first (stconfig.server.confinement); any other
        # service that decrypts jobs from clients must do the same.
        self._key_files = _key_file_property(properties.get("key_file"))
        self._keys = None

    def encrypt(self, value: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = self._load_keys(encrypting=True)[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, utf8_bytes(value), _ASSOCIATED_DATA)
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, value: str) -> str:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce, sealed = _split_token(value)
        for key in self._load_keys(encrypting=False):
            try:
                plain = AESGCM(key).decrypt(nonce, sealed, _ASSOCIATED_DATA)
            except InvalidTag:
                continue
            try:
                return plain.decode("utf-8")
            except UnicodeDecodeError:
                raise ShadeError("the decrypted value is not UTF-8 text") from None
        raise ShadeError(
            "the aes token does not decrypt with any of the configured keys: the key is "
            "wrong, or the token was changed or truncated"
        )

    def is_encrypted(self, value: str) -> bool:
        try:
            _split_token(value)
        except ShadeError:
            return False
        return True

    def _load_keys(self, *, encrypting: bool) -> list[bytes]:
        if self._keys is None:
            environment_value = os.environ.get(ENV_KEYS)
            self._keys = load_keys(self._key_files, environment_value, encrypting=encrypting)
        return self._keys


def load_keys(
    key_files: list[str], environment_value: str | None, *, encrypting: bool = False
) -> list[bytes]:
    """Read the keys from the key files, then from the environment variable's value.

    `encrypting` selects the advice in the errors: only encryption can use a new key.
    """
    hint = _ENCRYPT_HINT if encrypting else _DECRYPT_HINT
    keys: list[bytes] = []
    for key_file in key_files:
        keys.extend(_keys_from_file(Path(key_file), hint))
    if environment_value and environment_value.strip():
        keys.extend(_parse_keys(_split_environment(environment_value), ENV_KEYS, hint))
    if not keys:
        # The REST node and `stconfig run` return this text too, and they have no
        # --key-file option, so the message names the commands that have one.
        raise ShadeError(
            f"no AES key found: set {ENV_KEYS} where stconfig runs, pass --key-file FILE "
            "to stconfig encrypt, decrypt or run, start the node with --key-file FILE (for a "
            'submitted job), or name a key file in env."shade.properties".key_file; '
            f"{hint}"
        )
    return keys


def generate_key() -> str:
    """Return a new random key in base64, the form that key files and STCONFIG_AES_KEY use."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def write_key_file(path: Path, *, force: bool = False) -> list[Path]:
    """Write a new key to `path` with mode 0600; an existing file is kept unless `force`.

    Missing parent folders are created with mode 0700, and returned from the top down.
    """
    created = _create_private_folders(path.parent)
    data = (generate_key() + "\n").encode("ascii")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ShadeError(
            f"{path} already exists; choose another file, or pass --force to replace it "
            f"(values encrypted with the old key then no longer decrypt)"
        ) from None
    except OSError as exc:
        raise ShadeError(f"{path}: cannot be written: {exc.strerror}") from None
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
    return created


def _create_private_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents with mode 0700, whatever the umask."""
    missing = [folder, *folder.parents]
    missing = list(reversed([parent for parent in missing if not parent.exists()]))
    for parent in missing:
        try:
            parent.mkdir(mode=0o700)
        except FileExistsError:
            continue  # created by another process in the meantime
        except OSError as exc:
            raise ShadeError(f"{parent}: cannot create the folder: {exc.strerror}") from None
        parent.chmod(0o700)
    return missing


def _key_file_property(value: Any) -> list[str]:
    """Return the key file paths of the `key_file` property, with `~` expanded."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [os.path.expanduser(value)]
    if isinstance(value, list) and all(isinstance(item, (str, os.PathLike)) for item in value):
        return [os.path.expanduser(item) for item in value]
    raise ShadeError(
        'env."shade.properties".key_file must be a path or a list of paths to key files'
    )


def _split_environment(value: str) -> list[str]:
    return [part.strip() for part in value.split(KEY_SEPARATOR) if part.strip()]


def _keys_from_file(path: Path, hint: str) -> list[bytes]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ShadeError(f"the AES key file {path} was not found; {_check_path(path)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise ShadeError(f"the AES key file {path} cannot be read: {reason}") from None
    _warn_if_readable_by_others(path)
    lines = [line.strip() for line in text.splitlines()]
    entries = [line for line in lines if line and not line.startswith("#")]
    if not entries:
        raise ShadeError(f"the AES key file {path} contains no key; {hint}")
    return _parse_keys(entries, f"the AES key file {path}", hint)


def _check_path(path: Path) -> str:
    """Return the advice for a key file that was not found, naming where a relative path starts."""
    if path.is_absolute():
        return "check the path"
    return f"check the path, which is relative to the current folder {Path.cwd()}"


def _parse_keys(entries: list[str], origin: str, hint: str) -> list[bytes]:
    """Decode base64 keys; an error names the origin and the key's position, never the key."""
    keys = []
    for number, entry in enumerate(entries, start=1):
        where = origin if len(entries) == 1 else f"key {number} of {len(entries)} in {origin}"
        key = _decode_key(entry)
        if key is None:
            raise ShadeError(f"{where} is not valid base64; {hint}")
        if len(key) != KEY_BYTES:
            raise ShadeError(
                f"{where} is {len(key)} bytes long, but AES-256 needs {KEY_BYTES}; {hint}"
            )
        keys.append(key)
    return keys


def _decode_key(entry: str) -> bytes | None:
    """Decode a key in standard or URL-safe base64, or return None."""
    for alphabet in (None, b"-_"):
        try:
            return base64.b64decode(entry, altchars=alphabet, validate=True)
        except (binascii.Error, ValueError):
            continue
    return None


@functools.cache
def _warn_if_readable_by_others(path: Path) -> None:
    """Log, once per path, that a key file can be read by other users."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning(
            "the AES key file %s can be read by other users (mode %o); run chmod 600 %s",
            path,
            stat.S_IMODE(mode),
            path,
        )


def _split_token(value: str) -> tuple[bytes, bytes]:
    """Return the nonce and the sealed bytes of a token, or raise naming what is wrong."""
    if not value.startswith(PREFIX):
        raise ShadeError(
            f"the value is not an aes token (it does not start with {PREFIX!r}); if the "
            "config contains plain values, as stconfig decrypt --keep-shade writes them, "
            'encrypt it with stconfig encrypt FILE or remove env."shade.identifier"'
        )
    body = value[len(PREFIX) :]
    if not _TOKEN_BODY.fullmatch(body) or len(body) % 4:
        raise ShadeError("the aes token is truncated or damaged: its body is not valid base64")
    raw = base64.b64decode(body)
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise ShadeError("the aes token is truncated: it is too short to hold a nonce and a tag")
    return raw[:NONCE_BYTES], raw[NONCE_BYTES:]
