from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st
from shade_helpers import assert_secret_free, new_key

from stconfig.shades import Shade, ShadeError
from stconfig.shades.aes import PREFIX, AesShade, load_keys, write_key_file

PLAIN = "s3cret-Pässwörd"


def opened(properties: dict | None = None) -> AesShade:
    shade = AesShade()
    shade.open(properties or {})
    return shade


def token_bytes(token: str) -> bytes:
    assert token.startswith(PREFIX)
    return base64.b64decode(token[len(PREFIX) :])


def make_token(raw: bytes) -> str:
    return PREFIX + base64.b64encode(raw).decode("ascii")


def test_aes_matches_protocol() -> None:
    shade = AesShade()
    assert isinstance(shade, Shade)
    assert shade.identifier == "aes"
    assert shade.encrypts is True
    assert shade.sensitive_options == ()


def test_aes_round_trip(aes_key: str) -> None:
    shade = opened()
    token = shade.encrypt(PLAIN)
    assert token.startswith("aes:v1:")
    assert PLAIN not in token
    assert shade.decrypt(token) == PLAIN


def test_aes_token_layout_is_nonce_ciphertext_tag(aes_key: str) -> None:
    token = opened().encrypt(PLAIN)
    raw = token_bytes(token)
    assert len(raw) == 12 + len(PLAIN.encode("utf-8")) + 16


def test_aes_token_decrypts_by_documented_format(aes_key: str) -> None:
    """A token built by hand from the documented layout decrypts, and the reverse."""
    key = base64.b64decode(aes_key)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, PLAIN.encode("utf-8"), b"aes:v1:")
    assert opened().decrypt(make_token(nonce + sealed)) == PLAIN

    raw = token_bytes(opened().encrypt(PLAIN))
    assert AESGCM(key).decrypt(raw[:12], raw[12:], b"aes:v1:").decode("utf-8") == PLAIN


def test_aes_uses_fresh_nonce_per_value(aes_key: str) -> None:
    shade = opened()
    tokens = {shade.encrypt(PLAIN) for _ in range(20)}
    nonces = {token_bytes(token)[:12] for token in tokens}
    assert len(tokens) == 20
    assert len(nonces) == 20


def test_aes_empty_value_round_trips(aes_key: str) -> None:
    shade = opened()
    assert shade.decrypt(shade.encrypt("")) == ""


def test_aes_wrong_key_error_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = new_key(), new_key()
    monkeypatch.setenv("STCONFIG_AES_KEY", first)
    token = opened().encrypt(PLAIN)
    monkeypatch.setenv("STCONFIG_AES_KEY", second)
    with pytest.raises(ShadeError, match="key is wrong, or the token was changed") as caught:
        opened().decrypt(token)
    assert_secret_free(str(caught.value), PLAIN, token, first, second)


@pytest.mark.parametrize(
    "position", [0, 11, 12, -17, -1], ids=["nonce0", "nonce11", "body", "tag0", "tag15"]
)
def test_aes_tampered_token_fails(aes_key: str, position: int) -> None:
    shade = opened()
    raw = bytearray(token_bytes(shade.encrypt(PLAIN)))
    raw[position] ^= 0x01
    tampered = make_token(bytes(raw))
    with pytest.raises(ShadeError, match="changed or truncated") as caught:
        shade.decrypt(tampered)
    assert_secret_free(str(caught.value), PLAIN, tampered, aes_key)


def test_aes_truncated_token_fails(aes_key: str) -> None:
    shade = opened()
    token = shade.encrypt(PLAIN)
    for length in range(len(PREFIX), len(token)):
        with pytest.raises(ShadeError) as caught:
            shade.decrypt(token[:length])
        message = str(caught.value)
        assert "truncated" in message or "changed" in message
        assert_secret_free(message, PLAIN, aes_key)


def test_aes_shortened_body_fails(aes_key: str) -> None:
    shade = opened()
    raw = token_bytes(shade.encrypt(PLAIN))
    with pytest.raises(ShadeError, match="changed or truncated"):
        shade.decrypt(make_token(raw[:-4]))
    with pytest.raises(ShadeError, match="too short"):
        shade.decrypt(make_token(raw[:27]))


def test_aes_plain_text_is_not_a_token(aes_key: str) -> None:
    with pytest.raises(ShadeError, match="not an aes token") as caught:
        opened().decrypt("secret-1")
    assert "secret-1" not in str(caught.value)


NO_KEY = (
    "no AES key found: set STCONFIG_AES_KEY where stconfig runs, pass --key-file FILE to "
    "stconfig encrypt, decrypt or run, start the node with --key-file FILE (for a submitted "
    'job), or name a key file in env."shade.properties".key_file; '
)


def test_aes_encrypt_without_key_fails() -> None:
    with pytest.raises(ShadeError) as caught:
        opened().encrypt(PLAIN)
    assert str(caught.value) == NO_KEY + "to create a new key, run stconfig keygen FILE"


def test_aes_decrypt_without_key_fails() -> None:
    token = make_token(bytes(40))
    with pytest.raises(ShadeError) as caught:
        opened().decrypt(token)
    assert str(caught.value) == NO_KEY + "use the key that the values were encrypted with"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not base64!", "is not valid base64"),
        (base64.b64encode(b"k" * 16).decode(), "is 16 bytes long, but AES-256 needs 32"),
        (base64.b64encode(b"k" * 33).decode(), "is 33 bytes long"),
    ],
)
def test_aes_malformed_key_fails(monkeypatch: pytest.MonkeyPatch, value: str, reason: str) -> None:
    monkeypatch.setenv("STCONFIG_AES_KEY", value)
    with pytest.raises(ShadeError, match=reason) as caught:
        opened().encrypt(PLAIN)
    assert value not in str(caught.value)
    assert "STCONFIG_AES_KEY" in str(caught.value)


def test_aes_rotation_encrypts_with_first_key(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = new_key(), new_key()
    monkeypatch.setenv("STCONFIG_AES_KEY", old)
    old_token = opened().encrypt(PLAIN)

    monkeypatch.setenv("STCONFIG_AES_KEY", f"{new}, {old}")
    rotated = opened()
    assert rotated.decrypt(old_token) == PLAIN
    new_token = rotated.encrypt(PLAIN)

    monkeypatch.setenv("STCONFIG_AES_KEY", new)
    assert opened().decrypt(new_token) == PLAIN
    monkeypatch.setenv("STCONFIG_AES_KEY", old)
    with pytest.raises(ShadeError):
        opened().decrypt(new_token)


def test_aes_key_file_with_comments(tmp_path: Path) -> None:
    first, second = new_key(), new_key()
    key_file = tmp_path / "keys"
    key_file.write_text(f"# rotated today\n\n{first}\n  {second}  \n", encoding="utf-8")
    key_file.chmod(0o600)
    assert load_keys([str(key_file)], None) == [base64.b64decode(first), base64.b64decode(second)]


def test_aes_key_files_come_before_environment(tmp_path: Path) -> None:
    file_key, env_key = new_key(), new_key()
    key_file = tmp_path / "key"
    key_file.write_text(file_key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    keys = load_keys([str(key_file)], env_key)
    assert keys == [base64.b64decode(file_key), base64.b64decode(env_key)]


def test_aes_accepts_urlsafe_key(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = bytes(range(200, 232))
    monkeypatch.setenv("STCONFIG_AES_KEY", base64.urlsafe_b64encode(raw).decode())
    assert load_keys([], os.environ["STCONFIG_AES_KEY"]) == [raw]


@pytest.mark.parametrize("operation", ["encrypt", "decrypt"])
def test_aes_missing_key_file_named(tmp_path: Path, operation: str) -> None:
    missing = tmp_path / "nope.key"
    shade = opened({"key_file": str(missing)})
    with pytest.raises(ShadeError) as caught:
        getattr(shade, operation)(make_token(bytes(40)))
    assert str(caught.value) == f"the AES key file {missing} was not found; check the path"


def test_aes_missing_relative_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ShadeError) as caught:
        opened({"key_file": "keys/nope.key"}).decrypt(make_token(bytes(40)))
    assert str(caught.value) == (
        "the AES key file keys/nope.key was not found; check the path, which is relative "
        f"to the current folder {tmp_path}"
    )


def test_aes_key_file_expands_home(isolated_home: Path) -> None:
    key = new_key()
    key_file = isolated_home / ".config" / "stconfig" / "orders.key"
    key_file.parent.mkdir(parents=True)
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    for written in ("~/.config/stconfig/orders.key", ["~/.config/stconfig/orders.key"]):
        shade = opened({"key_file": written})
        token = shade.encrypt(PLAIN)
        assert (
            AESGCM(base64.b64decode(key)).decrypt(
                token_bytes(token)[:12], token_bytes(token)[12:], PREFIX.encode()
            )
            == PLAIN.encode()
        )


@pytest.mark.parametrize(
    ("encrypting", "hint"),
    [
        (True, "to create a new key, run stconfig keygen FILE"),
        (False, "use the key that the values were encrypted with"),
    ],
    ids=["encrypting", "decrypting"],
)
def test_aes_key_error_hint_by_operation(tmp_path: Path, encrypting: bool, hint: str) -> None:
    key_file = tmp_path / "bad.key"
    key_file.write_text("not base64!\n", encoding="utf-8")
    key_file.chmod(0o600)
    with pytest.raises(ShadeError) as caught:
        load_keys([str(key_file)], None, encrypting=encrypting)
    assert str(caught.value) == f"the AES key file {key_file} is not valid base64; {hint}"


def test_aes_empty_key_file_fails(tmp_path: Path) -> None:
    key_file = tmp_path / "empty.key"
    key_file.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(ShadeError, match="contains no key"):
        load_keys([str(key_file)], None)


def test_aes_malformed_key_in_file_named_by_position(tmp_path: Path) -> None:
    key_file = tmp_path / "bad.key"
    key_file.write_text(f"{new_key()}\nAAAA\n", encoding="utf-8")
    key_file.chmod(0o600)
    with pytest.raises(ShadeError, match=r"key 2 of 2 in the AES key file .*bad.key is 3 bytes"):
        load_keys([str(key_file)], None)


def test_aes_key_file_property_must_be_paths() -> None:
    with pytest.raises(ShadeError, match="key_file must be a path or a list of paths"):
        opened({"key_file": 42})


def test_aes_warns_on_readable_key_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = new_key()
    key_file = tmp_path / "open.key"
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        load_keys([str(key_file)], None)
    assert "can be read by other users (mode 644)" in caplog.text
    assert key not in caplog.text


def test_aes_is_encrypted_recognizes_tokens(aes_key: str) -> None:
    shade = opened()
    token = shade.encrypt(PLAIN)
    assert shade.is_encrypted(token)
    assert not shade.is_encrypted(PLAIN)
    assert not shade.is_encrypted("aes:v1:")
    assert not shade.is_encrypted("aes:v1:c2VjcmV0")
    assert not shade.is_encrypted(token[:-1])
    assert not shade.is_encrypted(token + "=")


def test_keygen_writes_private_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "new.key"
    write_key_file(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keys = load_keys([str(key_file)], None)
    assert len(keys) == 1
    assert len(keys[0]) == 32


def test_keygen_keeps_existing_file(tmp_path: Path) -> None:
    key_file = tmp_path / "new.key"
    write_key_file(key_file)
    before = key_file.read_bytes()
    with pytest.raises(ShadeError, match="already exists; .* --force"):
        write_key_file(key_file)
    assert key_file.read_bytes() == before


def test_keygen_force_replaces_and_tightens_mode(tmp_path: Path) -> None:
    key_file = tmp_path / "new.key"
    key_file.write_text("old\n", encoding="utf-8")
    key_file.chmod(0o644)
    write_key_file(key_file, force=True)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text(encoding="utf-8") != "old\n"


@settings(max_examples=200)
@given(st.text() | st.text(min_size=1000, max_size=5000))
def test_aes_round_trips_any_text(value: str) -> None:
    shade = AesShade()
    shade.open({})
    shade._keys = [bytes(range(32))]
    token = shade.encrypt(value)
    assert shade.is_encrypted(token)
    assert shade.decrypt(token) == value
