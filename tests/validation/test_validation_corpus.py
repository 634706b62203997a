"""SeaTunnel's own end-to-end job configs: SeaTunnel's CI runs them, so errors are false alarms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stconfig.config import dump_json, load, loads, plugins
from stconfig.validation import catalog, validate, validate_file
from stconfig.validation.schema_check import nested_view, validator_for

# Values the upstream tests pass on the command line for configs that use ${name}.
VARIABLES = {
    "ftpHost": "ftp-host",
    "dynamic_test_row_num_per_parallelism": "10",
    "dynamic_test_parallelism": "1",
    "dynamic_job_mode": "BATCH",
    "strTemplate": "[a,b]",
    "ageType": "int",
    "sourceTableName": "sql",
}

NOT_JOBS = {"application.conf", "cassandra_init.conf", "clickhouse_init.conf"}


# Each warning in the corpus, with the reason it is right.
JUSTIFIED_WARNINGS = {
    (
        "obs_csv_projection_to_assert.conf",
        "$",
    ): "no env block, which SeaTunnel's Zeta engine requires",
    (
        "fake_to_assert_with_template.conf",
        '$.source[0]."smalling.fake.mode"',
    ): "typo of smallint.fake.mode",
    ("sftp_file_json_to_assert.conf", "$.sink[0].result_table_name"): "a sink produces no table",
    ("sftp_file_xml_to_assert.conf", "$.sink[0].result_table_name"): "a sink produces no table",
    ("jdbc_oceanbase_source_and_milvus_sink.conf", "$.source[0].database"): "a Jdbc sink option",
    ("jdbc_oceanbase_source_and_milvus_sink.conf", "$.source[0].table"): "a Jdbc sink option",
    (
        "single_dynamic_http_compile_transform.conf",
        "$.sink[0].Assert",
    ): "an Assert block nested in Console",
}
for name in (
    "oraclecdc_to_oracle.conf",
    "oraclecdc_to_oracle_skip_analysis.conf",
    "oraclecdc_to_oracle_use_select_count.conf",
    "oraclecdc_to_oracle_with_multi_table_mode_two_table.conf",
    "oraclecdc_to_oracle_with_no_primary_key.conf",
):
    JUSTIFIED_WARNINGS[(name, '$.sink[0]."connection.pool.size"')] = (
        "a CDC source option copied onto the Jdbc sink"
    )
for name in (
    "oss_file_json_lzo_to_console.conf",
    "oss_file_text_lzo_to_assert.conf",
    "s3_file_json_lzo_to_console.conf",
    "s3_file_text_lzo_to_assert.conf",
):
    for option in (
        "partition_dir_expression",
        "is_partition_field_write_in_file",
        "file_name_expression",
        "filename_time_format",
        "is_enable_transaction",
    ):
        JUSTIFIED_WARNINGS[(name, f"$.source[0].{option}")] = "a file sink option on a file source"
for name in (
    "batch_fakesource_to_file.conf",
    "batch_fakesource_to_file_complex.conf",
    "cluster_batch_fake_to_localfile_template.conf",
    "streaming_fakesource_to_file_complex.conf",
):
    JUSTIFIED_WARNINGS[(name, "$.sink[0].save_mode")] = (
        "removed from file sinks; schema_save_mode replaced it"
    )


def e2e_configs(corpus: Path) -> list[Path]:
    return sorted((corpus / "seatunnel" / "seatunnel-e2e").rglob("*.conf"))


def variables_for(corpus: Path, path: Path) -> dict[str, str]:
    manifest = json.loads((corpus / "e2e-manifest.json").read_text())
    entries = {entry["config"]: entry for entry in manifest}
    relative = str(path.relative_to(corpus / "seatunnel"))
    return {**VARIABLES, **(entries.get(relative, {}).get("variables") or {})}


@pytest.fixture(scope="module")
def results(corpus: Path):
    return {
        path: validate_file(str(path), variables=variables_for(corpus, path)).findings
        for path in e2e_configs(corpus)
    }


def test_corpus_has_the_e2e_configs(results):
    assert len(results) > 400


def test_no_false_errors(results):
    unexpected = []
    for path, findings in results.items():
        for finding in findings:
            if finding.severity != "error" or path.name in NOT_JOBS:
                continue
            unexpected.append(str(finding))
    assert unexpected == []


def test_non_jobs_get_one_error(results):
    seen = set()
    for path, findings in results.items():
        if path.name in NOT_JOBS:
            seen.add(path.name)
            assert len(findings) == 1
            assert findings[0].severity == "error"
            assert findings[0].message.startswith("not a SeaTunnel job, because it has none")
    assert seen == NOT_JOBS


def test_every_warning_is_justified(results):
    warned = {
        (path.name, f.path)
        for path, findings in results.items()
        for f in findings
        if f.severity == "warning"
    }
    assert warned == set(JUSTIFIED_WARNINGS)


def test_json_form_gives_the_same_findings(corpus: Path, results):
    compared = 0
    for path, findings in results.items():
        if path.name in NOT_JOBS:
            continue
        loaded = load(path, variables=variables_for(corpus, path))
        as_json = loads(dump_json(loaded.job), name="job.json", format="json")
        again = validate(as_json)
        assert [(f.severity, f.path, f.message) for f in again] == [
            (f.severity, f.path, f.message) for f in findings
        ], path.name
        compared += 1
    assert compared > 400


def test_compiled_checks_agree_with_jsonschema(corpus: Path):
    checked = 0
    for path in e2e_configs(corpus):
        if path.name in NOT_JOBS:
            continue
        job = load(path, variables=variables_for(corpus, path)).job
        for section, _, plugin in plugins(job):
            entry = catalog.find_plugin(section, str(plugin.get("plugin_name")))
            if entry is None:
                continue
            view = nested_view(plugin, catalog.known_options(entry.uri).dotted)[0]
            assert catalog.predicate(entry.uri)(view) == validator_for(entry.uri).is_valid(view)
            checked += 1
    assert checked > 800
