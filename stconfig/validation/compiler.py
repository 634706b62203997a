"""Compile the JSON Schema subset that stconfig's schemas use into fast yes/no checks.

Most files that a pre-commit hook checks are valid, so validation first runs these compiled
predicates and asks jsonschema for a detailed report only when one fails. The compiler
accepts exactly the keywords listed in `_APPLICATORS`, `_ASSERTIONS` and `_ANNOTATIONS`
and rejects any other keyword, so a schema can never use a keyword that is silently
skipped here. Tests check that the predicates agree with jsonschema.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from stconfig.errors import StconfigError

Predicate = Callable[[Any], bool]
# Returns the document stored at a URI without its fragment.
DocumentLoader = Callable[[str], Any]
# Joins a reference onto the URI of the document that contains it.
ReferenceResolver = Callable[[str, str], str]

_ANNOTATIONS = frozenset(
    (
        "$schema",
        "$defs",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    )
)
_APPLICATORS = frozenset(
    (
        "$ref",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "properties",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
        "items",
        "prefixItems",
    )
)
_ASSERTIONS = frozenset(
    (
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "required",
        "dependentRequired",
        "minProperties",
        "maxProperties",
        "minItems",
        "maxItems",
        "uniqueItems",
    )
)


class SchemaCompileError(StconfigError):
    """A schema that uses something the compiler does not support, or a broken `$ref`."""


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPE_TESTS: dict[str, Predicate] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer())
    ),
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values as JSON Schema does: `true` is not `1`, but `1` is `1.0`."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


class Compiler:
    """Turn schema documents into predicates, caching one predicate per schema location."""

    def __init__(self, load: DocumentLoader, resolve: ReferenceResolver) -> None:
        self._load = load
        self._resolve = resolve
        self._compiled: dict[str, list[Predicate]] = {}
        # Other threads wait while a schema compiles, so none runs a half-built predicate.
        self._lock = threading.RLock()

    def compile_uri(self, uri: str) -> Predicate:
        """Return the predicate for the schema at `uri` (a URI with an optional fragment)."""
        with self._lock:
            cell = self._compiled.get(uri)
            if cell is None:
                # The cell exists before compiling so that recursive references find it.
                cell = self._compiled[uri] = [_never]
                try:
                    document_uri, _, fragment = uri.partition("#")
                    schema = _follow_pointer(self._load(document_uri), fragment, uri)
                    cell[0] = self._compile(schema, document_uri)
                except BaseException:
                    del self._compiled[uri]
                    raise
        return lambda instance: cell[0](instance)

    def _compile(self, schema: Any, base: str) -> Predicate:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise SchemaCompileError(
                f"{base}: a schema must be an object or a boolean, not {schema!r}"
            )
        unknown = set(schema) - _ANNOTATIONS - _APPLICATORS - _ASSERTIONS
        unknown = {keyword for keyword in unknown if not keyword.startswith("x-")}
        if unknown:
            raise SchemaCompileError(
                f"{base}: unsupported schema keyword(s) {', '.join(sorted(unknown))}; "
                "stconfig's schemas use only keywords its compiler checks"
            )

        checks: list[Predicate] = []
        if "type" in schema:
            checks.append(_compile_type(schema["type"]))
        if "$ref" in schema:
            checks.append(self._compile_reference(schema["$ref"], base))
        checks.extend(_compile_scalar_assertions(schema))
        checks.extend(self._compile_object(schema, base))
        checks.extend(self._compile_array(schema, base))
        checks.extend(self._compile_logic(schema, base))
        return _all_of(checks)

    def _compile_reference(self, reference: str, base: str) -> Predicate:
        try:
            return self.compile_uri(self._resolve(base, reference))
        except SchemaCompileError:
            raise
        except StconfigError as exc:
            raise SchemaCompileError(
                f"{base}: $ref {reference!r} cannot be resolved: {exc}"
            ) from None

    def _compile_object(self, schema: dict[str, Any], base: str) -> list[Predicate]:
        checks: list[Predicate] = []
        properties = {
            key: self._compile(sub, base) for key, sub in schema.get("properties", {}).items()
        }
        patterns = [
            (re.compile(pattern), self._compile(sub, base))
            for pattern, sub in schema.get("patternProperties", {}).items()
        ]
        additional = schema.get("additionalProperties")

        if properties:
            checks.append(_properties_check(properties))
        if patterns:
            checks.append(_pattern_properties_check(patterns))
        if additional is not None:
            known = frozenset(properties)
            checks.append(_additional_check(known, patterns, self._compile(additional, base)))

        if "propertyNames" in schema:
            names = self._compile(schema["propertyNames"], base)
            checks.append(lambda value: not isinstance(value, dict) or all(map(names, value)))
        if "required" in schema:
            required = tuple(schema["required"])
            checks.append(
                lambda value: not isinstance(value, dict) or all(key in value for key in required)
            )
        if "dependentRequired" in schema:
            checks.append(_dependent_required_check(schema["dependentRequired"]))

        if "minProperties" in schema:
            low = schema["minProperties"]
            checks.append(lambda value: not isinstance(value, dict) or len(value) >= low)
        if "maxProperties" in schema:
            high = schema["maxProperties"]
            checks.append(lambda value: not isinstance(value, dict) or len(value) <= high)
        return checks

    def _compile_array(self, schema: dict[str, Any], base: str) -> list[Predicate]:
        checks: list[Predicate] = []
        prefix = [self._compile(sub, base) for sub in schema.get("prefixItems", [])]
        items = self._compile(schema["items"], base) if "items" in schema else None
        if prefix or items is not None:
            checks.append(_items_check(prefix, items))
        if "minItems" in schema:
            low = schema["minItems"]
            checks.append(lambda value: not isinstance(value, list) or len(value) >= low)
        if "maxItems" in schema:
            high = schema["maxItems"]
            checks.append(lambda value: not isinstance(value, list) or len(value) <= high)
        if schema.get("uniqueItems"):
            checks.append(_unique_check)
        return checks

    def _compile_logic(self, schema: dict[str, Any], base: str) -> list[Predicate]:
        checks: list[Predicate] = []
        for sub in schema.get("allOf", []):
            checks.append(self._compile(sub, base))
        if "anyOf" in schema:
            branches = [self._compile(sub, base) for sub in schema["anyOf"]]
            checks.append(lambda value: any(branch(value) for branch in branches))
        if "oneOf" in schema:
            branches = [self._compile(sub, base) for sub in schema["oneOf"]]
            checks.append(lambda value: sum(1 for branch in branches if branch(value)) == 1)
        if "not" in schema:
            negated = self._compile(schema["not"], base)
            checks.append(lambda value: not negated(value))
        if "if" in schema:
            condition = self._compile(schema["if"], base)
            then = self._compile(schema["then"], base) if "then" in schema else _always
            otherwise = self._compile(schema["else"], base) if "else" in schema else _always
            checks.append(lambda value: then(value) if condition(value) else otherwise(value))
        return checks


def _all_of(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    checks_tuple = tuple(checks)

    # Plain loops instead of all() with a generator: these run for every value of every file.
    def check(value: Any) -> bool:
        for predicate in checks_tuple:  # noqa: SIM110
            if not predicate(value):
                return False
        return True

    return check


def _compile_type(type_value: str | list[str]) -> Predicate:
    names = [type_value] if isinstance(type_value, str) else list(type_value)
    tests = []
    for name in names:
        if name not in _TYPE_TESTS:
            raise SchemaCompileError(f"unknown JSON Schema type {name!r}")
        tests.append(_TYPE_TESTS[name])
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


def _compile_scalar_assertions(schema: dict[str, Any]) -> list[Predicate]:
    checks: list[Predicate] = []
    if "enum" in schema:
        options = list(schema["enum"])
        checks.append(lambda value: any(json_equal(value, option) for option in options))
    if "const" in schema:
        expected = schema["const"]
        checks.append(lambda value: json_equal(value, expected))
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
    if "minLength" in schema:
        low = schema["minLength"]
        checks.append(lambda value: not isinstance(value, str) or len(value) >= low)
    if "maxLength" in schema:
        high = schema["maxLength"]
        checks.append(lambda value: not isinstance(value, str) or len(value) <= high)
    bounds = {
        "minimum": lambda value, bound: value >= bound,
        "maximum": lambda value, bound: value <= bound,
        "exclusiveMinimum": lambda value, bound: value > bound,
        "exclusiveMaximum": lambda value, bound: value < bound,
    }
    for keyword, compare in bounds.items():
        if keyword in schema:
            checks.append(_bound_check(schema[keyword], compare))
    return checks


def _bound_check(bound: float, compare: Callable[[Any, float], bool]) -> Predicate:
    return lambda value: not _is_number(value) or compare(value, bound)


def _properties_check(properties: dict[str, Predicate]) -> Predicate:
    pairs = tuple(properties.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, sub in pairs:  # noqa: SIM110
            if key in value and not sub(value[key]):
                return False
        return True

    return check


def _pattern_properties_check(patterns: list[tuple[re.Pattern[str], Predicate]]) -> Predicate:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            for pattern, sub in patterns:
                if pattern.search(key) and not sub(item):
                    return False
        return True

    return check


def _additional_check(
    known: frozenset[str], patterns: list[tuple[re.Pattern[str], Predicate]], sub: Predicate
) -> Predicate:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            if key in known or any(pattern.search(key) for pattern, _ in patterns):
                continue
            if not sub(item):
                return False
        return True

    return check


def _dependent_required_check(dependencies: dict[str, list[str]]) -> Predicate:
    pairs = tuple((key, tuple(needed)) for key, needed in dependencies.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(all(n in value for n in needed) for key, needed in pairs if key in value)

    return check


def _items_check(prefix: list[Predicate], items: Predicate | None) -> Predicate:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for index, item in enumerate(value):
            if index < len(prefix):
                if not prefix[index](item):
                    return False
            elif items is not None and not items(item):
                return False
        return True

    return check


def _unique_check(value: Any) -> bool:
    if not isinstance(value, list):
        return True
    for index, item in enumerate(value):
        if any(json_equal(item, other) for other in value[index + 1 :]):
            return False
    return True


def _follow_pointer(document: Any, fragment: str, uri: str) -> Any:
    """Return the part of `document` that a JSON Pointer fragment such as `/$defs/x` names."""
    if not fragment:
        return document
    if not fragment.startswith("/"):
        raise SchemaCompileError(
            f"{uri}: only JSON Pointer fragments such as #/$defs/name are supported"
        )
    node = document
    for raw in fragment[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise SchemaCompileError(f"{uri}: the reference points at nothing") from None
    return node
