"""The table graph: names produced and read by plugins."""

from __future__ import annotations

from validation_helpers import brief, check


def test_simple_line_without_names_is_valid():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { schema { fields { a = int } } } }
        transform { Sql { query = "select a from fake" } }
        sink { Console {} }
        """
    )
    assert findings == []


def test_simple_line_with_wrong_name_is_a_warning():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "fake", schema { fields { a = int } } } }
        sink { Console { plugin_input = "fak" } }
        """
    )
    assert brief(findings) == [
        (
            "warning",
            4,
            "$.sink[0].plugin_input",
            '"fak" is not produced by any source or transform (known: fake); did you mean "fake"?. '
            "SeaTunnel still connects this one-line job in file order and ignores the name",
        )
    ]


def test_inputs_as_list_and_comma_string():
    findings = check(
        """
        {"env": {},
         "source": [{"plugin_name": "FakeSource", "plugin_output": "a",
                     "schema": {"fields": {"x": "int"}}},
                    {"plugin_name": "FakeSource", "plugin_output": "b",
                     "schema": {"fields": {"x": "int"}}}],
         "transform": [],
         "sink": [{"plugin_name": "Console", "source_table_name": ["a"]},
                  {"plugin_name": "Console", "plugin_input": "a, b"}]}
        """,
        "job.json",
    )
    assert findings == []


def test_dangling_name_in_list_points_at_element():
    findings = check(
        """
        {"env": {},
         "source": [{"plugin_name": "FakeSource", "plugin_output": "a",
                     "schema": {"fields": {"x": "int"}}},
                    {"plugin_name": "FakeSource", "plugin_output": "b",
                     "schema": {"fields": {"x": "int"}}}],
         "sink": [{"plugin_name": "Console", "plugin_input": ["a", "c"]},
                  {"plugin_name": "Console", "plugin_input": "b"}]}
        """,
        "job.json",
    )
    assert brief(findings) == [
        (
            "error",
            7,
            "$.sink[0].plugin_input[1]",
            '"c" is not produced by any source or transform (known: a, b)',
        )
    ]


def test_old_and_new_names_disagree():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "a", result_table_name = "b",
                              schema { fields { x = int } } } }
        sink { Console { plugin_input = "a", source_table_name = "a" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            3,
            "$.source[0].result_table_name",
            '"result_table_name" is "b" but "plugin_output" is "a"; SeaTunnel uses '
            '"plugin_output", so keep only that one',
        )
    ]


def test_duplicate_and_unread_tables():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource { plugin_output = "a", schema { fields { x = int } } }
          FakeSource { plugin_output = "a", schema { fields { x = int } } }
          FakeSource { plugin_output = "c", schema { fields { x = int } } }
        }
        sink { Console { plugin_input = "a" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            5,
            "$.source[1].plugin_output",
            'table "a" is already produced by source[0] (FakeSource); give each source and '
            "transform its own plugin_output",
        ),
        (
            "error",
            6,
            "$.source[2].plugin_output",
            'table "c" of source[2] (FakeSource) is not read by any transform or sink; read it '
            "with plugin_input, or remove the plugin",
        ),
    ]


def test_source_without_output_in_complex_job():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource { schema { fields { x = int } } }
        }
        sink {
          Console {}
          Console {}
        }
        """
    )
    assert [(f.line, f.path) for f in findings] == [
        (4, "$.source[0]"),
        (7, "$.sink[0]"),
        (8, "$.sink[1]"),
    ]
    assert findings[0].message.startswith('the FakeSource source has no "plugin_output"')


def test_transforms_in_a_cycle():
    findings = check(
        """
        env { job.mode = BATCH }
        source { FakeSource { plugin_output = "s", schema { fields { x = int } } } }
        transform {
          Copy { plugin_input = ["s", "c2"], plugin_output = "c1", fields { y = x } }
          Copy { plugin_input = "c1", plugin_output = "c2", fields { z = x } }
          Sql { plugin_input = "c2", plugin_output = "out", query = "select * from c2" }
        }
        sink { Console { plugin_input = "out" } }
        """
    )
    assert brief(findings) == [
        (
            "error",
            5,
            "$.transform[0]",
            'transforms read each other\'s tables in a cycle: transform[0] (Copy) ("c1") -> '
            'transform[1] (Copy) ("c2") -> transform[0] (Copy) ("c1"); SeaTunnel never finishes '
            "building such a job, so break the cycle",
        )
    ]


def test_two_sources_into_one_sink():
    findings = check(
        """
        env { job.mode = BATCH }
        source {
          FakeSource { plugin_output = "a", row.num = 1, schema { fields { id = int } } }
          FakeSource { plugin_output = "b", row.num = 2, schema { fields { id = int } } }
        }
        sink { Console { plugin_input = "a" }  Console { plugin_input = "b" } }
        """
    )
    assert findings == []
