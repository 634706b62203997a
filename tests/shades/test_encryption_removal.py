from __future__ import annotations

import json

import pytest

from stconfig.config import loads
from stconfig.encryption_removal import remove_entry
from stconfig.encryption_text import decrypt_text

KEY = "shade.identifier"


def remove_identifier(text: str, format: str = "hocon") -> str:
    spans = loads(text, format=format, job=False).spans
    path = ("env", KEY)
    return remove_entry(text, spans.key_spans[path][0], spans.value_spans[path][1], format)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('env {\n  a = 1\n  shade.identifier = "aes"\n}\n', "env {\n  a = 1\n}\n"),
        ('env {\n  shade.identifier = "aes"  # the shade\n  a = 1\n}\n', "env {\n  a = 1\n}\n"),
        ('env {\n  shade.identifier = "aes",\n  a = 1,\n}\n', "env {\n  a = 1,\n}\n"),
        ('env { shade.identifier = "aes", a = 1 }\n', "env { a = 1 }\n"),
        ('env { a = 1, shade.identifier = "aes" }\n', "env { a = 1 }\n"),
        ('env { a = 1, shade.identifier = "aes", }\n', "env { a = 1, }\n"),
        ('env { shade.identifier = "aes" }\n', "env { }\n"),
        ('env = { "shade.identifier": aes }\n', "env = { }\n"),
        ('env {\n  a = 1\n  shade.identifier = "aes" }\n', "env {\n  a = 1\n  }\n"),
        ('env { shade.identifier = "aes"\n  a = 1\n}\n', "env {\n  a = 1\n}\n"),
        (
            'env {\r\n  a = 1\r\n  shade.identifier = "aes"\r\n}\r\n',
            "env {\r\n  a = 1\r\n}\r\n",
        ),
        ('env { a = 1, shade.identifier = "aes" }', "env { a = 1 }"),
    ],
    ids=[
        "own-line-last",
        "own-line-with-comment",
        "own-line-trailing-commas",
        "one-line-first",
        "one-line-last",
        "one-line-trailing-comma",
        "one-line-only",
        "equals-quoted-key",
        "before-closing-brace",
        "after-opening-brace",
        "crlf",
        "no-final-newline",
    ],
)
def test_remove_entry_hocon(text: str, expected: str) -> None:
    assert remove_identifier(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"env": {"a": 1, "shade.identifier": "aes"}}', '{"env": {"a": 1}}'),
        ('{"env": {"shade.identifier": "aes", "a": 1}}', '{"env": {"a": 1}}'),
        ('{"env": {"shade.identifier": "aes"}}', '{"env": {}}'),
        (
            '{\n  "env": {\n    "a": 1,\n    "shade.identifier": "aes"\n  }\n}\n',
            '{\n  "env": {\n    "a": 1\n  }\n}\n',
        ),
        (
            '{\n  "env": {\n    "shade.identifier": "aes",\n    "a": 1\n  }\n}\n',
            '{\n  "env": {\n    "a": 1\n  }\n}\n',
        ),
        (
            '{\r\n  "env": {\r\n    "a": 1,\r\n    "shade.identifier": "aes"\r\n  }\r\n}\r\n',
            '{\r\n  "env": {\r\n    "a": 1\r\n  }\r\n}\r\n',
        ),
        ('{"env": {"a": 1,\n  "shade.identifier": "aes"}}', '{"env": {"a": 1}}'),
    ],
    ids=["last", "first", "only", "own-line-last", "own-line-first", "crlf", "wrapped"],
)
def test_remove_entry_json(text: str, expected: str) -> None:
    result = remove_identifier(text, "json")
    assert result == expected
    assert KEY not in json.loads(result)["env"]


PLUGINS = 'source { A { password = "c2VjcmV0LTE=" } }\nsink { B {} }\n'


@pytest.mark.parametrize(
    ("env", "expected_env"),
    [
        (
            'env {\n  shade.identifier = "base64"\n  shade.properties { x = 1 }\n  a = 1\n}\n',
            "env {\n  a = 1\n}\n",
        ),
        (
            'env { shade.identifier = "base64", shade.properties { x = 1 } }\n',
            "env { }\n",
        ),
        (
            'env { shade.properties = { x = 1 }, shade.identifier = "base64", a = 1 }\n',
            "env { a = 1 }\n",
        ),
        (
            'env { shade.identifier = "base64" }\nenv { shade.identifier = "base64", a = 1 }\n',
            "env { }\nenv { a = 1 }\n",
        ),
        (
            'env {\n  shade {\n    identifier = "base64"\n  }\n}\n',
            "env {\n  shade {\n  }\n}\n",
        ),
    ],
    ids=["own-lines", "one-line-both", "one-line-between", "duplicates", "nested"],
)
def test_decrypt_removes_shade_settings(env: str, expected_env: str) -> None:
    result = decrypt_text(loads(env + PLUGINS))
    assert result.text == expected_env + PLUGINS.replace('"c2VjcmV0LTE="', '"secret-1"')
    assert loads(result.text).job == result.job
    assert "shade.identifier" not in result.job["env"]
    assert "shade.properties" not in result.job["env"]
