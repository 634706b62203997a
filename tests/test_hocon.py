from __future__ import annotations

import pytest

from stconfig import hocon
from stconfig.errors import ConfigSyntaxError, VariableError


def parse(text: str, **kwargs):
    return hocon.parse(text, "job.conf", **kwargs).data


def test_dotted_keys_stay_flat():
    assert parse("env { job.mode = BATCH }") == {"env": {"job.mode": "BATCH"}}


def test_quoted_keys_lose_quotes():
    data = parse('env { "shade.identifier" = base64, "a b" = 1 }')
    assert data == {"env": {"shade.identifier": "base64", "a b": 1}}


def test_separators_equals_colon_and_nothing():
    data = parse("a = 1\nb: 2\nc { d = 3 }\ne = { f = 4 }")
    assert data == {"a": 1, "b": 2, "c": {"d": 3}, "e": {"f": 4}}


def test_comments_hash_and_slashes():
    text = "# heading\na = 1 # trailing\n// another\nb = 2 // trailing\nc = http:x\n"
    with pytest.raises(ConfigSyntaxError):
        parse(text)
    assert parse("# heading\na = 1 # trailing\n// another\nb = 2 // trailing\n") == {"a": 1, "b": 2}


def test_unquoted_path_keeps_single_slashes():
    assert parse("path = /tmp/seatunnel/json // the sink folder") == {"path": "/tmp/seatunnel/json"}


def test_scalar_types():
    data = parse("i = 10\nn = -3\nf = 1.5\ne = 1e+5\nt = true\nfa = false\nz = null\ns = BATCH")
    assert data == {
        "i": 10,
        "n": -3,
        "f": 1.5,
        "e": 100000.0,
        "t": True,
        "fa": False,
        "z": None,
        "s": "BATCH",
    }
    assert type(data["i"]) is int


def test_quoted_scalars_stay_strings():
    assert parse('a = "10"\nb = "true"\nc = "null"') == {"a": "10", "b": "true", "c": "null"}


def test_string_escapes():
    data = parse(r'a = "tab\there \"q\" back\\slash \u00e9 \/"')
    assert data == {"a": 'tab\there "q" back\\slash é /'}


def test_bad_escape_points_at_it():
    with pytest.raises(ConfigSyntaxError) as info:
        parse('a = 1\nb = "x\\qy"')
    assert (info.value.line, info.value.column) == (2, 7)
    assert "\\q" in info.value.found


def test_triple_quoted_strings_are_raw_and_multiline():
    data = parse('sql = """select *\n  from t where a = "x" \\n"""\nnext = 1')
    assert data == {"sql": 'select *\n  from t where a = "x" \\n', "next": 1}


def test_triple_quoted_string_keeps_extra_closing_quotes():
    assert parse('a = """say "hi""""') == {"a": 'say "hi"'}


def test_value_concatenation():
    data = parse('a = 10 seconds\nb = "x" "y"\nc = foo"bar"\nd = 1 2')
    assert data == {"a": "10 seconds", "b": "x y", "c": "foobar", "d": "1 2"}


def test_arrays_over_several_lines():
    text = 'a = [\n  1,\n  2\n  3,\n]\nb = [x, "y", [z]]\nc = []'
    assert parse(text) == {"a": [1, 2, 3], "b": ["x", "y", ["z"]], "c": []}


def test_objects_merge_but_plugin_blocks_do_not():
    text = "env { a = 1 }\nenv { b = 2 }\nsource { FakeSource { x = 1 }\nFakeSource { x = 2 } }"
    data = parse(text)
    assert data["env"] == {"a": 1, "b": 2}
    assert data["source"] == [
        {"plugin_name": "FakeSource", "x": 1},
        {"plugin_name": "FakeSource", "x": 2},
    ]


def test_plugin_blocks_on_one_line():
    data = parse('sink { Console { plugin_input = "a" }  Console { plugin_input = "b" } }')
    assert [plugin["plugin_input"] for plugin in data["sink"]] == ["a", "b"]


def test_explicit_plugin_name_wins_over_block_name():
    data = parse('source { anything { plugin_name = "FakeSource", a = 1 } }')
    assert data["source"] == [{"plugin_name": "FakeSource", "a": 1}]


def test_plugin_sections_as_explicit_lists():
    data = parse(
        'source = [ { plugin_name = FakeSource }, { plugin_name = "Jdbc" } ]\ntransform = []'
    )
    assert data == {
        "source": [{"plugin_name": "FakeSource"}, {"plugin_name": "Jdbc"}],
        "transform": [],
    }


def test_empty_plugin_section_is_an_empty_list():
    assert parse("transform {\n  # nothing yet\n}") == {"transform": []}


def test_plain_dialect_keeps_objects():
    data = hocon.parse("source { FakeSource { a = 1 } }", dialect="plain").data
    assert data == {"source": {"FakeSource": {"a": 1}}}


def test_nested_source_option_is_not_a_plugin_list():
    data = parse("source { Kafka { source { a = 1 } } }")
    assert data["source"][0]["source"] == {"a": 1}


def test_root_braces_and_json_text():
    assert parse('{"env": {"job.mode": "BATCH"}, "sink": [{"plugin_name": "Console"}]}') == {
        "env": {"job.mode": "BATCH"},
        "sink": [{"plugin_name": "Console"}],
    }


def test_plus_equals_appends():
    assert parse("a = [1]\na += 2\nb += x") == {"a": [1, 2], "b": ["x"]}


def test_value_spans_and_positions():
    text = 'env {\n  job.mode = "BATCH"\n}\nsource {\n  FakeSource {\n    row.num = ten\n  }\n}\n'
    result = hocon.parse(text, spans=True)
    start, end = result.value_spans[("source", 0, "row.num")]
    assert text[start:end] == "ten"
    assert result.line_column(start) == (6, 15)
    key_start, _ = result.key_spans[("source", 0, "row.num")]
    assert result.line_column(key_start) == (6, 5)
    name_start, name_end = result.value_spans[("source", 0, "plugin_name")]
    assert text[name_start:name_end] == "FakeSource"
    mode_start, mode_end = result.value_spans[("env", "job.mode")]
    assert text[mode_start:mode_end] == '"BATCH"'


def test_resolver_fills_unquoted_substitutions():
    seen = []

    def resolve(name):
        seen.append(name)
        return {"n": 5, "s": "x"}.get(name, hocon.MISSING)

    data = parse(
        'a = ${n}\nb = "pre-"${s}"-post"\nc = ${?absent}\nd = [${?absent}, 1]', resolver=resolve
    )
    assert data == {"a": 5, "b": "pre-x-post", "d": [1]}
    assert seen == ["n", "s", "absent", "absent"]


def test_missing_variable_names_it_and_its_place():
    with pytest.raises(VariableError) as info:
        parse("a = 1\nb = [1, ${rows}]", resolver=lambda name: hocon.MISSING)
    assert str(info.value).startswith("job.conf:2:9: variable ${rows} has no value")


def test_unquoted_default_needs_quotes():
    with pytest.raises(VariableError) as info:
        parse("a = 1\nb = ${rows:10}", resolver=lambda name: 1)
    assert "job.conf:2:5" in str(info.value)
    assert '"${rows:10}"' in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "column", "expected", "found"),
    [
        ("env {\n  a = 1\n", 1, 5, "'}' to close this object", "the end of the file"),
        ("source {\n  FakeSource {\n", 2, 14, "'}' to close this object", "the end of the file"),
        ("a = [1, 2", 1, 5, "']' to close this array", "the end of the file"),
        ('a = "open\nb = 1', 1, 5, "a closing '\"' on the same line", "the end of the line"),
        ('a = """never closed', 1, 5, 'a closing \'"""\'', "the end of the file"),
        ("a = ${name", 1, 5, "'}' to close the substitution", "the end of the line"),
        ("[1, 2]", 1, 1, "an object at the top level, not an array", "'['"),
        ("a = 1 b = 2", 1, 9, "a newline or ',' after the value", "'='"),
        ("a\nb = 1", 2, 1, "'=', ':' or '{' after the key 'a'", "'b'"),
        ("a = }", 1, 5, "a value", "'}'"),
        ("a = *.txt", 1, 5, "a value", "the character '*', which must be quoted"),
        ("}", 1, 1, "a key", "'}'"),
    ],
)
def test_syntax_errors_name_place_expected_and_found(text, line, column, expected, found):
    with pytest.raises(ConfigSyntaxError) as info:
        parse(text)
    error = info.value
    assert (error.line, error.column) == (line, column)
    assert error.expected == expected
    assert error.found == found
    assert str(error).startswith(f"job.conf:{line}:{column}: expected ")


def test_deep_nesting_is_syntax_error():
    with pytest.raises(ConfigSyntaxError) as info:
        parse("a = " + "[" * 5000)
    assert "levels of nested" in info.value.expected


def test_byte_order_mark_is_ignored():
    assert parse("\ufeffa = 1") == {"a": 1}


def test_resolver_can_keep_a_variable_as_written():
    def keep(name):
        return hocon.UNRESOLVED

    data = parse("a = ${PW}\nb = ${?PW}\nc = x${ PW }y", resolver=keep)
    assert data == {"a": "${PW}", "c": "x${ PW }y"}
