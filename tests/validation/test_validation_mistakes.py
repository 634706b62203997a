"""Each kind of mistake validate must catch, with the exact finding it reports."""

from __future__ import annotations

import pytest
from validation_helpers import brief, check, errors, position, warnings

from stconfig.validation.type_strings import VALID_TYPES


def test_lower_case_plugin_names_and_enums_are_valid():
    findings = check(
        """
        {"env": {"job.mode": "batch", "savemode.execute.location": "client"},
         "source": [{"plugin_name": "fakesource", "plugin_output": "t",
                     "string.fake.mode": "Range", "schema": {"fields": {"id": "int"}}}],
         "sink": [{"plugin_name": "console", "plugin_input": "t"}]}
        """,
        "job.json",
    )
    assert findings == []


def test_bad_job_mode_lists_the_values():
    findings = check(
        """
        env { job.mode = "batchh" }
        source { FakeSource { plugin_output = "t", schema { fields { id = int } } } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            2,
            '$.env."job.mode"',
            'expected one of "BATCH" or "STREAMING" (any case), got "batchh"; '
            'did you mean "BATCH"?',
        )
    ]


def test_case_sensitive_enum_suggests_the_spelling():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource {
          plugin_output = "t"
          schema { fields { id = int } }
          rows = [{ kind = insert, fields = [1] }]
        } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            6,
            "$.source[0].rows[0].kind",
            'expected one of "INSERT", "UPDATE_BEFORE", "UPDATE_AFTER" or "DELETE" (case matters), '
            'got "insert"; write it as "INSERT"',
        )
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("ConsoleSink", 'unknown sink plugin "ConsoleSink"; did you mean "Console"?'),
        (
            "connector-console",
            '"connector-console" is a package name, not a plugin name; use "Console"',
        ),
        ("FakeSource", '"FakeSource" is a source plugin, not a sink; move it to the source block'),
        ("Konsole", 'unknown sink plugin "Konsole"; did you mean "Console"?'),
    ],
)
def test_unknown_sink_plugin_is_a_warning(written, message):
    findings = check(
        f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ plugin_output = "t", schema {{ fields {{ id = int }} }} }} }}
        sink {{ {written} {{ plugin_input = "t" }} }}
        """
    )
    assert brief(findings) == [("warning", 4, "$.sink[0]", message)]
    assert findings[0].column == 8


def test_unknown_plugin_is_an_error_when_strict():
    findings = check(
        """
        {"env": {}, "source": [{"plugin_name": "connector-fake", "plugin_output": "t"}],
         "sink": [{"plugin_name": "Console", "plugin_input": "t"}]}
        """,
        "job.json",
        strict=True,
    )
    assert brief(findings) == [
        (
            "error",
            2,
            "$.source[0]",
            '"connector-fake" is a package name, not a plugin name; use "FakeSource"',
        )
    ]
    assert findings[0].column == 40


def test_plugin_without_schema_is_accepted_by_name():
    findings = check(
        """
        env { job.mode = BATCH }
        source { Hudi { plugin_output = "t", table_path = "/data/hudi" } }
        sink { Console { plugin_input = "t" } }
        """,
        strict=True,
    )
    assert findings == []


def test_dangling_input_in_two_transform_chain():
    findings = check(
        """
        {"env": {"job.mode": "BATCH"},
         "source": [{"plugin_name": "FakeSource", "result_table_name": "t_user",
                     "schema": {"fields": {"id": "int"}}}],
         "transform": [{"plugin_name": "FieldMapper", "source_table_name": "t_usr",
                        "result_table_name": "t_bak", "field_mapper": {"id": "id"}},
                       {"plugin_name": "FieldMapper", "source_table_name": "t_bak",
                        "result_table_name": "t_bak2", "field_mapper": {"id": "id"}}],
         "sink": [{"plugin_name": "Console", "source_table_name": "t_bak2"}]}
        """,
        "job.json",
    )
    assert brief(findings) == [
        (
            "error",
            5,
            "$.transform[0].source_table_name",
            '"t_usr" is not produced by any source or transform (known: t_user, t_bak, t_bak2); '
            'did you mean "t_user"?',
        )
    ]


def test_sink_without_input_in_complex_job():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource { plugin_output = "a", schema { fields { id = int } } }
          FakeSource { plugin_output = "b", schema { fields { id = int } } }
        }
        sink {
          Console { plugin_input = "a" }
          Console {}
        }
        """
    )
    assert brief(findings) == [
        (
            "error",
            9,
            "$.sink[1]",
            'the Console sink has no "plugin_input"; in a job with several sources, transforms or '
            "sinks, every transform and sink must name the tables it reads (known: a, b); tables "
            "nobody reads yet: b",
        )
    ]


def test_flat_schema_fields_key():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource {
            plugin_output = "t"
            schema.fields { id = int }
          }
        }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            6,
            '$.source[0]."schema.fields"',
            '"schema.fields" is one flat key, so SeaTunnel finds no "schema" option; write it '
            "nested: schema { fields { ... } }",
        )
    ]
    assert findings[0].column == 5


def test_bad_row_num_among_several_plugins():
    text = """
        {"env": {"job.mode": "BATCH"},
         "source": [{"plugin_name": "Jdbc", "plugin_output": "a", "url": "jdbc:mysql://db/x",
                     "driver": "com.mysql.cj.jdbc.Driver", "query": "select 1"},
                    {"plugin_name": "FakeSource", "plugin_output": "b", "row.num": "ten",
                     "schema": {"fields": {"id": "int"}}}],
         "transform": [{"plugin_name": "Sql", "plugin_input": "b", "plugin_output": "c",
                        "query": "select * from b"}],
         "sink": [{"plugin_name": "Console", "plugin_input": "a"},
                  {"plugin_name": "Assert", "plugin_input": "c",
                   "rules": {"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 1}]}}]}
        """
    findings = check(text, "job.json")
    assert brief(findings) == [
        ("error", 5, '$.source[1]."row.num"', 'expected an integer, got "ten"')
    ]
    assert (findings[0].line, findings[0].column) == position(text, '"ten"')


def test_row_num_checked_in_nested_form():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "t", row { num = "ten" },
                              schema { fields { id = int } } } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert brief(findings) == [
        ("error", 3, "$.source[0].row.num", 'expected an integer, got "ten"')
    ]


def test_two_fake_source_blocks_are_both_checked():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource { plugin_output = "a", row.num = -1, schema { fields { id = int } } }
          FakeSource { plugin_output = "b", row.num = "x", schema { fields { id = uuid } } }
        }
        sink {
          Console { plugin_input = "a" }
          Console { plugin_input = "b" }
        }
        """
    )
    assert brief(findings) == [
        ("error", 4, '$.source[0]."row.num"', "expected a value of at least 0, got -1"),
        ("error", 5, '$.source[1]."row.num"', 'expected an integer, got "x"'),
        (
            "error",
            5,
            "$.source[1].schema.fields.id",
            f'unknown SeaTunnel type "uuid"; valid types: {VALID_TYPES}; did you mean "string"?',
        ),
    ]


def test_missing_required_option_of_connector():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "t", schema { fields { id = int } } } }
        sink { LocalFile { plugin_input = "t", file_format_type = "json" } }
        """
    )
    assert brief(findings) == [
        ("error", 4, "$.sink[0]", 'missing required option "path" for the LocalFile sink')
    ]
    assert findings[0].column == 8


def test_missing_schema_names_plugin_and_option():
    findings = check(
        """
        env { job.mode = "BATCH" }
        source { FakeSource { row.num = 1 } }
        sink { Console {} }
        """
    )
    assert brief(findings) == [
        (
            "error",
            3,
            "$.source[0]",
            'missing required option "schema" or "tables_configs" for the FakeSource source; '
            "set one of them",
        )
    ]


@pytest.mark.parametrize("file_format", ["text", "CSV", "json"])
def test_local_file_source_needs_schema_for_text_formats(file_format):
    findings = check(
        f"""
        env {{ job.mode = BATCH }}
        source {{ LocalFile {{ plugin_output = "t", path = "/data",
                             file_format_type = {file_format} }} }}
        sink {{ Console {{ plugin_input = "t" }} }}
        """
    )
    assert brief(findings) == [
        (
            "error",
            3,
            "$.source[0]",
            'missing required option "schema" for the LocalFile source, because file_format_type '
            "is text, json, excel, csv or xml",
        )
    ]


def test_local_file_source_parquet_needs_no_schema():
    findings = check(
        """
        env { job.mode = BATCH }
        source { LocalFile { plugin_output = "t", path = "/data", file_format_type = parquet } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert findings == []


def test_local_file_format_typo():
    findings = check(
        """
        env { job.mode = BATCH }
        source { LocalFile { plugin_output = "t", path = "/data", file_format_type = xlsx } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            3,
            "$.source[0].file_format_type",
            'expected one of "csv", "text", "parquet", "orc", "json", "excel", "xml" or "binary" '
            '(any case), got "xlsx"',
        )
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            "is_regex = true",
            'missing required option "replace_first" for the Replace transform, '
            "because is_regex is true",
        ),
        (
            'is_regex = "TRUE"',
            'missing required option "replace_first" for the Replace transform, '
            "because is_regex is true",
        ),
    ],
)
def test_replace_regex_needs_replace_first(options, message):
    findings = check(
        f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ plugin_output = "s", schema {{ fields {{ name = string }} }} }} }}
        transform {{ Replace {{ plugin_input = "s", plugin_output = "t", replace_field = name,
                               pattern = "a+", replacement = "b", {options} }} }}
        sink {{ Console {{ plugin_input = "t" }} }}
        """
    )
    assert brief(findings) == [("error", 4, "$.transform[0]", message)]


def test_filter_include_and_exclude_together():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "s", schema { fields { a = int, b = int } } } }
        transform { Filter { plugin_input = "s", plugin_output = "t", include_fields = [a],
                             exclude_fields = [b] } }
        sink { Console { plugin_input = "t" } }
        """
    )
    assert brief(findings) == [
        ("error", 4, "$.transform[0]", "set either include_fields or exclude_fields, not both")
    ]


def test_jdbc_sink_needs_query_or_generated_sql():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "s", schema { fields { a = int } } } }
        sink {
          Jdbc { plugin_input = "s", url = "jdbc:mysql://db/x",
                 driver = "com.mysql.cj.jdbc.Driver" }
        }
        """
    )
    assert brief(findings) == [
        (
            "error",
            5,
            "$.sink[0]",
            'missing required option "query" for the Jdbc sink, because generate_sink_sql is '
            "not true",
        )
    ]


def test_fake_source_template_mode_needs_template():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "s", string.fake.mode = TEMPLATE,
                              schema { fields { a = string } } } }
        sink { Console { plugin_input = "s" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            3,
            "$.source[0]",
            'missing required option "string.template" for the FakeSource source, because '
            "string.fake.mode is template",
        )
    ]


def test_unknown_option_is_a_warning_with_suggestion():
    findings = check(
        """
        env { job.mode = BATCH, paralelism = 2 }
        source { FakeSource { plugin_output = "s", row.nmu = 3, schema { fields { a = int } } } }
        sink { Console { plugin_input = "s" } }
        """
    )
    assert brief(findings) == [
        (
            "warning",
            2,
            "$.env.paralelism",
            'unknown option "paralelism" for env; SeaTunnel ignores options it does not know; '
            'did you mean "parallelism"?',
        ),
        (
            "warning",
            3,
            '$.source[0]."row.nmu"',
            'unknown option "row.nmu" for the FakeSource source; SeaTunnel ignores options it does '
            'not know; did you mean "row.num"?',
        ),
    ]
    assert findings[0].column == 25


def test_engine_options_in_env_are_not_reported():
    findings = check(
        """
        env { job.mode = BATCH, spark.executor.memory = "1g",
              flink.execution.checkpointing.interval = 5 }
        source { FakeSource { plugin_output = "s", schema { fields { a = int } } } }
        sink { Console { plugin_input = "s" } }
        """
    )
    assert findings == []


def test_checkpoint_interval_minimum():
    findings = check(
        """
        env { job.mode = STREAMING, checkpoint.interval = 5 }
        source { FakeSource { plugin_output = "s", schema { fields { a = int } } } }
        sink { Console { plugin_input = "s" } }
        """
    )
    assert brief(findings) == [
        ("error", 2, '$.env."checkpoint.interval"', "expected a value of at least 10, got 5")
    ]


def test_numbers_and_booleans_written_as_strings_are_valid():
    findings = check(
        """
        env { job.mode = BATCH, parallelism = "2" }
        source { FakeSource { plugin_output = "s", row.num = "50", schema { fields { a = int } } } }
        sink { Console { plugin_input = "s", log.print.data = "False" } }
        """
    )
    assert findings == []


def test_unfilled_variable_is_a_warning():
    findings = check(
        """
        env { job.mode = BATCH }
        source { LocalFile { plugin_output = "s", path = "/data", file_format_type = "${format}",
                             schema { fields { a = int } } } }
        sink { Console { plugin_input = "s" } }
        """
    )
    assert brief(findings) == [
        (
            "warning",
            3,
            "$.source[0].file_format_type",
            "holds the unfilled variable ${format}, so it cannot be checked; "
            "pass --var format=VALUE",
        )
    ]


def test_unfilled_variable_finding_names_variable():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "s", row.num = "many",
                              schema { fields { a = int } } } }
        sink { LocalFile { plugin_input = "s", path = "/data/${table_name}",
                           file_format_type = "${format}", custom_filename = true,
                           file_name_expression = "${transactionId}_${now}" } }
        """
    )
    by_path = {finding.path: finding for finding in findings}
    assert set(by_path) == {'$.source[0]."row.num"', "$.sink[0].file_format_type"}
    assert by_path["$.sink[0].file_format_type"].variable == "format"
    assert by_path['$.source[0]."row.num"'].variable is None
    assert "variable" not in by_path["$.sink[0].file_format_type"].to_dict()


def test_variable_fills_value_before_checking():
    text = """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "s", row.num = ${rows},
                              schema { fields { a = int } } } }
        sink { Console { plugin_input = "s" } }
        """
    assert check(text, variables={"rows": "5"}) == []
    assert brief(check(text, variables={"rows": "five"})) == [
        ("error", 3, '$.source[0]."row.num"', 'expected an integer, got "five"')
    ]


def test_missing_plugin_name_in_json():
    findings = check(
        """
        {"env": {}, "source": [{"row.num": 1}], "sink": [{"plugin_name": "Console"}]}
        """,
        "job.json",
    )
    assert brief(findings) == [
        (
            "error",
            2,
            "$.source[0]",
            'missing "plugin_name"; SeaTunnel needs it to choose the connector, such as '
            '"plugin_name": "FakeSource"',
        )
    ]


def test_source_written_as_object_in_json():
    findings = check(
        """
        {"env": {}, "source": {"FakeSource": {}}, "sink": [{"plugin_name": "Console"}]}
        """,
        "job.json",
    )
    assert brief(findings) == [
        (
            "error",
            2,
            "$.source",
            'expected a list of plugin objects, got an object; in JSON write "source": '
            '[{"plugin_name": "...", ...}]',
        )
    ]


def test_missing_env_and_empty_sink():
    findings = check(
        """
        source { FakeSource { schema { fields { a = int } } } }
        sink {}
        """
    )
    assert brief(findings) == [
        (
            "warning",
            1,
            "$",
            "missing env block; SeaTunnel's Zeta engine rejects the job with \"No configuration "
            "setting found for key 'env'\", so add one, even an empty env {}",
        ),
        ("error", 3, "$.sink", "the sink block is empty; add at least one sink plugin"),
    ]


def test_findings_never_show_secret_values():
    findings = check(
        """
        {"env": {"shade.identifier": "base64"},
         "source": [{"plugin_name": "Jdbc", "plugin_output": "s", "url": "jdbc:mysql://db/x",
                     "driver": "d", "query": "select 1", "password": "hunter2 plain",
                     "user": {"name": "hunter3"}}],
         "sink": [{"plugin_name": "Console", "plugin_input": "s"}]}
        """,
        "job.json",
    )
    text = "\n".join(str(f) for f in findings)
    assert "hunter2" not in text
    assert "hunter3" not in text
    assert len(errors(findings)) == 1
    assert len(warnings(findings)) == 1


def test_documented_rest_example_is_valid():
    findings = check(
        """
        {"env": {"job.mode": "batch"},
         "source": [{"plugin_name": "FakeSource", "result_table_name": "fake", "row.num": 100,
                     "schema": {"fields": {"name": "string", "age": "int", "card": "int"}}}],
         "transform": [],
         "sink": [{"plugin_name": "Console", "source_table_name": ["fake"]}]}
        """,
        "job.json",
    )
    assert findings == []


def test_schema_key_for_editors_is_accepted():
    findings = check(
        """
        {"$schema": "./schemas/job.schema.json", "env": {},
         "source": [{"plugin_name": "FakeSource", "schema": {"fields": {"id": "int"}}}],
         "sink": [{"plugin_name": "Console"}]}
        """,
        "job.json",
    )
    assert findings == []


def test_quoted_and_dotted_keys_read_like_json():
    hocon = check(
        """
        env { "shade.identifier" = "base64", job.mode = "BATCH" }
        source { FakeSource { row.num = "x", "split.num" = 2, plugin_output = "t",
                              password = "c2VjcmV0LTE=", schema { fields { id = int } } } }
        sink { Console { plugin_input = "t" } }
        """
    )
    json_form = check(
        """
        {"env": {"shade.identifier": "base64", "job.mode": "BATCH"},
         "source": [{"plugin_name": "FakeSource", "row.num": "x", "split.num": 2,
                     "plugin_output": "t", "password": "c2VjcmV0LTE=",
                     "schema": {"fields": {"id": "int"}}}],
         "sink": [{"plugin_name": "Console", "plugin_input": "t"}]}
        """,
        "job.json",
    )
    expected = [
        ("error", '$.source[0]."row.num"', 'expected an integer, got "x"'),
        (
            "warning",
            "$.source[0].password",
            'unknown option "password" for the FakeSource source; SeaTunnel ignores options it '
            "does not know",
        ),
    ]
    assert [(f.severity, f.path, f.message) for f in hocon] == expected
    assert [(f.severity, f.path, f.message) for f in json_form] == expected


def test_validate_job_reports_paths_without_lines():
    from stconfig.validation import has_errors, validate_job

    findings = validate_job(
        {
            "env": {"job.mode": "BATCH"},
            "source": [{"plugin_name": "FakeSource", "row.num": 1}],
            "sink": [{"plugin_name": "Console"}],
        },
        name="request",
    )
    assert [f.to_dict() for f in findings] == [
        {
            "severity": "error",
            "file": "request",
            "line": None,
            "column": None,
            "path": "$.source[0]",
            "message": 'missing required option "schema" or "tables_configs" for the FakeSource '
            "source; set one of them",
        }
    ]
    assert has_errors(findings)
    assert str(findings[0]).startswith("request: error: $.source[0]: missing required option")
