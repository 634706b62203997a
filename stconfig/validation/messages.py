"""Turn jsonschema's errors into findings with messages that name the fix.

jsonschema's own messages speak of schemas ("is not valid under any of the given
schemas"). These messages speak of options and values instead, using annotations that
stconfig's schemas carry:

- `x-stconfig-expected`: what a value should be ("an integer"), for type failures;
- `x-stconfig-enum`: the values a case-insensitive `pattern` stands for;
- `x-stconfig-condition`: why a `then` branch requires its options;
- `x-stconfig-message`: the whole message, for a rule such as two exclusive options.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from stconfig.config import RESERVED_VARIABLES
from stconfig.validation.findings import (
    ERROR,
    WARNING,
    Issue,
    ValuePath,
    describe_list,
    quote,
    render_value,
    suggestion,
)

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_EXPECTATION_KEYWORDS = frozenset(
    ("type", "anyOf", "oneOf", "pattern", "minLength", "enum", "const")
)
_UNFILLED = re.compile(r"\$\{([^:{}]+)(?::[^}]*)?\}")
_SECRET_WORDS = ("password", "secret", "token", "auth", "access_key", "api_key", "username")


def issues_from_errors(
    errors: Iterable[ValidationError],
    *,
    prefix: ValuePath,
    owner: str,
    renamed: Mapping[str, ValuePath] | None = None,
    ignore_missing: frozenset[str] = frozenset(),
) -> list[Issue]:
    """Translate jsonschema errors for the value at `prefix` into issues.

    `owner` names the value in messages about it as a whole ("the FakeSource source").
    `renamed` maps flat option names that were found in nested form back to where they
    were written. Missing-option errors that name any option in `ignore_missing` are
    dropped, because another finding already explains them.
    """
    issues: list[Issue] = []
    for error in errors:
        issue = _issue(error, prefix, owner, renamed or {}, ignore_missing)
        if issue is not None and issue not in issues:
            issues.append(issue)
    return issues


def _issue(
    error: ValidationError,
    prefix: ValuePath,
    owner: str,
    renamed: Mapping[str, ValuePath],
    ignore_missing: frozenset[str],
) -> Issue | None:
    relative = tuple(error.absolute_path)
    if relative and isinstance(relative[0], str) and relative[0] in renamed:
        relative = renamed[relative[0]] + relative[1:]
    path = prefix + relative

    missing = _missing_options(error)
    if missing is not None:
        if set(missing) & ignore_missing:
            return None
        return Issue(ERROR, path, _missing_message(error, missing, owner if not relative else ""))

    unfilled = _unfilled_variable(error.instance)
    if unfilled in RESERVED_VARIABLES:
        # The sink fills this placeholder from the upstream table when the job runs.
        return None
    if unfilled and error.validator in _EXPECTATION_KEYWORDS:
        return Issue(
            WARNING,
            path,
            f"holds the unfilled variable ${{{unfilled}}}, so it cannot be checked; "
            f"pass --var {unfilled}=VALUE",
            variable=unfilled,
        )
    return Issue(ERROR, path, _message(error, path))


def _missing_options(error: ValidationError) -> list[str] | None:
    """Return the options that a `required` error (or an anyOf of `required`) requires."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        return [name for name in error.validator_value if name not in instance]
    if error.validator in ("anyOf", "oneOf") and "x-stconfig-message" not in error.schema:
        branches = error.validator_value
        if all(
            isinstance(b, dict) and set(b) == {"required"} and len(b["required"]) == 1
            for b in branches
        ):
            return [branch["required"][0] for branch in branches]
    return None


def _missing_message(error: ValidationError, missing: list[str], owner: str) -> str:
    one_of = error.validator != "required"
    noun = "option" if len(missing) == 1 or one_of else "options"
    names = describe_list(missing, conjunction="or" if one_of else "and")
    message = f"missing required {noun} {names}"
    if owner:
        message += f" for {owner}"
    condition = error.schema.get("x-stconfig-condition")
    if condition:
        message += f", because {condition}"
    if one_of:
        message += "; set one of them"
    return message


def _unfilled_variable(value: Any) -> str | None:
    if isinstance(value, str) and "${" in value:
        match = _UNFILLED.search(value)
        return match.group(1).strip() if match else None
    return None


def _message(error: ValidationError, path: ValuePath) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "x-stconfig-message" in schema:
        return schema["x-stconfig-message"]
    got = _shown(error.instance, path)
    validator = error.validator

    if validator == "pattern" and "x-stconfig-enum" in schema:
        return _enum_message(schema["x-stconfig-enum"], error.instance, got, "any case")
    if validator == "enum":
        return _enum_message(error.validator_value, error.instance, got, "case matters")
    if "x-stconfig-expected" in schema and validator in _EXPECTATION_KEYWORDS:
        return f"expected {schema['x-stconfig-expected']}, got {got}"
    if validator == "type":
        return f"expected {_type_words(error.validator_value)}, got {got}"
    return _bound_message(error, got) or _fallback_message(error, got)


def _enum_message(options: list[Any], instance: Any, got: str, case_note: str) -> str:
    names = [str(option) for option in options]
    message = f"expected one of {describe_list(names)} ({case_note}), got {got}"
    if isinstance(instance, str):
        same_case = [name for name in names if name.lower() == instance.lower()]
        if same_case:
            return message + f"; write it as {quote(same_case[0])}"
        return message + suggestion(instance, names)
    return message


def _type_words(type_value: str | list[str]) -> str:
    names = [type_value] if isinstance(type_value, str) else type_value
    return " or ".join(_TYPE_WORDS.get(name, name) for name in names)


def _bound_message(error: ValidationError, got: str) -> str | None:
    bound = error.validator_value
    templates = {
        "minimum": f"expected a value of at least {bound}, got {got}",
        "maximum": f"expected a value of at most {bound}, got {got}",
        "exclusiveMinimum": f"expected a value above {bound}, got {got}",
        "exclusiveMaximum": f"expected a value below {bound}, got {got}",
        "minItems": f"expected at least {bound} item(s), got {_count(error.instance)}",
        "maxItems": f"expected at most {bound} item(s), got {_count(error.instance)}",
        "minProperties": f"expected at least {bound} entry(s), got {_count(error.instance)}",
        "maxLength": f"expected at most {bound} characters, got {got}",
    }
    return templates.get(error.validator)


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (list, dict, str)) else 0


def _fallback_message(error: ValidationError, got: str) -> str:
    if error.validator == "dependentRequired":
        instance = error.instance if isinstance(error.instance, dict) else {}
        for option, needed in error.validator_value.items():
            absent = [name for name in needed if name not in instance]
            if option in instance and absent:
                return f"{quote(option)} needs {describe_list(absent, conjunction='and')} too"
    if error.validator == "const":
        return f"expected {render_value(error.validator_value)}, got {got}"
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        return _message(best, ())
    if error.validator == "uniqueItems":
        return "expected a list without repeated items"
    return f"{got} is not valid here ({error.validator} rule of the schema)"


def _shown(value: Any, path: ValuePath) -> str:
    """Render a value for a message, hiding it when the option contains a secret."""
    last = path[-1] if path else ""
    if isinstance(last, str) and any(word in last.lower() for word in _SECRET_WORDS):
        return '"******"' if isinstance(value, str) else render_value(value)
    return render_value(value)
