from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stconfig.shades import Shade, ShadeError
from stconfig.shades.base64 import Base64Shade

# Values and the base64 that SeaTunnel's built-in shade produces for them.
SEATUNNEL_VECTORS = [
    ("seatunnel", "c2VhdHVubmVs"),
    ("seatunnel_password", "c2VhdHVubmVsX3Bhc3N3b3Jk"),
    ("user1", "dXNlcjE="),
    ("secret-1", "c2VjcmV0LTE="),
    ("k1", "azE="),
    ("k2", "azI="),
    ("", ""),
]


@pytest.fixture
def shade() -> Base64Shade:
    return Base64Shade()


def test_base64_matches_protocol(shade: Base64Shade) -> None:
    assert isinstance(shade, Shade)
    assert shade.identifier == "base64"
    assert shade.encrypts is False
    assert shade.sensitive_options == ()


@pytest.mark.parametrize(("plain", "encoded"), SEATUNNEL_VECTORS)
def test_base64_encodes_like_seatunnel(shade: Base64Shade, plain: str, encoded: str) -> None:
    assert shade.encrypt(plain) == encoded


@pytest.mark.parametrize(("plain", "encoded"), SEATUNNEL_VECTORS)
def test_base64_decodes_seatunnel_values(shade: Base64Shade, plain: str, encoded: str) -> None:
    assert shade.decrypt(encoded) == plain


@pytest.mark.parametrize(
    ("unpadded", "plain"),
    [("dXNlcjE", "user1"), ("c2VjcmV0LTE", "secret-1"), ("azE", "k1"), ("YQ", "a")],
)
def test_base64_decodes_without_padding(shade: Base64Shade, unpadded: str, plain: str) -> None:
    assert shade.decrypt(unpadded) == plain


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("secret_1", "outside the standard base64 alphabet"),
        ("c2VjcmV0LTE=\n", "outside the standard base64 alphabet"),
        ("c2Vj cmV0", "outside the standard base64 alphabet"),
        ("azE-", "outside the standard base64 alphabet"),
        ("azE=azE=", "outside the standard base64 alphabet"),
        ("a===", "outside the standard base64 alphabet"),
        ("dXNlcjE=x", "outside the standard base64 alphabet"),
        ("A", "truncated"),
        ("azE=A", "outside the standard base64 alphabet"),
        ("AAAAA", "truncated"),
        ("YQ=", "wrong padding"),
    ],
)
def test_base64_rejects_what_java_rejects(shade: Base64Shade, value: str, reason: str) -> None:
    with pytest.raises(ShadeError) as caught:
        shade.decrypt(value)
    assert reason in str(caught.value)
    assert value.strip() not in str(caught.value)


def test_base64_rejects_bytes_that_are_not_utf8(shade: Base64Shade) -> None:
    with pytest.raises(ShadeError, match="does not decode to UTF-8 text"):
        shade.decrypt(base64.b64encode(b"\xff\xfe").decode())


def test_base64_rejects_lone_surrogate(shade: Base64Shade) -> None:
    with pytest.raises(ShadeError, match="lone surrogate"):
        shade.encrypt("abc\ud800")


@given(st.text())
def test_base64_round_trips_any_text(value: str) -> None:
    shade = Base64Shade()
    encoded = shade.encrypt(value)
    assert encoded == base64.b64encode(value.encode("utf-8")).decode("ascii")
    assert shade.decrypt(encoded) == value


@given(st.text(min_size=1))
def test_base64_decodes_its_output_unpadded(value: str) -> None:
    shade = Base64Shade()
    assert shade.decrypt(shade.encrypt(value).rstrip("=")) == value
