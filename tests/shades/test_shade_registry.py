from __future__ import annotations

import pytest

from stconfig import __version__
from stconfig.errors import StconfigError
from stconfig.shades import Shade, UnknownShadeError
from stconfig.shades.aes import AesShade
from stconfig.shades.base64 import Base64Shade
from stconfig.shades.registry import find_shade, identifiers, installed_shades


@pytest.mark.parametrize(
    ("identifier", "kind"),
    [("aes", AesShade), ("AES", AesShade), ("base64", Base64Shade), ("Base64", Base64Shade)],
)
def test_find_shade_ignores_case(identifier: str, kind: type) -> None:
    shade = find_shade(identifier)
    assert isinstance(shade, kind)
    assert isinstance(shade, Shade)


def test_find_shade_returns_new_instances() -> None:
    assert find_shade("aes") is not find_shade("aes")


def test_unknown_shade_lists_installed() -> None:
    with pytest.raises(UnknownShadeError) as caught:
        find_shade("myprotection")
    message = str(caught.value)
    assert isinstance(caught.value, StconfigError)
    assert "'myprotection'" in message
    assert "installed shades: aes, base64" in message
    assert caught.value.installed == ["aes", "base64"]


def test_identifiers_lists_builtins() -> None:
    assert identifiers() == sorted(identifiers())
    assert {"aes", "base64"} <= set(identifiers())


def test_installed_shades_describe_builtins() -> None:
    by_identifier = {info.identifier: info for info in installed_shades()}
    assert by_identifier["aes"].distribution == "stconfig"
    assert by_identifier["aes"].version == __version__
    assert by_identifier["aes"].encrypts is True
    assert by_identifier["base64"].distribution == "stconfig"
    assert by_identifier["base64"].encrypts is False


def test_builtin_shades_have_typed_attributes() -> None:
    for identifier in ("aes", "base64"):
        shade = find_shade(identifier)
        assert shade.identifier == identifier
        assert isinstance(shade.encrypts, bool)
        assert isinstance(shade.sensitive_options, tuple)
        assert all(isinstance(name, str) for name in shade.sensitive_options)
