from __future__ import annotations

import difflib
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stconfig import encryption_text
from stconfig.config import LoadedConfig, loads
from stconfig.encryption import EncryptionError, decrypt_job, sensitive_paths
from stconfig.encryption_text import decrypt_text, encrypt_text
from stconfig.shades.registry import find_shade

COMMENTED_HOCON = '''\
# Nightly copy of the orders table.
# Owner: data team

env {
  job.mode = "BATCH"      # run once
  shade.identifier = "base64"
}

source {
  // the replica, read-only
  Jdbc {
    url = "jdbc:mysql://127.0.0.1:3306/shop"
    user = "reader"
    username = reader
    password = "secret-1"   # rotated monthly

    query = "select * from orders"
  }
}

sink {
    Console {
        auth = """k2"""
    }
}
'''

CRLF_JSON = (
    '{\r\n  "env": {\r\n    "shade.identifier": "base64"\r\n  },\r\n'
    '  "source": [\r\n    {"plugin_name": "FakeSource", "password": "secret-1", "row.num": 5}\r\n'
    '  ],\r\n  "sink": [{"plugin_name": "Console", "token": "k1"}]\r\n}\r\n'
)


def loaded_from(text: str, name: str = "job.conf", **kwargs: Any) -> LoadedConfig:
    return loads(text, name=name, **kwargs)


def changed_regions(before: str, after: str) -> list[tuple[int, int]]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"]


def assert_only_values_changed(loaded: LoadedConfig, after: str, paths: list[tuple]) -> None:
    """Every byte that differs lies inside the span of one of the shaded values."""
    spans = [loaded.span(path) for path in paths]
    assert all(span is not None for span in spans)
    for start, end in changed_regions(loaded.text, after):
        assert any(s <= start and end <= e for s, e in spans), loaded.text[start - 20 : end + 20]


def test_in_place_hocon_changes_only_secret_values() -> None:
    loaded = loaded_from(COMMENTED_HOCON)
    result = encrypt_text(loaded)

    assert result.changed == [
        ("source", 0, "password"),
        ("source", 0, "username"),
        ("sink", 0, "auth"),
    ]
    assert_only_values_changed(loaded, result.text, result.changed)
    diff = [
        line
        for line in difflib.unified_diff(
            COMMENTED_HOCON.splitlines(), result.text.splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert diff == [
        "-    username = reader",
        '-    password = "secret-1"   # rotated monthly',
        '+    username = "cmVhZGVy"',
        '+    password = "c2VjcmV0LTE="   # rotated monthly',
        '-        auth = """k2"""',
        '+        auth = "azI="',
    ]


def test_in_place_hocon_round_trips_text() -> None:
    loaded = loaded_from(COMMENTED_HOCON)
    encrypted = encrypt_text(loaded)
    decrypted = decrypt_text(loaded_from(encrypted.text), keep_shade=True)
    assert decrypted.job == loaded.job
    assert decrypted.removed == []
    assert decrypted.text == COMMENTED_HOCON.replace(
        "username = reader", 'username = "reader"'
    ).replace('auth = """k2"""', 'auth = "k2"')


def test_in_place_json_keeps_bytes_and_key_order() -> None:
    loaded = loaded_from(CRLF_JSON, name="job.json")
    result = encrypt_text(loaded)
    assert_only_values_changed(loaded, result.text, result.changed)
    assert result.text == CRLF_JSON.replace('"secret-1"', '"c2VjcmV0LTE="').replace(
        '"k1"', '"azE="'
    )
    assert list(json.loads(result.text)["source"][0]) == ["plugin_name", "password", "row.num"]


def test_text_result_matches_library_job() -> None:
    loaded = loaded_from(COMMENTED_HOCON)
    result = encrypt_text(loaded)
    assert loads(result.text).job == result.job
    assert decrypt_job(result.job) == loaded.job


def test_substitution_is_left_as_written(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DB_PASSWORD", "secret-from-env")
    text = COMMENTED_HOCON.replace('password = "secret-1"', "password = ${DB_PASSWORD}")
    loaded = loaded_from(text)
    assert loaded.job["source"][0]["password"] == "secret-from-env"
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        result = encrypt_text(loaded)
    assert "password = ${DB_PASSWORD}" in result.text
    assert "secret-from-env" not in result.text
    assert ("source", 0, "password") in result.skipped
    assert ("source", 0, "password") not in result.changed
    assert "source[0].password is written with a ${...} variable" in caplog.text
    assert "secret-from-env" not in caplog.text


@pytest.mark.parametrize(
    "written",
    ['"${DB_PASSWORD}"', '"pre-"${DB_PASSWORD}', '${DB_PASSWORD}"-post"', '"x"${?UNSET}"y"'],
)
def test_placeholders_and_concatenations_are_skipped(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    monkeypatch.setenv("DB_PASSWORD", "secret-from-env")
    text = COMMENTED_HOCON.replace('password = "secret-1"', f"password = {written}")
    loaded = loaded_from(text, variables={"DB_PASSWORD": "secret-from-var"})
    result = encrypt_text(loaded, variables={"DB_PASSWORD": "secret-from-var"})
    assert f"password = {written}" in result.text
    assert "secret-from" not in result.text
    assert result.skipped == [("source", 0, "password")]


@pytest.mark.parametrize("secret", ["${", "a${b", "${}", "${:x}", "$"])
def test_dollar_without_variable_is_encrypted(secret: str) -> None:
    text = COMMENTED_HOCON.replace('"secret-1"', json.dumps(secret))
    loaded = loaded_from(text)
    result = encrypt_text(loaded)
    assert ("source", 0, "password") in result.changed
    assert result.skipped == []
    assert decrypt_text(loaded_from(result.text)).job["source"][0]["password"] == secret


def test_literal_concatenation_is_encrypted() -> None:
    text = COMMENTED_HOCON.replace('password = "secret-1"', "password = secret one")
    loaded = loaded_from(text)
    result = encrypt_text(loaded)
    assert 'password = "c2VjcmV0IG9uZQ=="' in result.text
    assert result.skipped == []


def test_identifier_override_replaces_value(aes_key: str) -> None:
    loaded = loaded_from(COMMENTED_HOCON)
    result = encrypt_text(loaded, identifier="aes")
    assert 'shade.identifier = "aes"' in result.text
    assert 'shade.identifier = "base64"' not in result.text
    assert loads(result.text).job["source"][0]["password"].startswith("aes:v1:")
    assert decrypt_text(loaded_from(result.text), keep_shade=True).job == {
        **loaded.job,
        "env": {**loaded.job["env"], "shade.identifier": "aes"},
    }


@pytest.mark.parametrize(
    ("text", "inserted"),
    [
        (
            'env {\n  job.mode = "BATCH"\n}\nsource { A { password = "p" } }\nsink { B {} }\n',
            'env {\n  shade.identifier = "aes"\n  job.mode = "BATCH"\n}',
        ),
        (
            'env {}\nsource { A { password = "p" } }\nsink { B {} }\n',
            'env { shade.identifier = "aes" }',
        ),
        (
            '# no env\nsource { A { password = "p" } }\nsink { B {} }\n',
            '# no env\nenv {\n  shade.identifier = "aes"\n}\nsource {',
        ),
        (
            '{\n  source { A { password = "p" } }\n  sink { B {} }\n}\n',
            '{\n  env {\n    shade.identifier = "aes"\n  }\n  source {',
        ),
    ],
    ids=["env-with-options", "empty-env", "no-env", "root-braces"],
)
def test_identifier_added_to_hocon(aes_key: str, text: str, inserted: str) -> None:
    result = encrypt_text(loaded_from(text), identifier="aes")
    assert inserted in result.text
    assert loads(result.text).job["env"]["shade.identifier"] == "aes"


PLUGINS = 'source { A { password = "p" } }\nsink { B {} }\n'


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ('env { job.mode = "BATCH" }\n', 'env { shade.identifier = "aes", job.mode = "BATCH" }\n'),
        (
            'env { job.mode = "BATCH", }\n',
            'env { shade.identifier = "aes", job.mode = "BATCH", }\n',
        ),
        (
            'env {\n  job.mode = "BATCH",\n  parallelism = 1,\n}\n',
            'env {\n  shade.identifier = "aes"\n  job.mode = "BATCH",\n  parallelism = 1,\n}\n',
        ),
        ("env {\n}\n", 'env {\n  shade.identifier = "aes"\n}\n'),
        (
            'env = { job.mode = "BATCH" }\n',
            'env = { shade.identifier = "aes", job.mode = "BATCH" }\n',
        ),
        (
            'env = {\n    job.mode = "BATCH"\n}\n',
            'env = {\n    shade.identifier = "aes"\n    job.mode = "BATCH"\n}\n',
        ),
        ("env: {job.mode: BATCH}\n", 'env: {shade.identifier = "aes", job.mode: BATCH}\n'),
        (
            'env { "job.mode" = "BATCH" } # nightly\n',
            'env { shade.identifier = "aes", "job.mode" = "BATCH" } # nightly\n',
        ),
    ],
    ids=[
        "one-line",
        "one-line-trailing-comma",
        "trailing-commas",
        "empty-on-two-lines",
        "equals-one-line",
        "equals-several-lines",
        "colons",
        "quoted-key-and-comment",
    ],
)
def test_identifier_added_to_env_layouts(aes_key: str, env: str, expected: str) -> None:
    result = encrypt_text(loaded_from(env + PLUGINS), identifier="aes")
    assert result.text.startswith(expected)
    assert loads(result.text).job["env"]["shade.identifier"] == "aes"


@pytest.mark.parametrize(
    ("text", "inserted"),
    [
        (
            'env {\r\n  job.mode = "BATCH"\r\n}\r\n' + PLUGINS.replace("\n", "\r\n"),
            'env {\r\n  shade.identifier = "aes"\r\n  job.mode = "BATCH"\r\n}\r\n',
        ),
        (
            "# no env\r\n" + PLUGINS.replace("\n", "\r\n"),
            '# no env\r\nenv {\r\n  shade.identifier = "aes"\r\n}\r\nsource {',
        ),
        (
            "env {}\r\n" + PLUGINS.replace("\n", "\r\n"),
            'env { shade.identifier = "aes" }\r\n',
        ),
    ],
    ids=["env-with-options", "no-env", "empty-env"],
)
def test_identifier_added_with_crlf(aes_key: str, text: str, inserted: str) -> None:
    result = encrypt_text(loaded_from(text), identifier="aes")
    assert inserted in result.text
    assert result.text.count("\n") == result.text.count("\r\n")


@pytest.mark.parametrize(
    ("text", "inserted"),
    [
        (
            '{ source { A { password = "p" } }, sink { B {} } }',
            '{ env { shade.identifier = "aes" }, source {',
        ),
        (
            'source { A { password = "p" } } sink { B {} } env { job.mode = "BATCH" }',
            'env { shade.identifier = "aes", job.mode = "BATCH" }',
        ),
    ],
    ids=["root-braces-one-line", "env-last-on-one-line"],
)
def test_identifier_added_to_one_line_job(aes_key: str, text: str, inserted: str) -> None:
    result = encrypt_text(loaded_from(text), identifier="aes")
    assert inserted in result.text
    assert loads(result.text).job["env"]["shade.identifier"] == "aes"


def test_identifier_not_added_to_non_object_env() -> None:
    loaded = loaded_from('env = "BATCH"\n' + PLUGINS)
    with pytest.raises(EncryptionError, match=r"^job.conf: env is a string, not an object"):
        encrypt_text(loaded, identifier="base64")


def test_failed_rewrite_is_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_edit(loaded: LoadedConfig, identifier: str) -> tuple[int, int, str]:
        return (0, 0, "= = =")

    monkeypatch.setattr(encryption_text, "_identifier_edit", broken_edit)
    loaded = loaded_from('env { job.mode = "BATCH" }\n' + PLUGINS)
    with pytest.raises(EncryptionError) as raised:
        encrypt_text(loaded, identifier="base64")
    message = str(raised.value)
    assert message.startswith("job.conf: internal error: the rewritten config does not load")
    assert "bug in stconfig" in message
    assert "job.conf:1:" not in message


@pytest.mark.parametrize(
    ("text", "inserted"),
    [
        (
            '{\n  "env": {\n    "job.mode": "BATCH"\n  },\n  "source": [{"plugin_name": "A",'
            ' "password": "p"}],\n  "sink": [{"plugin_name": "B"}]\n}\n',
            '"env": {\n    "shade.identifier": "aes",\n    "job.mode": "BATCH"\n  }',
        ),
        (
            '{"env": {}, "source": [{"plugin_name": "A", "password": "p"}],'
            ' "sink": [{"plugin_name": "B"}]}',
            '{"env": {"shade.identifier": "aes"}, "source"',
        ),
        (
            '{"source": [{"plugin_name": "A", "password": "p"}], "sink": [{"plugin_name": "B"}]}',
            '{"env": {"shade.identifier": "aes"}, "source"',
        ),
    ],
    ids=["env-with-options", "empty-env", "no-env"],
)
def test_identifier_added_to_json(aes_key: str, text: str, inserted: str) -> None:
    result = encrypt_text(loaded_from(text, name="job.json"), identifier="aes")
    assert inserted in result.text
    assert json.loads(result.text)["env"]["shade.identifier"] == "aes"


def test_aes_tokens_left_alone_in_text(aes_key: str) -> None:
    loaded = loaded_from(COMMENTED_HOCON)
    once = encrypt_text(loaded, identifier="aes")
    twice = encrypt_text(loaded_from(once.text))
    assert twice.text == once.text
    assert twice.changed == []


def test_appended_list_cannot_be_rewritten() -> None:
    text = (
        'env { shade.identifier = "base64", shade.options = [keys] }\n'
        'source { A { keys += "k1"\n keys += "k2" } }\nsink { B {} }\n'
    )
    with pytest.raises(EncryptionError, match=r"job.conf: cannot find where source\[0\].keys\[0\]"):
        encrypt_text(loaded_from(text))


def test_decrypt_without_identifier_keeps_text(caplog: pytest.LogCaptureFixture) -> None:
    text = COMMENTED_HOCON.replace('  shade.identifier = "base64"\n', "")
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        result = decrypt_text(loaded_from(text))
    assert result.text == text
    assert result.changed == []
    assert "nothing to decrypt" in caplog.text


def test_text_errors_name_the_file() -> None:
    text = COMMENTED_HOCON.replace('password = "secret-1"', 'password = "not_base64!"')
    with pytest.raises(EncryptionError, match=r"^job.conf: source\[0\].password: cannot decrypt"):
        decrypt_text(loaded_from(text))


def test_unicode_values_round_trip_in_text(aes_key: str) -> None:
    secret = 'пароль "quoted" \\ back\tslash 密码 🙂'
    text = COMMENTED_HOCON.replace('"secret-1"', json.dumps(secret, ensure_ascii=False))
    loaded = loaded_from(text)
    assert loaded.job["source"][0]["password"] == secret
    encrypted = encrypt_text(loaded, identifier="aes")
    decrypted = decrypt_text(loaded_from(encrypted.text))
    assert decrypted.job["source"][0]["password"] == secret


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(), st.sampled_from(["base64", "aes"]))
def test_text_round_trip_any_secret(aes_key: str, secret: str, identifier: str) -> None:
    text = COMMENTED_HOCON.replace('"secret-1"', json.dumps(secret, ensure_ascii=False))
    loaded = loaded_from(text)
    encrypted = encrypt_text(loaded, identifier=identifier)
    shade = find_shade(identifier)
    assert set(encrypted.changed) == set(sensitive_paths(loaded.job, shade))
    decrypted = decrypt_text(loaded_from(encrypted.text))
    assert decrypted.job["source"][0]["password"] == secret
    assert decrypted.job["sink"] == loaded.job["sink"]


def test_plain_value_left_elsewhere_warns(caplog: pytest.LogCaptureFixture) -> None:
    text = COMMENTED_HOCON.replace(
        '    password = "secret-1"   # rotated monthly\n',
        '    password = "old-secret-0"\n    # was old-secret-0 until May\n'
        '    password = "secret-1"   # rotated monthly\n',
    ).replace("username = reader", 'username = "old-secret-0"')
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        result = encrypt_text(loaded_from(text))
    assert result.text.count("old-secret-0") == 2
    messages = [record.getMessage() for record in caplog.records]
    leftovers = [message for message in messages if "still appears here" in message]
    assert len(leftovers) == 1
    assert leftovers[0].startswith("job.conf:15: the plain value of source[0].username")
    assert all("old-secret-0" not in message for message in messages)
