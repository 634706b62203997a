"""The compiled predicates agree with jsonschema on every schema stconfig ships."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stconfig.validation import catalog
from stconfig.validation.compiler import json_equal
from stconfig.validation.schema_check import validator_for

SCHEMA_URIS = [
    catalog.schema_uri(catalog.ENV_SCHEMA),
    catalog.schema_uri(catalog.JOB_SCHEMA),
] + sorted(entry.uri for entry in catalog.plugin_schemas().values())

SCALARS = [
    0,
    1,
    -5,
    2.5,
    1.0,
    10**20,
    "10",
    "-3",
    "ten",
    "",
    "true",
    "FALSE",
    True,
    False,
    None,
    "${x}",
    "batch",
    "STREAMING",
    "text",
    "CSV",
    "parquet",
    "template",
    "a,b",
    "int",
    "decimal(10, 2)",
]
leaf = st.sampled_from(SCALARS)
json_values = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "fields", "name", "type", "kind"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)


def option_names(uri: str) -> list[str]:
    names = sorted(catalog.known_options(uri).names)
    return names or ["job.mode", "parallelism", "source", "sink", "env"]


@pytest.mark.parametrize("uri", SCHEMA_URIS, ids=lambda uri: uri.rsplit("/", 1)[-1])
def test_predicate_agrees_with_jsonschema(uri):
    names = option_names(uri)
    predicate = catalog.predicate(uri)
    validator = validator_for(uri)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(names), json_values, max_size=6))
    def agree(options):
        assert predicate(options) == validator.is_valid(options)

    agree()


def test_json_equal_follows_json_schema():
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal(False, 0)
    assert json_equal([1, {"a": True}], [1.0, {"a": True}])
    assert not json_equal({"a": 1}, {"b": 1})
    assert not json_equal("1", 1)
