"""A parser for the HOCON dialect that SeaTunnel reads, keeping the place of every value.

SeaTunnel parses configs with a patched Typesafe Config. This module reads the same
dialect, which differs from plain HOCON in ways that matter for jobs:

- An unquoted dotted key is one flat key: `row.num = 10` gives `{"row.num": 10}`.
  Quoted keys lose their quotes, so `"shade.identifier"` is the key `shade.identifier`.
- Each child of a top-level `source`, `transform` or `sink` object becomes one list
  element, in file order, with the child's key as `plugin_name` unless the child sets
  one. Two `FakeSource {}` blocks stay two elements instead of merging.
- Unquoted `${name}` and `${?name}` are filled by a caller-supplied resolver, so the
  caller decides where variables come from.

`parse` returns plain dicts, lists and scalars. With `spans=True` it also records, for
each value path (a tuple of keys and list indexes), the start and end offsets of the
value and of its key, so errors can point into the file. Recording spans costs about a
third more time, so callers ask for them only when they need them.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, NoReturn

from stconfig.errors import ConfigSyntaxError, VariableError

PLUGIN_SECTIONS = ("source", "transform", "sink")
MAX_DEPTH = 200

Path = tuple[str | int, ...]
Span = tuple[int, int]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
# The value a resolver returns to keep a `${name}` that has no value as its own text.
UNRESOLVED: Any = _Missing()

# A resolver receives a variable name and returns its value, or MISSING when it has none
# (or UNRESOLVED to keep the `${name}` as written). It may also have a `hint(name)`
# method that returns advice on giving a missing variable.
Resolver = Callable[[str], Any]

_BLANK = r"[\t\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_COMMENT = r"(?:#|//)[^\n]*"
# Characters that end an unquoted string in HOCON, besides whitespace and `//`.
_FORBIDDEN = r"$\"{}\[\]:=,+#`^?!@*&\\"

# Each match skips blanks and a comment, then captures one token. A newline token takes
# the blank and comment-only lines after it. The last match is the empty end token. The
# alternatives are ordered by how often they occur, because the regex engine tries them
# in order.
_TOKEN = re.compile(
    rf"{_BLANK}*(?:{_COMMENT})?"
    r"("
    r"[{}\[\],:=]"
    r"|-?\d+(?:\.\d+)?[eE][+-]\d+"
    rf"|(?:[^\s{_FORBIDDEN}/]+|/(?!/))+"
    rf"|\n(?:{_BLANK}*(?:{_COMMENT})?\n)*"
    r'|"""[\s\S]*?"""(?!")'
    r'|"""'
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|\$\{[^}\n]*\}"
    r"|\$\{"
    r"|\+="
    r"|."
    r"|\Z"
    r")"
)

# Token kinds, found from the first character of the token. The rare tokens that share a
# first character with a common one (`"` or `${` never closed, `+` without `=`, `$`
# alone) are distinguished where they are read.
(
    END,
    NEWLINE,
    LBRACE,
    RBRACE,
    LBRACKET,
    RBRACKET,
    COMMA,
    COLON,
    EQUALS,
    PLUS_EQUALS,
    QUOTED,
    SUBSTITUTION,
    UNQUOTED,
    OTHER,
) = range(1, 15)

_KIND_OF_FIRST_CHARACTER = {
    "": END,
    "\n": NEWLINE,
    "{": LBRACE,
    "}": RBRACE,
    "[": LBRACKET,
    "]": RBRACKET,
    ",": COMMA,
    ":": COLON,
    "=": EQUALS,
    "+": PLUS_EQUALS,
    '"': QUOTED,
    "$": SUBSTITUTION,
    **{character: OTHER for character in "`^?!@*&\\"},
}
# Tokens that open a string or substitution and never close it: what was expected, and
# what was found instead.
_UNFINISHED = {
    '"': ("a closing '\"' on the same line", "the end of the line"),
    '"""': ('a closing \'"""\'', "the end of the file"),
    "${": ("'}' to close the substitution", "the end of the line"),
}
_SIMPLE = frozenset((QUOTED, SUBSTITUTION, UNQUOTED))
_CLOSERS = frozenset((RBRACE, RBRACKET))
_AFTER_ARRAY_ELEMENT = frozenset((NEWLINE, COMMA, RBRACKET))
_DESCRIPTIONS = {
    END: "the end of the file",
    NEWLINE: "the end of the line",
    LBRACE: "'{'",
    RBRACE: "'}'",
    LBRACKET: "'['",
    RBRACKET: "']'",
    COMMA: "','",
    COLON: "':'",
    EQUALS: "'='",
    PLUS_EQUALS: "'+='",
}

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NUMBER_STARTS = frozenset("-0123456789")
_KEYWORDS = {"true": True, "false": False, "null": None}
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_SUBSTITUTION = re.compile(r"\$\{(\?)?[ \t]*(.*?)[ \t]*\}", re.DOTALL)


@dataclass(slots=True)
class ParseResult:
    """Parsed data and, when asked for, where each piece of it was written."""

    data: dict[str, Any]
    text: str
    name: str
    value_spans: dict[Path, Span] = field(default_factory=dict)
    key_spans: dict[Path, Span] = field(default_factory=dict)
    _line_starts: list[int] | None = None

    def line_column(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of a text offset."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


def parse_number(text: str) -> int | float | None:
    """Return the number an unquoted token spells, or None when it is not one."""
    if not _NUMBER.fullmatch(text):
        return None
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return int(text)


def unquoted_scalar(text: str) -> Any:
    """Type an unquoted token the way HOCON does: number, boolean, null or string."""
    if text.isdigit() and text.isascii():
        return int(text)
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    if text[:1] in _NUMBER_STARTS:
        number = parse_number(text)
        if number is not None:
            return number
    return text


def tokenize(text: str) -> list[str]:
    """Split text into token strings, dropping blanks and comments; the last one is ""."""
    return _TOKEN.findall(text)


def token_offsets(text: str) -> list[int]:
    """Return the start offset of each token that `tokenize` returns."""
    return [match.start(1) for match in _TOKEN.finditer(text)]


class _Parser:
    def __init__(
        self, text: str, name: str, resolver: Resolver | None, dialect: str, spans: bool
    ) -> None:
        self.text = text
        self.name = name
        self.resolver = resolver
        self.plugin_lists = dialect == "seatunnel"
        self.tokens = tokens = tokenize(text)
        first_characters = map(operator.itemgetter(slice(0, 1)), tokens)
        self.kinds = list(map(_KIND_OF_FIRST_CHARACTER.get, first_characters, repeat(UNQUOTED)))
        self.index = 0
        self.depth = 0
        self.result = ParseResult(data={}, text=text, name=name)
        self.offsets: list[int] | None = token_offsets(text) if spans else None
        self.record = spans

    # Positions and errors

    def offset(self, index: int) -> int:
        if self.offsets is None:
            self.offsets = token_offsets(self.text)
        return self.offsets[index]

    def span(self, first: int, last: int) -> Span:
        """Return the text span from the start of token `first` to the end of token `last`."""
        offsets = self.offsets
        assert offsets is not None
        return offsets[first], offsets[last] + len(self.tokens[last])

    def describe(self, index: int) -> str:
        kind = self.kinds[index]
        token = self.tokens[index]
        if kind in _DESCRIPTIONS and token != "+":
            return _DESCRIPTIONS[kind]
        if len(token) == 1 and kind != UNQUOTED:
            return f"the character {token!r}, which must be quoted"
        return repr(token if len(token) <= 40 else token[:37] + "...")

    def fail_at(self, offset: int, expected: str, found: str) -> NoReturn:
        line, column = self.result.line_column(offset)
        raise ConfigSyntaxError(self.name, line, column, expected, found)

    def fail(self, expected: str) -> NoReturn:
        index = self.index
        token = self.tokens[index]
        if token in _UNFINISHED:
            expected, found = _UNFINISHED[token]
        else:
            found = self.describe(index)
        self.fail_at(self.offset(index), expected, found)

    def fail_unclosed(self, opening: int, expected: str) -> NoReturn:
        self.fail_at(self.offset(opening), expected, "the end of the file")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"at most {MAX_DEPTH} levels of nested objects and arrays")

    def skip_newlines(self) -> None:
        kinds = self.kinds
        while kinds[self.index] == NEWLINE:
            self.index += 1

    def skip_separators(self) -> None:
        kinds = self.kinds
        while kinds[self.index] in (NEWLINE, COMMA):
            self.index += 1

    def expect_separator(self, close: int, what: str) -> None:
        """Require a newline or comma after a value, unless the value closed a bracket."""
        kind = self.kinds[self.index]
        if kind in (NEWLINE, COMMA, END) or kind == close:
            return
        if self.kinds[self.index - 1] in _CLOSERS:
            return
        self.fail(f"a newline or ',' after {what}")

    # Grammar

    def parse_root(self) -> ParseResult:
        self.skip_newlines()
        kind = self.kinds[self.index]
        if kind == LBRACKET:
            self.fail("an object at the top level, not an array")
        if kind == LBRACE:
            opening = self.index
            self.index += 1
            self.parse_object_body((), RBRACE, opening)
            self.index += 1
        else:
            self.parse_object_body((), END, 0)
        self.skip_newlines()
        if self.kinds[self.index] != END:
            self.fail("the end of the file")
        return self.result

    def parse_object_body(self, path: Path, close: int, opening: int) -> dict[str, Any]:
        self.enter()
        obj: dict[str, Any] = self.result.data if self.depth == 1 else {}
        kinds = self.kinds
        while True:
            kind = kinds[self.index]
            while kind in (NEWLINE, COMMA):
                self.index += 1
                kind = kinds[self.index]
            if kind == close:
                break
            if kind == END:
                self.fail_unclosed(opening, "'}' to close this object")
            self.parse_field(obj, path)
            kind = kinds[self.index]
            if kind != NEWLINE and kind != COMMA and kind != close:
                self.expect_separator(close, "the value")
        self.depth -= 1
        return obj

    def parse_key(self) -> str:
        kinds = self.kinds
        tokens = self.tokens
        index = self.index
        kind = kinds[index]
        if kind != UNQUOTED and kind != QUOTED:
            self.fail("a key")
        if kinds[index + 1] not in (UNQUOTED, QUOTED):
            # The common case: a key of one token.
            self.index = index + 1
            return tokens[index] if kind == UNQUOTED else self.quoted_text(index)
        parts = []
        while kinds[self.index] in (UNQUOTED, QUOTED):
            parts.append(self.gap_before(self.index) if parts else "")
            parts.append(self.piece_text(self.index))
            self.index += 1
        return "".join(parts)

    def parse_field(self, obj: dict[str, Any], path: Path) -> None:
        kinds = self.kinds
        key_index = index = self.index
        if kinds[index] == UNQUOTED and kinds[index + 1] not in _SIMPLE:
            # The common case of `parse_key`: a key of one unquoted token.
            key = self.tokens[index]
            index += 1
        else:
            key = self.parse_key()
            index = self.index
        key_end = index - 1

        kind = kinds[index]
        appending = False
        if kind in (EQUALS, COLON):
            index += 1
        elif kind == PLUS_EQUALS and self.tokens[index] == "+=":
            index += 1
            appending = True
        while kinds[index] == NEWLINE:
            index += 1
        self.index = index
        if kind not in (EQUALS, COLON, PLUS_EQUALS) and kinds[index] != LBRACE:
            self.fail(f"'=', ':' or '{{' after the key {key!r}")

        if self.record:
            field_path = (*path, key)
            self.result.key_spans[field_path] = self.span(key_index, key_end)
        else:
            field_path = path
        if (
            self.plugin_lists
            and self.depth == 1
            and key in PLUGIN_SECTIONS
            and kinds[index] == LBRACE
        ):
            value: Any = self.parse_plugin_section(key)
        else:
            value = self.parse_value(field_path)
        if value is MISSING:
            return
        if appending:
            value = self.append(obj.get(key), value, key_index)
        if key in obj:
            self.set_field(obj, key, value)
        else:
            obj[key] = value

    def append(self, current: Any, value: Any, key_index: int) -> list[Any]:
        if current is None:
            return [value]
        if not isinstance(current, list):
            self.fail_at(
                self.offset(key_index),
                "'+=' on a key that holds an array",
                "a key with another value",
            )
        return [*current, value]

    def set_field(self, obj: dict[str, Any], key: str, value: Any) -> None:
        """Set a key that is already in `obj`: objects merge, plugin lists extend."""
        current = obj[key]
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_into(current, value)
        elif obj is self.result.data and key in PLUGIN_SECTIONS and isinstance(current, list):
            # A second top-level `source { ... }` adds its plugins instead of replacing the first.
            current.extend(value if isinstance(value, list) else [value])
        else:
            obj[key] = value

    def parse_plugin_section(self, section: str) -> list[dict[str, Any]]:
        opening = self.index
        self.index += 1
        self.enter()
        existing = self.result.data.get(section)
        first_index = len(existing) if isinstance(existing, list) else 0
        plugins: list[dict[str, Any]] = []
        kinds = self.kinds
        while True:
            self.skip_separators()
            kind = kinds[self.index]
            if kind == RBRACE:
                break
            if kind == END:
                self.fail_unclosed(opening, f"'}}' to close the {section} block")
            plugins.append(self.parse_plugin_block(section, first_index + len(plugins)))
            self.expect_separator(RBRACE, "the plugin block")
        self.depth -= 1
        if self.record:
            self.result.value_spans[(section,)] = self.span(opening, self.index)
        self.index += 1
        return plugins

    def parse_plugin_block(self, section: str, index: int) -> dict[str, Any]:
        name_index = self.index
        name = self.parse_key()
        name_end = self.index - 1
        if self.kinds[self.index] in (EQUALS, COLON):
            self.index += 1
        self.skip_newlines()
        if self.kinds[self.index] != LBRACE:
            self.fail(f"'{{' to open the plugin block {name!r} in {section}")
        opening = self.index
        self.index += 1
        block_path: Path = (section, index)
        body = self.parse_object_body(block_path, RBRACE, opening)
        if self.record:
            spans = self.result
            name_span = self.span(name_index, name_end)
            spans.value_spans[block_path] = self.span(opening, self.index)
            spans.key_spans[block_path] = name_span
            if "plugin_name" not in body:
                spans.value_spans[(*block_path, "plugin_name")] = name_span
                spans.key_spans[(*block_path, "plugin_name")] = name_span
        self.index += 1
        if "plugin_name" in body:
            return body
        return {"plugin_name": name, **body}

    def parse_value(self, path: Path) -> Any:
        """Parse one value and leave `self.index` on the token after it."""
        first = self.index
        kinds = self.kinds
        kind = kinds[first]
        if kind == UNQUOTED and kinds[first + 1] not in _SIMPLE:
            # The common case: one unquoted token such as `10`, `true` or `BATCH`.
            self.index = first + 1
            value: Any = unquoted_scalar(self.tokens[first])
        elif kind == LBRACE:
            self.index += 1
            value = self.parse_object_body(path, RBRACE, first)
            self.index += 1
        elif kind == LBRACKET:
            value = self.parse_array(path)
        elif kind in _SIMPLE:
            value = self.parse_concatenation()
            if value is MISSING:
                return MISSING
        else:
            self.fail("a value")
        if self.record:
            self.result.value_spans[path] = self.span(first, self.index - 1)
        return value

    def parse_array(self, path: Path) -> list[Any]:
        opening = self.index
        self.enter()
        items: list[Any] = []
        kinds = self.kinds
        tokens = self.tokens
        record = self.record
        index = opening + 1
        while True:
            kind = kinds[index]
            while kind in (NEWLINE, COMMA):
                index += 1
                kind = kinds[index]
            if kind == RBRACKET:
                break
            if kind == UNQUOTED and not record and kinds[index + 1] not in _SIMPLE:
                # Inlined common cases of `parse_value`: one unquoted or quoted scalar.
                items.append(unquoted_scalar(tokens[index]))
                index += 1
            elif kind == QUOTED and not record and kinds[index + 1] not in _SIMPLE:
                items.append(self.quoted_text(index))
                index += 1
            else:
                if kind == END:
                    self.fail_unclosed(opening, "']' to close this array")
                self.index = index
                item = self.parse_value((*path, len(items)) if record else path)
                if item is not MISSING:
                    items.append(item)
                index = self.index
            kind = kinds[index]
            if kind not in _AFTER_ARRAY_ELEMENT:
                if kind == END:
                    self.fail_unclosed(opening, "']' to close this array")
                if kinds[index - 1] not in _CLOSERS:
                    self.index = index
                    self.fail("a newline or ',' after the array element")
        self.depth -= 1
        self.index = index + 1
        return items

    def parse_concatenation(self) -> Any:
        """Read simple values written side by side on one line, such as `"a"${x}"b"`.

        Leaves `self.index` on the token after the last piece.
        """
        kinds = self.kinds
        first = self.index
        self.index += 1
        if kinds[self.index] not in _SIMPLE:
            self.reject_object_concatenation()
            if kinds[first] == UNQUOTED:
                return unquoted_scalar(self.tokens[first])
            return self.piece_value(first)

        parts = [self.piece_text(first)]
        while kinds[self.index] in _SIMPLE:
            parts.append(self.gap_before(self.index))
            parts.append(self.piece_text(self.index))
            self.index += 1
        self.reject_object_concatenation()
        return "".join(parts)

    def reject_object_concatenation(self) -> None:
        if self.kinds[self.index] in (LBRACE, LBRACKET):
            self.fail(
                "a newline or ',' after the value (objects and arrays cannot be concatenated)"
            )

    def gap_before(self, index: int) -> str:
        """Return the blanks between token `index` and the one before it."""
        end = self.offset(index - 1) + len(self.tokens[index - 1])
        return self.text[end : self.offset(index)]

    def piece_text(self, index: int) -> str:
        value = self.piece_value(index)
        if value is MISSING:
            return ""
        if isinstance(value, dict | list):
            self.fail_at(
                self.offset(index),
                "a string, number or boolean in a concatenation",
                "an object or array",
            )
        return _as_text(value)

    def piece_value(self, index: int) -> Any:
        kind = self.kinds[index]
        if kind == QUOTED:
            return self.quoted_text(index)
        if kind == SUBSTITUTION:
            return self.resolve(index)
        return self.tokens[index]

    def quoted_text(self, index: int) -> str:
        token = self.tokens[index]
        if token in _UNFINISHED:
            self.index = index
            self.fail("a value")
        if token.startswith('"""'):
            return token[3:-3]
        body = token[1:-1]
        if "\\" not in body:
            return body

        def replace(match: re.Match[str]) -> str:
            if match.group(1) is not None:
                return chr(int(match.group(1), 16))
            escaped = match.group(2)
            if escaped not in _SIMPLE_ESCAPES:
                self.fail_at(
                    self.offset(index) + 1 + match.start(),
                    'one of the escapes \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
                    repr(match.group(0)),
                )
            return _SIMPLE_ESCAPES[escaped]

        return _ESCAPE.sub(replace, body)

    def resolve(self, index: int) -> Any:
        written = self.tokens[index]
        match = _SUBSTITUTION.fullmatch(written)
        if match is None:  # `${` never closed, or `$` alone
            self.index = index
            self.fail("a value")
        optional = match.group(1) is not None
        name = match.group(2)
        if not name:
            self.fail_at(
                self.offset(index), "a variable name inside '${}'", "an empty substitution"
            )
        if ":" in name:
            self.fail_variable(
                index,
                f"unquoted {written} is not valid HOCON, because a default value needs quotes; "
                f'write "{written}" instead',
            )
        if self.resolver is None:
            return MISSING if optional else written
        value = self.resolver(name)
        if value is UNRESOLVED:
            return MISSING if optional else written
        if value is MISSING and not optional:
            hint = getattr(self.resolver, "hint", None)
            fix = hint(name) if hint else f"give the variable {name} a value"
            self.fail_variable(index, f"variable ${{{name}}} has no value; {fix}")
        return value

    def fail_variable(self, index: int, message: str) -> NoReturn:
        line, column = self.result.line_column(self.offset(index))
        raise VariableError(f"{self.name}:{line}:{column}: {message}")


def _as_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _merge_into(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_into(current, value)
        else:
            target[key] = value


def parse(
    text: str,
    name: str = "<string>",
    *,
    resolver: Resolver | None = None,
    dialect: str = "seatunnel",
    spans: bool = False,
) -> ParseResult:
    """Parse HOCON text into a dict, and with `spans=True` the spans of its values.

    `dialect="seatunnel"` turns top-level `source`, `transform` and `sink` objects into
    plugin lists. `dialect="plain"` leaves every object as it is, for JSON files and
    HOCON files that are not jobs. Without a resolver, unquoted substitutions stay
    as their literal text and optional ones are dropped.
    """
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    return _Parser(text, name, resolver, dialect, spans).parse_root()
