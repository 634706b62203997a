from __future__ import annotations

import json
from pathlib import Path

import pytest

from stconfig import config
from stconfig.config import MISSING, get_option, load, loads
from stconfig.errors import ConfigFileError, ConfigSyntaxError, NotAJobError, VariableError

JOB_HOCON = """\
env {
  job.mode = "BATCH"
  "shade.identifier" = base64
}
source {
  FakeSource { plugin_output = "a", row.num = 1, schema { fields { id = int } } }
  FakeSource { plugin_output = "b", row.num = 2, schema { fields { id = int } } }
}
sink {
  Console { plugin_input = "a" }
  Console { plugin_input = "b" }
}
"""


def test_hocon_job_becomes_canonical_lists():
    job = loads(JOB_HOCON).job
    assert job["env"] == {"job.mode": "BATCH", "shade.identifier": "base64"}
    assert job["source"] == [
        {
            "plugin_name": "FakeSource",
            "plugin_output": "a",
            "row.num": 1,
            "schema": {"fields": {"id": "int"}},
        },
        {
            "plugin_name": "FakeSource",
            "plugin_output": "b",
            "row.num": 2,
            "schema": {"fields": {"id": "int"}},
        },
    ]
    assert [sink["plugin_input"] for sink in job["sink"]] == ["a", "b"]
    assert list(job["source"][0])[0] == "plugin_name"


def test_hocon_and_json_forms_give_the_same_job():
    hocon_job = loads(JOB_HOCON).job
    json_job = loads(json.dumps(hocon_job), format="json").job
    assert json_job == hocon_job


def test_format_comes_from_the_extension(tmp_path: Path):
    as_json = tmp_path / "job.json"
    as_json.write_text('{"source": [{"plugin_name": "FakeSource"}], "sink": []}')
    as_conf = tmp_path / "job.conf"
    as_conf.write_text('{"source": {"FakeSource": {}}, "sink": {}}')
    assert load(as_json).format == "json"
    loaded = load(as_conf)
    assert loaded.format == "hocon"
    assert loaded.job == {"source": [{"plugin_name": "FakeSource"}], "sink": []}


def test_json_source_object_is_not_rewritten():
    job = loads('{"source": {"FakeSource": {}}, "sink": []}', format="json").job
    assert job["source"] == {"FakeSource": {}}


def test_text_without_a_name_is_sniffed():
    assert loads('{"source": [], "sink": []}').format == "json"
    assert loads("source {}\nsink {}").format == "hocon"
    assert loads("{ source { FakeSource {} } }").format == "hocon"


def test_flat_and_nested_keys_found():
    flat = loads("source { FakeSource { row.num = 1 } }").job["source"][0]
    nested = loads("source { FakeSource { row { num = 1 } } }").job["source"][0]
    assert flat == {"plugin_name": "FakeSource", "row.num": 1}
    assert nested == {"plugin_name": "FakeSource", "row": {"num": 1}}
    assert get_option(flat, "row.num") == 1
    assert get_option(nested, "row.num") == 1


def test_get_option_mixed_and_missing():
    options = {"a.b": {"c": 1}, "x": {"y.z": 2}, "schema": {"fields": {"id": "int"}}}
    assert get_option(options, "a.b.c") == 1
    assert get_option(options, "x.y.z") == 2
    assert get_option(options, "schema.fields") == {"id": "int"}
    assert get_option(options, "schema.columns") is MISSING
    assert get_option(options, "nope", default=5) == 5


def test_location_points_into_the_file():
    loaded = loads(JOB_HOCON, name="job.conf")
    assert loaded.location(("source", 1, "row.num")) == (7, 47)
    assert loaded.location(("source", 1, "row.num"), key=True) == (7, 37)
    assert loaded.location(("source", 1, "plugin_name")) == (7, 3)
    assert loaded.location(("source", 1, "missing_option")) == (7, 14)
    assert loaded.location(()) == (1, 1)


def test_json_positions_are_computed_lazily():
    text = (
        '{\n  "source": [\n    {"plugin_name": "FakeSource", "row.num": "ten"}\n  ],\n'
        '  "sink": []\n}\n'
    )
    loaded = loads(text, name="job.json", format="json")
    assert loaded._spans is None
    assert loaded.location(("source", 0, "row.num")) == (3, 46)


class TestVariables:
    def test_unquoted_takes_the_variable(self):
        job = loads("source { FakeSource { row.num = ${rows} } }", variables={"rows": "10"}).job
        assert job["source"][0]["row.num"] == 10

    def test_unquoted_falls_back_to_the_environment(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("STCONFIG_TEST_HOST", "db.local")
        job = loads("source { Jdbc { host = ${STCONFIG_TEST_HOST} } }").job
        assert job["source"][0]["host"] == "db.local"

    def test_variable_wins_over_the_environment(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("STCONFIG_TEST_HOST", "from-env")
        job = loads(
            "source { Jdbc { host = ${STCONFIG_TEST_HOST} } }",
            variables={"STCONFIG_TEST_HOST": "from-var"},
        ).job
        assert job["source"][0]["host"] == "from-var"

    def test_environment_can_be_closed(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("STCONFIG_TEST_SECRET", "from-env")
        text = "source { Jdbc { password = ${STCONFIG_TEST_SECRET} } }"
        with pytest.raises(VariableError) as info:
            loads(text, name="body.conf", environ=False)
        assert "${STCONFIG_TEST_SECRET} has no value" in str(info.value)
        assert "environment" not in str(info.value)
        assert "from-env" not in str(info.value)
        job = loads(text, environ=False, variables={"STCONFIG_TEST_SECRET": "given"}).job
        assert job["source"][0]["password"] == "given"

    def test_missing_unquoted_variable_names_it_and_its_line(self):
        with pytest.raises(VariableError) as info:
            loads(
                "env {}\nsource {\n  FakeSource { row.num = ${stconfig_no_such_var} }\n}",
                name="job.conf",
            )
        message = str(info.value)
        assert message.startswith("job.conf:3:26: variable ${stconfig_no_such_var} has no value")
        assert "--var stconfig_no_such_var=VALUE" in message

    def test_optional_unquoted_variable_drops_the_option(self):
        job = loads("source { FakeSource { row.num = ${?stconfig_no_such_var} } }").job
        assert job["source"][0] == {"plugin_name": "FakeSource"}

    def test_quoted_placeholder_variable_default_or_verbatim(self):
        text = (
            'env { job.name = "${name:fallback}" }\n'
            'source { FakeSource { a = "${given}", b = "${absent}", c = "x_${absent:}_y" } }\n'
            'sink { LocalFile { path = "/out/${table_name}", list = ["${given}"] } }'
        )
        job = loads(text, variables={"given": "G"}).job
        assert job["env"]["job.name"] == "fallback"
        assert job["source"][0]["a"] == "G"
        assert job["source"][0]["b"] == "${absent}"
        assert job["source"][0]["c"] == "x__y"
        assert job["sink"][0]["path"] == "/out/${table_name}"
        assert job["sink"][0]["list"] == ["G"]

    def test_quoted_placeholder_ignores_the_environment(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("STCONFIG_TEST_ONLY_ENV", "env-value")
        job = loads('source { FakeSource { a = "${STCONFIG_TEST_ONLY_ENV}" } }').job
        assert job["source"][0]["a"] == "${STCONFIG_TEST_ONLY_ENV}"

    def test_placeholders_work_in_json_too(self):
        job = loads('{"env": {"job.name": "${n:x}"}, "source": [], "sink": []}', format="json").job
        assert job["env"]["job.name"] == "x"

    def test_list_variable(self):
        job = loads(
            "source { FakeSource { string.template = ${t} } }", variables={"t": "[a,b,c]"}
        ).job
        assert job["source"][0]["string.template"] == ["a", "b", "c"]

    def test_concatenated_variable_is_text(self):
        job = loads(
            'transform { Sql { query = "select * from t where c = \'"${city}"\'" } }',
            variables={"city": "bj"},
        ).job
        assert job["transform"][0]["query"] == "select * from t where c = 'bj'"

    def test_unused_variable_is_a_warning(self, caplog: pytest.LogCaptureFixture):
        text = 'source { FakeSource { row.num = ${rows}, name = "${label:x}" } }'
        with caplog.at_level("WARNING", logger="stconfig.config"):
            loads(text, name="job.conf", variables={"rows": "1", "label": "a", "rwos": "2"})
        messages = [record.getMessage() for record in caplog.records]
        assert messages == [
            "--var rwos is not used: job.conf has no ${rwos}; check the variable's name"
        ]

    def test_reserved_names_are_rejected(self):
        with pytest.raises(VariableError) as info:
            loads("source {}\nsink {}", variables={"table_name": "x"})
        assert "table_name" in str(info.value)
        assert "reserved" in str(info.value)


class TestBadInput:
    def test_missing_file(self, tmp_path: Path):
        with pytest.raises(ConfigFileError, match="no such file"):
            load(tmp_path / "absent.conf")

    def test_directory(self, tmp_path: Path):
        with pytest.raises(ConfigFileError, match="is a directory"):
            load(tmp_path)

    def test_empty_file(self, tmp_path: Path):
        path = tmp_path / "empty.conf"
        path.write_text("  \n\n")
        with pytest.raises(ConfigFileError, match="is empty"):
            load(path)

    def test_binary_file(self, tmp_path: Path):
        path = tmp_path / "job.conf"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        with pytest.raises(ConfigFileError, match="binary file"):
            load(path)

    def test_not_utf8(self, tmp_path: Path):
        path = tmp_path / "job.conf"
        path.write_bytes('env { job.name = "caf\xe9" }'.encode("latin-1"))
        with pytest.raises(ConfigFileError, match="not UTF-8"):
            load(path)

    def test_json_array_at_the_top(self):
        with pytest.raises(ConfigSyntaxError) as info:
            loads("[1, 2]", name="job.json", format="json")
        assert info.value.expected == "a JSON object at the top level"
        assert info.value.found == "a JSON array"

    def test_json_syntax_error_has_place(self):
        with pytest.raises(ConfigSyntaxError) as info:
            loads('{\n  "env": {},\n  "source": [,]\n}', name="job.json", format="json")
        assert (info.value.line, info.value.column) == (3, 14)
        assert info.value.expected == "value"
        assert info.value.found == "','"

    def test_json_nan_is_rejected(self):
        with pytest.raises(ConfigSyntaxError, match="NaN"):
            loads('{"source": [], "sink": [], "x": NaN}', format="json")

    def test_not_a_job(self):
        with pytest.raises(NotAJobError) as info:
            loads(
                "datastax-java-driver { basic.request.timeout = 10 seconds }",
                name="application.conf",
            )
        message = str(info.value)
        assert message.startswith("application.conf: not a SeaTunnel job")
        assert "datastax-java-driver" in message

    def test_non_job_loads_as_hocon(self):
        data = loads('source_table = """create table t (id int)"""', job=False).data
        assert data == {"source_table": "create table t (id int)"}

    def test_unknown_format(self):
        with pytest.raises(ConfigFileError, match="unknown config format 'yaml'"):
            loads("a = 1", format="yaml")


def test_large_config_loads(tmp_path: Path):
    rows = ",\n".join(
        f'      {{ kind = INSERT, fields = [{i}, "name {i}", {i}.5] }}' for i in range(60000)
    )
    text = (
        "env { job.mode = BATCH }\n"
        f"source {{\n  FakeSource {{\n    rows = [\n{rows}\n    ]\n  }}\n}}\n"
        "sink { Console {} }\n"
    )
    assert len(text) > 3_000_000
    path = tmp_path / "big.conf"
    path.write_text(text)
    job = load(path).job
    rows_loaded = job["source"][0]["rows"]
    assert len(rows_loaded) == 60000
    assert rows_loaded[-1] == {"kind": "INSERT", "fields": [59999, "name 59999", 59999.5]}


class TestDump:
    def test_json_keeps_order_and_unicode(self):
        job = {"env": {"job.name": "测试", "job.mode": "BATCH"}, "source": [], "sink": []}
        text = config.dump_json(job)
        assert text.index("job.name") < text.index("job.mode")
        assert "测试" in text
        assert json.loads(text) == job

    def test_hocon_round_trip(self):
        job = loads(JOB_HOCON).job
        job["sink"][0]["weird key"] = {"nested.key": [1, "two", None, True, 1.5, {"x": []}]}
        job["sink"][0]["text"] = 'line1\nline2 "quoted" ${table_name}'
        text = config.dump_hocon(job)
        assert "FakeSource {" in text
        assert loads(text).job == job

    def test_hocon_list_for_unnamed_plugins(self):
        job = {"source": [{"no_name": 1}], "sink": [{"plugin_name": "Console"}]}
        text = config.dump_hocon(job)
        assert "source = [" in text
        assert loads(text).job == job
