"""The schema files: valid JSON Schema, consistent with each other, usable on their own."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from stconfig.validation import catalog, path_options
from stconfig.validation.compiler import Compiler, SchemaCompileError

SCHEMA_DIR = catalog.schema_dir()
SCHEMA_FILES = sorted(path for path in SCHEMA_DIR.rglob("*.json") if path.name != catalog.CATALOGUE)


def ci_pattern(values: list[str]) -> str:
    """Build the case-insensitive pattern that an x-stconfig-enum stands for."""

    def one(value: str) -> str:
        out = []
        for char in value:
            if char.lower() != char.upper():
                out.append(f"[{char.upper()}{char.lower()}]")
            elif char in ".^$*+?()[]{}|\\/":
                out.append("\\" + char)
            else:
                out.append(char)
        return "".join(out)

    return "^(?:" + "|".join(one(value) for value in values) + ")$"


def walk(node, found):
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            walk(value, found)
    elif isinstance(node, list):
        for value in node:
            walk(value, found)
    return found


def all_nodes():
    for path in SCHEMA_FILES:
        for node in walk(json.loads(path.read_text()), []):
            yield path, node


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_file_is_valid_json_schema(path):
    Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_file_compiles(path):
    uri = path.as_uri()
    assert callable(catalog.predicate(uri))


def test_no_format_keyword_anywhere():
    # An option named "format" appears in properties maps; the keyword's value is a string.
    users = [path.name for path, node in all_nodes() if isinstance(node.get("format"), str)]
    assert users == []


def test_case_insensitive_patterns_match_their_values():
    checked = 0
    for path, node in all_nodes():
        if "x-stconfig-enum" in node:
            assert node["pattern"] == ci_pattern(node["x-stconfig-enum"]), f"{path.name}: {node}"
            for value in node["x-stconfig-enum"]:
                assert re.search(node["pattern"], value.swapcase())
            checked += 1
    assert checked > 50


def test_job_schema_lists_every_plugin_schema():
    job = json.loads((SCHEMA_DIR / catalog.JOB_SCHEMA).read_text())
    listed = set()
    for section in catalog.SECTIONS:
        for branch in job["$defs"][section]["allOf"]:
            target = branch["then"]["$ref"]
            name = target.split("/")[1][len(section) + 1 : -len(".schema.json")]
            assert branch["if"]["properties"]["plugin_name"]["pattern"] == ci_pattern([name])
            assert branch["if"]["required"] == ["plugin_name"]
            listed.add(target)
    files = {entry.file for entry in catalog.plugin_schemas().values()}
    assert listed == files


def test_every_plugin_schema_has_descriptions():
    for entry in catalog.plugin_schemas().values():
        schema = catalog.load_schema(entry.file)
        assert schema["description"]
        for name in schema.get("properties", {}):
            option = catalog.option_schema(entry.uri, name)
            assert option.get("description"), f"{entry.file}: {name}"


def test_plugin_count_covers_runner_and_corpus_plugins():
    names = {(entry.section, entry.name) for entry in catalog.plugin_schemas().values()}
    runner = {
        ("source", "FakeSource"),
        ("sink", "Console"),
        ("sink", "Assert"),
        ("source", "LocalFile"),
        ("sink", "LocalFile"),
        ("source", "Jdbc"),
        ("sink", "Jdbc"),
        ("transform", "Copy"),
        ("transform", "Filter"),
        ("transform", "FieldMapper"),
        ("transform", "Replace"),
        ("transform", "Split"),
        ("transform", "FilterRowKind"),
        ("transform", "Sql"),
    }
    assert runner <= names
    others = {name for _, name in names} - {name for _, name in runner}
    assert len(others) >= 20


def test_path_options_are_marked():
    assert path_options("source", "localfile") == ["path"]
    assert path_options("sink", "LocalFile") == ["path", "tmp_path"]
    assert path_options("transform", "DynamicCompile") == ["absolute_path"]
    assert path_options("sink", "Elasticsearch") == ["tls_keystore_path", "tls_truststore_path"]
    assert path_options("source", "FakeSource") == []
    assert path_options("source", "NoSuchPlugin") == []


def test_broken_reference_names_ref_and_file(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "a.json").write_text('{"$ref": "../types.json#/$defs/x"}')
    (tmp_path / "types.json").write_text('{"$defs": {"y": {"type": "string"}}}')

    def load(uri):
        return json.loads(Path(uri.removeprefix("file://")).read_text())

    compiler = Compiler(load, catalog.resolve_reference)
    with pytest.raises(SchemaCompileError) as caught:
        compiler.compile_uri((tmp_path / "plugins" / "a.json").as_uri())
    message = str(caught.value)
    assert "types.json" in message
    assert "points at nothing" in message


def test_second_level_refs_resolve_relative_to_their_file(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "common").mkdir()
    (tmp_path / "job.json").write_text('{"$ref": "plugins/source.json#/$defs/fake"}')
    (tmp_path / "plugins" / "source.json").write_text(
        '{"$defs": {"fake": {"$ref": "../common/types.json#/$defs/fieldType"}}}'
    )
    (tmp_path / "common" / "types.json").write_text('{"$defs": {"fieldType": {"type": "string"}}}')

    def load(uri):
        return json.loads(Path(uri.removeprefix("file://")).read_text())

    check = Compiler(load, catalog.resolve_reference).compile_uri((tmp_path / "job.json").as_uri())
    assert check("int") is True
    assert check(5) is False


def test_unsupported_keyword_is_rejected(tmp_path):
    (tmp_path / "a.json").write_text('{"type": "string", "format": "uri"}')
    compiler = Compiler(
        lambda uri: json.loads((tmp_path / "a.json").read_text()), catalog.resolve_reference
    )
    with pytest.raises(SchemaCompileError, match="unsupported schema keyword"):
        compiler.compile_uri((tmp_path / "a.json").as_uri())


CHECK_JSONSCHEMA = shutil.which("check-jsonschema")


@pytest.mark.skipif(
    CHECK_JSONSCHEMA is None, reason="check-jsonschema is not installed (it is not a dependency)"
)
def test_job_schema_works_alone_in_check_jsonschema(tmp_path):
    good = tmp_path / "good.json"
    bad = tmp_path / "bad.json"
    job = {
        "env": {"job.mode": "batch"},
        "source": [
            {
                "plugin_name": "fakesource",
                "plugin_output": "t",
                "row.num": 5,
                "schema": {"fields": {"id": "int"}},
            }
        ],
        "transform": [],
        "sink": [{"plugin_name": "Console", "plugin_input": ["t"]}],
    }
    good.write_text(json.dumps(job))
    job["source"][0]["row.num"] = "ten"
    job["sink"][0]["plugin_name"] = "LocalFile"
    bad.write_text(json.dumps(job))
    schema = str(SCHEMA_DIR / catalog.JOB_SCHEMA)

    # Run from another folder, so refs must resolve relative to the schema files.
    passed = subprocess.run(
        [CHECK_JSONSCHEMA, "--schemafile", schema, str(good)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    failed = subprocess.run(
        [CHECK_JSONSCHEMA, "--schemafile", schema, str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert failed.returncode == 1
    assert "$.source[0]['row.num']" in failed.stdout
    assert "'path' is a required property" in failed.stdout
