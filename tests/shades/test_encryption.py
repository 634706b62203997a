from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shade_helpers import assert_secret_free, new_key

from stconfig.config import loads
from stconfig.encryption import (
    DEFAULT_SENSITIVE_OPTIONS,
    MASK,
    EncryptionError,
    decrypt_job,
    encrypt_job,
    format_path,
    mask_secrets,
    mask_text,
    sensitive_paths,
)
from stconfig.shades import UnknownShadeError
from stconfig.shades.registry import find_shade

# The encrypt-config example of SeaTunnel's REST API description: request and response.
ENCRYPT_CONFIG_BODY = """{
"env": {"parallelism": 1, "shade.identifier": "base64"},
"source": [{
  "plugin_name": "MySQL-CDC",
  "schema": {"fields": {"name": "string", "age": "int"}},
  "result_table_name": "fake",
  "parallelism": 1,
  "hostname": "127.0.0.1",
  "username": "seatunnel",
  "password": "seatunnel_password",
  "table-name": "inventory_vwyw0n"
}],
"transform": [],
"sink": [{
  "plugin_name": "Clickhouse",
  "host": "localhost:8123",
  "database": "default",
  "table": "fake_all",
  "username": "seatunnel",
  "password": "seatunnel_password"
}]
}"""

# A job that lists extra sensitive options, written with dotted, nested and list values.
CUSTOM_OPTIONS_HOCON = """
env {
  shade.identifier = "base64"
  shade.options = ["f1", "config1.f1", "config2.list", "config3.f2"]
}
source {
  FakeSource {
    username = "user1", password = "secret-1"
    f1 = "k1", config1.f1 = "k1", config2.list = ["k1", "k2"], config3 = { f2 = "k2" }
    other = "keep", port = 5432, enabled = true
    schema { fields { id = int } }
  }
}
transform { FieldMapper { token = "k1", field_mapper { id = id } } }
sink { Console { auth = "k2" } }
"""


def job_from(text: str, **kwargs: Any) -> dict[str, Any]:
    return loads(text, name="job.conf", **kwargs).job


def base_job(**source_options: Any) -> dict[str, Any]:
    return {
        "env": {"job.mode": "BATCH", "shade.identifier": "base64"},
        "source": [{"plugin_name": "FakeSource", **source_options}],
        "transform": [],
        "sink": [{"plugin_name": "Console"}],
    }


def test_encrypt_config_example_matches_documented_response() -> None:
    job = json.loads(ENCRYPT_CONFIG_BODY)
    result = encrypt_job(job)

    expected = copy.deepcopy(job)
    for block in (expected["source"][0], expected["sink"][0]):
        block["username"] = "c2VhdHVubmVs"
        block["password"] = "c2VhdHVubmVsX3Bhc3N3b3Jk"
    assert json.dumps(result) == json.dumps(expected)  # the same values in the same key order
    assert job == json.loads(ENCRYPT_CONFIG_BODY)  # the input is not changed


def test_custom_options_nested_paths_and_lists() -> None:
    result = encrypt_job(job_from(CUSTOM_OPTIONS_HOCON))
    source = result["source"][0]
    assert source["username"] == "dXNlcjE="
    assert source["password"] == "c2VjcmV0LTE="
    assert source["f1"] == "azE="
    assert source["config1.f1"] == "azE="
    assert source["config2.list"] == ["azE=", "azI="]
    assert source["config3"] == {"f2": "azI="}
    assert source["other"] == "keep"
    assert source["port"] == 5432
    assert source["enabled"] is True
    assert source["schema"] == {"fields": {"id": "int"}}
    assert result["transform"][0]["token"] == "azE="
    assert result["transform"][0]["field_mapper"] == {"id": "id"}
    assert result["sink"][0]["auth"] == "azI="


def test_custom_options_round_trip() -> None:
    job = job_from(CUSTOM_OPTIONS_HOCON)
    assert decrypt_job(encrypt_job(job)) == job


def test_dotted_and_nested_spelling_encrypt_alike() -> None:
    dotted = job_from(CUSTOM_OPTIONS_HOCON)
    nested = job_from(CUSTOM_OPTIONS_HOCON.replace('config1.f1 = "k1"', 'config1 { f1 = "k1" }'))
    assert nested["source"][0]["config1"] == {"f1": "k1"}
    assert encrypt_job(nested)["source"][0]["config1"] == {"f1": "azE="}
    assert encrypt_job(dotted)["source"][0]["config1.f1"] == "azE="


def test_quoted_identifier_key_is_found() -> None:
    text = """
    env { "shade.identifier" = "base64", job.mode = "BATCH" }
    source { FakeSource { row.num = 16, "split.num" = 2, plugin_output = "t",
                          password = "c2VjcmV0LTE=", schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    job = job_from(text)
    assert decrypt_job(job)["source"][0]["password"] == "secret-1"


def test_hocon_and_json_decrypt_to_equal_jobs() -> None:
    hocon = """
    env { job.mode = "BATCH", shade.identifier = "base64" }
    source { FakeSource { plugin_output = "t", row.num = 1, username = "dXNlcjE=",
                          password = "c2VjcmV0LTE=", schema { fields { id = int } } } }
    sink { Console { plugin_input = "t" } }
    """
    json_text = json.dumps(
        {
            "env": {"job.mode": "BATCH", "shade.identifier": "base64"},
            "source": [
                {
                    "plugin_name": "FakeSource",
                    "plugin_output": "t",
                    "row.num": 1,
                    "username": "dXNlcjE=",
                    "password": "c2VjcmV0LTE=",
                    "schema": {"fields": {"id": "int"}},
                }
            ],
            "sink": [{"plugin_name": "Console", "plugin_input": "t"}],
        }
    )
    from_hocon = decrypt_job(loads(hocon, format="hocon").job)
    from_json = decrypt_job(loads(json_text, format="json").job)
    assert from_hocon == from_json
    assert from_hocon["source"][0]["username"] == "user1"
    assert from_hocon["source"][0]["password"] == "secret-1"


@pytest.mark.parametrize("operation", [encrypt_job, decrypt_job])
def test_unknown_identifier_is_an_error(operation: Any) -> None:
    job = base_job(password="secret-1")
    job["env"]["shade.identifier"] = "myprotection"
    with pytest.raises(UnknownShadeError, match="'myprotection'.*installed shades: aes, base64"):
        operation(job)


def test_identifier_lookup_ignores_case() -> None:
    job = base_job(password="secret-1")
    job["env"]["shade.identifier"] = "BASE64"
    result = encrypt_job(job)
    assert result["source"][0]["password"] == "c2VjcmV0LTE="
    assert result["env"]["shade.identifier"] == "BASE64"


def test_encrypt_without_identifier_is_an_error() -> None:
    job = base_job(password="secret-1")
    del job["env"]["shade.identifier"]
    with pytest.raises(EncryptionError, match="no shade chosen.*--identifier"):
        encrypt_job(job)


def test_decrypt_without_identifier_returns_copy() -> None:
    job = base_job(password="secret-1")
    del job["env"]["shade.identifier"]
    result = decrypt_job(job)
    assert result == job
    assert result is not job
    assert result["source"] is not job["source"]


def test_default_identifier_is_pass_through_for_decrypt_only() -> None:
    job = base_job(password="secret-1")
    job["env"]["shade.identifier"] = "default"
    assert decrypt_job(job) == job
    with pytest.raises(EncryptionError, match="leaves values in plain text"):
        encrypt_job(job)


def test_identifier_override_is_recorded(aes_key: str) -> None:
    job = base_job(password="secret-1")
    encrypted = encrypt_job(job, identifier="aes")
    assert encrypted["env"]["shade.identifier"] == "aes"
    assert encrypted["source"][0]["password"].startswith("aes:v1:")
    assert decrypt_job(encrypted)["source"][0]["password"] == "secret-1"


def test_identifier_added_to_job_without_env(aes_key: str) -> None:
    job = base_job(password="secret-1")
    del job["env"]
    encrypted = encrypt_job(job, identifier="aes")
    assert encrypted["env"] == {"shade.identifier": "aes"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda job: job.update(source=[]), "the source block is empty"),
        (lambda job: job.update(sink=[]), "the sink block is empty"),
        (lambda job: job.pop("source"), "the job has no source block"),
        (lambda job: job.pop("sink"), "the job has no sink block"),
        (lambda job: job.update(sink={"plugin_name": "Console"}), "sink must be a list"),
        (lambda job: job.update(transform="x"), "transform must be a list"),
    ],
)
@pytest.mark.parametrize("operation", [encrypt_job, decrypt_job])
def test_bad_job_structure_is_an_error(operation: Any, change: Any, message: str) -> None:
    job = base_job(password="secret-1")
    change(job)
    with pytest.raises(EncryptionError, match=message):
        operation(job)


def test_non_string_values_stay_and_warn(caplog: pytest.LogCaptureFixture) -> None:
    job = base_job(password=123456, token=True, auth=None, username={"inner": "x"})
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        result = encrypt_job(job)
    assert result["source"][0]["password"] == 123456
    assert result["source"][0]["token"] is True
    assert result["source"][0]["auth"] is None
    assert result["source"][0]["username"] == {"inner": "x"}
    assert "source[0].password is a number, not a string, so it stays in plain text" in caplog.text
    assert "source[0].token is a boolean" in caplog.text
    assert "source[0].username is an object" in caplog.text
    assert "123456" not in caplog.text


def test_job_without_sensitive_options_warns(caplog: pytest.LogCaptureFixture) -> None:
    job = base_job(user="reader", url="jdbc:mysql://db/app")
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        result = encrypt_job(job)
    assert result["source"] == job["source"]
    assert "the job has none of the sensitive options (password, username" in caplog.text
    assert 'list the options to protect in env."shade.options"' in caplog.text


def test_list_elements_handled_one_by_one() -> None:
    job = base_job(token=["k1", 7, "k2"])
    result = encrypt_job(job)
    assert result["source"][0]["token"] == ["azE=", 7, "azI="]


def test_option_names_match_exactly() -> None:
    job = base_job(Password="secret-1", user_password="secret-1", password_hint="hint")
    result = encrypt_job(job)
    assert result["source"][0] == job["source"][0]


def test_env_values_are_not_touched() -> None:
    job = base_job(password="secret-1")
    job["env"]["password"] = "keep"
    assert encrypt_job(job)["env"]["password"] == "keep"


def test_plugin_name_is_never_shaded() -> None:
    job = base_job(password="secret-1")
    job["env"]["shade.options"] = ["plugin_name"]
    assert encrypt_job(job)["source"][0]["plugin_name"] == "FakeSource"


def test_bad_shade_options_is_an_error() -> None:
    job = base_job(password="secret-1")
    job["env"]["shade.options"] = "f1"
    with pytest.raises(EncryptionError, match=r'env."shade.options" must be a list'):
        encrypt_job(job)


def test_bad_shade_properties_is_an_error() -> None:
    job = base_job(password="secret-1")
    job["env"]["shade.properties"] = "key.txt"
    with pytest.raises(EncryptionError, match=r'env."shade.properties" must be an object'):
        encrypt_job(job)


def test_aes_tokens_are_not_encrypted_twice(aes_key: str) -> None:
    job = base_job(password="secret-1", token="t0k")
    once = encrypt_job(job, identifier="aes")
    twice = encrypt_job(once)
    assert twice == once
    assert decrypt_job(twice)["source"][0]["password"] == "secret-1"


def test_key_file_from_shade_properties(tmp_path: Path) -> None:
    key_file = tmp_path / "job.key"
    key_file.write_text(new_key() + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    job = base_job(password="secret-1")
    job["env"]["shade.identifier"] = "aes"
    job["env"]["shade.properties"] = {"key_file": str(key_file)}
    encrypted = encrypt_job(job)
    assert encrypted["env"]["shade.properties"] == {"key_file": str(key_file)}
    assert decrypt_job(encrypted) == job


def test_key_files_argument_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first.key", tmp_path / "second.key"
    for path in (first, second):
        path.write_text(new_key() + "\n", encoding="utf-8")
        path.chmod(0o600)
    job = base_job(password="secret-1")
    job["env"]["shade.identifier"] = "aes"
    job["env"]["shade.properties"] = {"key_file": str(second)}
    encrypted = encrypt_job(job, key_files=[str(first)])
    assert decrypt_job(encrypted, key_files=[str(first)]) == job

    job["env"]["shade.properties"] = {}
    encrypted["env"]["shade.properties"] = {}
    with pytest.raises(EncryptionError, match="source\\[0\\].password: cannot decrypt"):
        decrypt_job(encrypted, key_files=[str(second)])


def test_wrong_key_error_names_field_only(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = new_key(), new_key()
    monkeypatch.setenv("STCONFIG_AES_KEY", first)
    job = base_job(username="user1")
    job["sink"][0]["password"] = "secret-1"
    encrypted = encrypt_job(job, identifier="aes")
    encrypted["source"][0]["username"] = "user1-is-now-plain"
    monkeypatch.setenv("STCONFIG_AES_KEY", second)
    with pytest.raises(EncryptionError) as caught:
        decrypt_job(encrypted)
    message = str(caught.value)
    assert message.startswith("source[0].username: cannot decrypt with the aes shade")
    assert_secret_free(
        message,
        "user1",
        "secret-1",
        first,
        second,
        encrypted["sink"][0]["password"],
    )


def test_tampered_token_error_names_field(aes_key: str) -> None:
    job = base_job()
    job["sink"][0]["password"] = "secret-1"
    encrypted = encrypt_job(job, identifier="aes")
    token = encrypted["sink"][0]["password"]
    encrypted["sink"][0]["password"] = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(EncryptionError, match=r"^sink\[0\].password: cannot decrypt") as caught:
        decrypt_job(encrypted)
    assert_secret_free(str(caught.value), "secret-1", token, aes_key)


def test_missing_key_error_names_field() -> None:
    job = base_job()
    job["sink"][0]["password"] = "secret-1"
    with pytest.raises(EncryptionError, match=r"^sink\[0\].password: .*no AES key"):
        encrypt_job(job, identifier="aes")


def test_missing_key_error_claims_no_option() -> None:
    job = base_job()
    job["env"]["shade.identifier"] = "aes"
    job["sink"][0]["password"] = "aes:v1:" + "A" * 40
    with pytest.raises(EncryptionError) as caught:
        decrypt_job(job)
    message = str(caught.value)
    assert message.startswith("sink[0].password: cannot decrypt with the aes shade: no AES key")
    assert "set STCONFIG_AES_KEY where stconfig runs" in message
    assert "pass --key-file FILE to stconfig encrypt, decrypt or run" in message
    assert "start the node with --key-file FILE (for a submitted job)" in message
    assert "or pass --key-file," not in message
    assert "keygen" not in message


def test_sensitive_paths_lists_string_values() -> None:
    job = job_from(CUSTOM_OPTIONS_HOCON)
    paths = sensitive_paths(job, find_shade("base64"))
    assert paths == [
        ("source", 0, "password"),
        ("source", 0, "username"),
        ("source", 0, "f1"),
        ("source", 0, "config1.f1"),
        ("source", 0, "config2.list", 0),
        ("source", 0, "config2.list", 1),
        ("source", 0, "config3", "f2"),
        ("transform", 0, "token"),
        ("sink", 0, "auth"),
    ]


def test_sensitive_paths_without_shade_uses_defaults() -> None:
    job = base_job(password="p", port=1, secret_key="s")
    assert sensitive_paths(job) == [("source", 0, "password"), ("source", 0, "secret_key")]
    assert "access_key" in DEFAULT_SENSITIVE_OPTIONS


def test_shade_sensitive_options_are_used() -> None:
    class SuffixShade:
        identifier = "suffix"
        encrypts = False
        sensitive_options = ("dsn",)

        def open(self, properties: dict) -> None: ...

        def encrypt(self, value: str) -> str:
            return value + "!"

        def decrypt(self, value: str) -> str:
            return value[:-1]

    job = base_job(dsn="host=db", password="p")
    assert sensitive_paths(job, SuffixShade()) == [
        ("source", 0, "password"),
        ("source", 0, "dsn"),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("sink", 0, "password"), "sink[0].password"),
        (("source", 1, "config1.f1"), 'source[1]."config1.f1"'),
        (("source", 0, "config2.list", 1), 'source[0]."config2.list"[1]'),
        (("source", 0, "config3", "f2"), "source[0].config3.f2"),
    ],
)
def test_format_path(path: tuple, text: str) -> None:
    assert format_path(path) == text


# Masking


def test_mask_secrets_at_any_depth() -> None:
    value = {
        "env": {"shade.identifier": "aes"},
        "source": [
            {
                "plugin_name": "Jdbc",
                "password": "secret-1",
                "Password": "secret-2",
                "DB_PASSWORD": "secret-3",
                "fs.s3a.secret.key": "secret-4",
                "nested": {"token": "secret-5", "list": [{"auth": "secret-6"}]},
                "access_key": ["secret-7", "secret-8"],
                "credentials": {"user": "secret-9"},
                "port": 5432,
                "query": "select password from users",
            }
        ],
    }
    original = copy.deepcopy(value)

    masked = mask_secrets(value)

    source = masked["source"][0]
    assert value == original
    assert source["password"] == MASK
    assert source["Password"] == MASK
    assert source["DB_PASSWORD"] == MASK
    assert source["fs.s3a.secret.key"] == MASK
    assert source["nested"]["token"] == MASK
    assert source["nested"]["list"][0]["auth"] == MASK
    assert source["access_key"] == [MASK, MASK]
    assert source["credentials"] == {"user": MASK}
    assert source["port"] == 5432
    assert source["plugin_name"] == "Jdbc"
    assert source["query"] == "select password from users"
    assert masked["env"] == {"shade.identifier": "aes"}
    assert "secret-" not in json.dumps(masked)


def test_mask_secrets_uses_shade_options() -> None:
    job = job_from(CUSTOM_OPTIONS_HOCON)
    masked = mask_secrets(job)
    source = masked["source"][0]
    assert source["f1"] == MASK
    assert source["config1.f1"] == MASK
    assert source["config2.list"] == [MASK, MASK]
    assert source["config3"]["f2"] == MASK
    assert source["other"] == "keep"


def test_mask_secrets_in_free_text() -> None:
    error = (
        "connect failed: jdbc:mysql://db:3306/app?user=root&password=secret-1&ssl=true; "
        'body {"token": "secret-2", "x": 1}; url postgres://admin:secret-3@db/app; '
        "secret_key=secret-4 auth: secret-5"
    )
    masked = mask_secrets({"errorMsg": error, "list": [error]})
    for text in (masked["errorMsg"], masked["list"][0]):
        assert "secret-" not in text
        assert "password=******&ssl=true" in text
        assert '"token": "******"' in text
        assert "postgres://admin:******@db/app" in text


def test_mask_secrets_in_text_with_any_separator() -> None:
    text = "sasl.jaas.config=secret-1 fs.s3a.secret-key: secret-2 Client_Secret = secret-3"
    masked = mask_secrets(text)
    assert masked == "sasl.jaas.config=****** fs.s3a.secret-key: ****** Client_Secret = ******"


def test_mask_secrets_in_long_text() -> None:
    # Long runs of word characters once made masking quadratic in the text's length.
    long_word = "a" * 200_000
    dotted = "b.c-d_" * 30_000
    text = f"{long_word} password=secret-1 {dotted} jdbc:mysql://root:secret-2@db/app"
    masked = mask_text(text)
    assert "secret-" not in masked
    assert masked.startswith(long_word + " password=******")
    assert masked.endswith("jdbc:mysql://root:******@db/app")


@pytest.mark.parametrize(
    "message",
    [
        "source[0].password: cannot decrypt with the aes shade: the key is wrong",
        "sink[1].auth: cannot encrypt with the base64 shade",
        "source[0].conf.token: is a number, not a string",
        'source[0]."db.password": cannot decrypt with the aes shade',
        'source[0]."a.b".secret_key: cannot decrypt with the aes shade',
        "$.sink[0].access_key = is not allowed here",
        "source[0].password[1]: cannot decrypt",
    ],
)
def test_mask_text_keeps_field_paths(message: str) -> None:
    assert mask_text(message) == message


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("password: hunter2", "password: ******"),
        ("password=hunter2", "password=******"),
        ('"token": "x"', '"token": "******"'),
        ("{'auth': 'x'}", "{'auth': '******'}"),
        ("mysql://root:hunter2@127.0.0.1/app", "mysql://root:******@127.0.0.1/app"),
        ("spark.password=hunter2", "spark.password=******"),
        ("failed (password=hunter2)", "failed (password=******)"),
        (
            "source[0].url: jdbc:mysql://h/db?user=u&password=hunter2",
            "source[0].url: jdbc:mysql://h/db?user=u&password=******",
        ),
    ],
)
def test_mask_text_masks_secrets_after_paths(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_mask_secrets_on_scalars() -> None:
    assert mask_secrets("password=hunter2") == "password=******"
    assert mask_secrets(42) == 42
    assert mask_secrets(None) is None
    assert mask_secrets(("token: a", 1)) == ("token: ******", 1)


# Property tests

SENSITIVE_TEXT = st.text() | st.text(min_size=500, max_size=3000)


def job_with(values: dict[str, Any], identifier: str) -> dict[str, Any]:
    job = base_job(**values)
    job["env"]["shade.identifier"] = identifier
    job["env"]["shade.options"] = ["extra.list", "nested.deep"]
    return job


JOB_VALUES = st.fixed_dictionaries(
    {
        "password": SENSITIVE_TEXT,
        "username": st.text(),
        "extra.list": st.lists(st.text(), max_size=4),
        "nested": st.fixed_dictionaries({"deep": st.text(), "other": st.text()}),
        "row.num": st.integers(),
    }
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JOB_VALUES)
def test_base64_job_round_trip(values: dict[str, Any]) -> None:
    job = job_with(values, "base64")
    encrypted = encrypt_job(job)
    assert decrypt_job(encrypted) == job


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JOB_VALUES)
def test_aes_job_round_trip(aes_key: str, values: dict[str, Any]) -> None:
    job = job_with(values, "aes")
    encrypted = encrypt_job(job)
    assert encrypted["source"][0]["password"].startswith("aes:v1:")
    assert decrypt_job(encrypted) == job
