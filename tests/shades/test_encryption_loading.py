from __future__ import annotations

import logging

import pytest

from stconfig.config import loads
from stconfig.encryption import EncryptionError
from stconfig.encryption_loading import (
    check_shade_settings_filled,
    loads_keeping_variables,
    variables_named_in,
)
from stconfig.errors import ConfigFileError, VariableError

PLUGINS = "source { A { password = ${PW} } }\nsink { B {} }\n"


def test_unfilled_variable_kept_as_text() -> None:
    loaded = loads_keeping_variables(
        'env { job.mode = "BATCH" }\n' + PLUGINS, name="job.conf", variables={}
    )
    assert loaded.job["source"][0]["password"] == "${PW}"
    assert loaded.span(("source", 0, "password")) is not None


def test_given_variable_is_filled() -> None:
    loaded = loads_keeping_variables(PLUGINS, name="job.conf", variables={"PW": "from-var"})
    assert loaded.job["source"][0]["password"] == "from-var"


def test_environment_variable_is_filled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW", "from-env")
    loaded = loads_keeping_variables(PLUGINS, name="job.conf", variables={})
    assert loaded.job["source"][0]["password"] == "from-env"


def test_optional_unfilled_variable_left_out() -> None:
    text = "env { shade.properties { key_file = ${?KEY_FILE} } }\n" + PLUGINS
    loaded = loads_keeping_variables(text, name="job.conf", variables={})
    assert loaded.job["env"]["shade.properties"] == {}
    assert loaded.job["source"][0]["password"] == "${PW}"


def test_quoted_placeholder_as_loads_does() -> None:
    text = 'source { A { password = "${PW}", url = "${HOST:localhost}/db" } }\nsink { B {} }\n'
    loaded = loads_keeping_variables(text, name="job.conf", variables={})
    assert loaded.job == loads(text).job
    assert loaded.job["source"][0]["password"] == "${PW}"
    assert loaded.job["source"][0]["url"] == "localhost/db"


def test_text_without_variables_as_loads_does() -> None:
    text = '{"source": [{"plugin_name": "A", "password": "${PW}"}], "sink": []}'
    loaded = loads_keeping_variables(text, name="job.json", variables={}, format="json")
    assert loaded.job == loads(text, format="json").job
    assert loaded.format == "json"


def test_empty_text_fails_as_loads_does() -> None:
    with pytest.raises(ConfigFileError, match="^job.conf: is empty"):
        loads_keeping_variables("  \n", name="job.conf", variables={})


def test_reserved_variable_still_rejected() -> None:
    with pytest.raises(VariableError, match="--var table_name"):
        loads_keeping_variables(PLUGINS, name="job.conf", variables={"table_name": "x"})


@pytest.mark.parametrize(
    ("env", "path"),
    [
        ("shade.identifier = ${SHADE}", 'env."shade.identifier"'),
        ("shade.properties { key_file = ${KEY_FILE} }", 'env."shade.properties".key_file'),
        ("shade.options = [${OPTION}]", 'env."shade.options"[0]'),
    ],
    ids=["identifier", "key-file", "options"],
)
def test_unfilled_shade_setting_rejected(env: str, path: str) -> None:
    loaded = loads_keeping_variables(f"env {{ {env} }}\n{PLUGINS}", name="job.conf", variables={})
    with pytest.raises(EncryptionError) as caught:
        check_shade_settings_filled(loaded.job, identifier_given=False)
    variable = env.split("${")[1].split("}")[0]
    assert str(caught.value) == (
        f"{path} is the variable ${{{variable}}}, which has no value; pass "
        f"--var {variable}=VALUE or set the environment variable {variable}"
    )


def test_unfilled_identifier_allowed_when_given() -> None:
    loaded = loads_keeping_variables(
        "env { shade.identifier = ${SHADE} }\n" + PLUGINS, name="job.conf", variables={}
    )
    check_shade_settings_filled(loaded.job, identifier_given=True)


def test_variables_named_in_text() -> None:
    text = 'a = ${A}\nb = ${?B}\nc = "${ C :x}"\nd = "$D ${"\n'
    variables = {"A": "1", "B": "2", "C": "3", " C ": "4", "D": "5", "E": "6"}
    assert variables_named_in(text, variables) == {"A": "1", "B": "2", "C": "3", " C ": "4"}


def test_unused_variable_warned_by_loader(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="stconfig"):
        loads_keeping_variables(PLUGINS, name="job.conf", variables={"TYPO": "1"})
    assert caplog.messages == [
        "--var TYPO is not used: job.conf has no ${TYPO}; check the variable's name"
    ]
