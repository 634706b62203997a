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

The parser returns plain dicts, lists and scalars, plus a table of source spans: for each
value path (a tuple of keys and list indexes) the start and end offsets of the value and
of its key in the text. Line and column numbers are computed from the offsets on demand.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stconfig.errors import ConfigSyntaxError, VariableError

PLUGIN_SECTIONS = ("source", "transform", "sink")
MAX_DEPTH = 256

Path = tuple[str | int, ...]
Span = tuple[int, int]

# A resolver receives the variable name, whether it was written `${?name}`, and the
# offset of the `${`. It returns the value, or MISSING when an optional one is unset.
Resolver = Callable[[str, bool, int], Any]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# Characters that end an unquoted string in HOCON, besides whitespace and `//`.
_FORBIDDEN = r"$\"{}\[\]:=,+#`^?!@*&\\"

# Each match consumes leading blanks and one comment, then one token in a named group.
_TOKEN = re.compile(
    r"[ \t\r\f\v\ufeff\u00a0]*(?:(?:#|//)[^\n]*)?"
    r"(?:"
    r"(?P<newline>\n)"
    r"|(?P<triple>\"\"\")"
    r"|(?P<string>\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<open_string>\")"
    r"|(?P<substitution>\$\{)"
    r"|(?P<punct>[{}\[\],:=])"
    r"|(?P<plus_equals>\+=)"
    r"|(?P<number>-?\d+(?:\.\d+)?[eE][+-]\d+)"
    rf"|(?P<unquoted>(?:[^\s{_FORBIDDEN}/]|/(?!/))+)"
    r"|(?P<end>\Z)"
    r"|(?P<other>.)"
    r")"
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SUBSTITUTION_BODY = re.compile(r"(\?)?[ \t]*([^}\n]*?)[ \t]*\}")
_VALUE_KINDS = frozenset(("triple", "string", "substitution", "number", "unquoted"))


@dataclass(slots=True)
class ParseResult:
    """Parsed data and where each piece of it was written."""

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
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "null":
        return None
    number = parse_number(text)
    return text if number is None else number


class _Token:
    __slots__ = ("kind", "start", "end", "text")

    def __init__(self, kind: str, start: int, end: int, text: str) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.text = text


class _Parser:
    def __init__(self, text: str, name: str, resolver: Resolver | None, dialect: str) -> None:
        self.text = text
        self.name = name
        self.resolver = resolver
        self.plugin_lists = dialect == "seatunnel"
        self.position = 0
        self.token: _Token = self._scan()
        self.previous = self.token
        self.depth = 0
        self.result = ParseResult(data={}, text=text, name=name)

    # Scanning

    def _scan(self) -> _Token:
        match = _TOKEN.match(self.text, self.position)
        assert match is not None  # the `other` and `end` alternatives always match
        kind = match.lastgroup or "end"
        start = match.start(kind)
        end = match.end(kind)
        if kind == "triple":
            end = self._scan_triple(start)
        elif kind == "substitution":
            end = self._scan_substitution(start)
        elif kind == "open_string":
            self._fail_at(start, "a closing '\"' on the same line", "the end of the line")
        self.position = end
        return _Token(kind, start, end, self.text[start:end])

    def _scan_triple(self, start: int) -> int:
        close = self.text.find('"""', start + 3)
        if close < 0:
            self._fail_at(start, "a closing '\"\"\"'", "the end of the file")
        end = close + 3
        while end < len(self.text) and self.text[end] == '"':
            end += 1
        return end

    def _scan_substitution(self, start: int) -> int:
        match = _SUBSTITUTION_BODY.match(self.text, start + 2)
        if match is None:
            self._fail_at(start, "'}' to close the substitution", "the end of the line")
        return match.end()

    def _advance(self) -> _Token:
        token = self.previous = self.token
        self.token = self._scan()
        return token

    def _expect_separator(self, close: str, what: str) -> None:
        """Require a newline or comma after a value, unless the value closed a bracket."""
        if self.token.kind in ("newline", "end") or self.token.text in (",", close):
            return
        if self.previous.text in ("}", "]"):
            return
        self._fail(f"a newline or ',' after {what}")

    def _skip_newlines(self) -> None:
        while self.token.kind == "newline":
            self._advance()

    def _skip_separators(self) -> None:
        while self.token.kind == "newline" or self.token.text == ",":
            self._advance()

    # Errors

    def _describe(self, token: _Token) -> str:
        if token.kind == "end":
            return "the end of the file"
        if token.kind == "newline":
            return "the end of the line"
        if token.kind == "other":
            return f"the character {token.text!r}, which must be quoted"
        return repr(token.text if len(token.text) <= 40 else token.text[:37] + "...")

    def _fail_at(self, offset: int, expected: str, found: str) -> None:
        line, column = self.result.line_column(offset)
        raise ConfigSyntaxError(self.name, line, column, expected, found)

    def _fail(self, expected: str) -> None:
        self._fail_at(self.token.start, expected, self._describe(self.token))

    # Grammar

    def parse_root(self) -> ParseResult:
        self._skip_newlines()
        if self.token.text == "[":
            self._fail("an object at the top level, not an array")
        if self.token.text == "{":
            open_token = self._advance()
            self._parse_object_body((), "}", open_token)
            self._advance()
        else:
            self._parse_object_body((), None, None)
        self._skip_newlines()
        if self.token.kind != "end":
            self._fail("the end of the file")
        return self.result

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(f"at most {MAX_DEPTH} levels of nested objects and arrays")

    def _parse_object_body(self, path: Path, close: str | None, open_token: _Token | None) -> dict:
        self._enter()
        obj: dict[str, Any] = {} if path else self.result.data
        while True:
            self._skip_separators()
            if close is not None and self.token.text == close:
                break
            if close is None and self.token.kind == "end":
                break
            if self.token.kind == "end":
                assert open_token is not None
                self._fail_at(open_token.start, "'}' to close this object", "the end of the file")
            self._parse_field(obj, path)
            self._expect_separator("}", "the value")
        self.depth -= 1
        return obj

    def _parse_key(self) -> tuple[str, Span]:
        if self.token.kind not in ("string", "unquoted", "number"):
            self._fail("a key")
        start = self.token.start
        parts: list[str] = []
        end = start
        while self.token.kind in ("string", "unquoted", "number"):
            token = self._advance()
            if parts and token.start > end:
                parts.append(self.text[end : token.start])
            parts.append(self._string_value(token) if token.kind == "string" else token.text)
            end = token.end
        return "".join(parts), (start, end)

    def _parse_field(self, obj: dict, path: Path) -> None:
        key, key_span = self._parse_key()
        field_path = (*path, key)
        if self.token.text in ("=", ":"):
            self._advance()
            self._skip_newlines()
            appending = False
        elif self.token.kind == "plus_equals":
            self._advance()
            self._skip_newlines()
            appending = True
        else:
            self._skip_newlines()
            appending = False
            if self.token.text != "{":
                self._fail(f"'=', ':' or '{{' after the key {key!r}")

        if self.plugin_lists and not path and key in PLUGIN_SECTIONS and self.token.text == "{":
            value: Any = self._parse_plugin_section(key)
        else:
            value = self._parse_value(field_path)
        self.result.key_spans[field_path] = key_span
        if value is MISSING:
            return
        if appending:
            value = self._append(obj.get(key), value, key_span)
        self._set_field(obj, key, value)

    def _append(self, current: Any, value: Any, key_span: Span) -> list:
        if current is None:
            return [value]
        if not isinstance(current, list):
            self._fail_at(key_span[0], "'+=' on a key that holds an array", "a key holding a non-array")
        return [*current, value]

    def _set_field(self, obj: dict, key: str, value: Any) -> None:
        current = obj.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_into(current, value)
        elif obj is self.result.data and key in PLUGIN_SECTIONS and isinstance(current, list):
            # A second top-level `source { ... }` adds its plugins instead of dropping the first.
            current.extend(value if isinstance(value, list) else [value])
        else:
            obj[key] = value

    def _parse_plugin_section(self, section: str) -> list[dict]:
        open_token = self._advance()
        self._enter()
        existing = self.result.data.get(section)
        first_index = len(existing) if isinstance(existing, list) else 0
        plugins: list[dict] = []
        while True:
            self._skip_separators()
            if self.token.text == "}":
                self._advance()
                break
            if self.token.kind == "end":
                self._fail_at(open_token.start, f"'}}' to close the {section} block", "the end of the file")
            index = first_index + len(plugins)
            name, key_span = self._parse_key()
            block_path: Path = (section, index)
            if self.token.text in ("=", ":"):
                self._advance()
            self._skip_newlines()
            if self.token.text != "{":
                self._fail(f"'{{' to open the {name!r} plugin block in {section}")
            block_start = self.token.start
            open_block = self._advance()
            body = self._parse_object_body(block_path, "}", open_block)
            block_end = self._advance().end
            if "plugin_name" in body:
                plugin = body
            else:
                plugin = {"plugin_name": name, **body}
                self.result.value_spans[(*block_path, "plugin_name")] = key_span
                self.result.key_spans[(*block_path, "plugin_name")] = key_span
            self.result.value_spans[block_path] = (block_start, block_end)
            self.result.key_spans[block_path] = key_span
            plugins.append(plugin)
            self._expect_separator("}", "the plugin block")
        self.depth -= 1
        self.result.value_spans[(section,)] = (open_token.start, self.token.start)
        return plugins

    def _parse_value(self, path: Path) -> Any:
        start = self.token.start
        if self.token.text == "{":
            open_token = self._advance()
            value: Any = self._parse_object_body(path, "}", open_token)
            end = self._advance().end
        elif self.token.text == "[":
            value, end = self._parse_array(path)
        elif self.token.kind in _VALUE_KINDS:
            value, end = self._parse_concatenation()
            if value is MISSING:
                return MISSING
        else:
            self._fail("a value")
        self.result.value_spans[path] = (start, end)
        return value

    def _parse_array(self, path: Path) -> tuple[list, int]:
        open_token = self._advance()
        self._enter()
        items: list[Any] = []
        while True:
            self._skip_separators()
            if self.token.text == "]":
                break
            if self.token.kind == "end":
                self._fail_at(open_token.start, "']' to close this array", "the end of the file")
            item = self._parse_value((*path, len(items)))
            if item is not MISSING:
                items.append(item)
            self._expect_separator("]", "the array element")
        self.depth -= 1
        return items, self._advance().end

    def _parse_concatenation(self) -> tuple[Any, int]:
        """Read simple values written side by side on one line, such as `"a"${x}"b"`."""
        pieces: list[tuple[_Token, Any]] = []
        previous_end = -1
        gaps: list[str] = []
        while self.token.kind in _VALUE_KINDS:
            token = self._advance()
            gaps.append(self.text[previous_end : token.start] if pieces else "")
            pieces.append((token, self._piece_value(token)))
            previous_end = token.end
        if self.token.text in ("{", "["):
            self._fail("a newline or ',' after the value (object and array concatenation is not supported)")

        if len(pieces) == 1:
            token, value = pieces[0]
            if token.kind in ("unquoted", "number"):
                value = unquoted_scalar(token.text)
            return value, previous_end
        parts = []
        for gap, (token, value) in zip(gaps, pieces, strict=True):
            if value is MISSING:
                value = ""
            elif isinstance(value, (dict, list)):
                self._fail_at(token.start, "a string, number or boolean in a concatenation", "an object or array")
            parts.append(gap)
            parts.append(_as_text(value))
        return "".join(parts), previous_end

    def _piece_value(self, token: _Token) -> Any:
        kind = token.kind
        if kind == "string":
            return self._string_value(token)
        if kind == "triple":
            raw = token.text
            return raw[3:-3]
        if kind == "substitution":
            return self._resolve(token)
        return token.text

    def _string_value(self, token: _Token) -> str:
        body = token.text[1:-1]
        if "\\" not in body:
            return body

        def replace(match: re.Match[str]) -> str:
            if match.group(1) is not None:
                return chr(int(match.group(1), 16))
            escaped = match.group(2)
            if escaped not in _SIMPLE_ESCAPES:
                self._fail_at(
                    token.start + 1 + match.start(),
                    "one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                    repr(match.group(0)),
                )
            return _SIMPLE_ESCAPES[escaped]

        return _ESCAPE.sub(replace, body)

    def _resolve(self, token: _Token) -> Any:
        match = _SUBSTITUTION_BODY.match(self.text, token.start + 2)
        assert match is not None
        optional = match.group(1) is not None
        name = match.group(2)
        if not name:
            self._fail_at(token.start, "a variable name inside '${}'", "an empty substitution")
        if ":" in name:
            line, column = self.result.line_column(token.start)
            raise VariableError(
                f"{self.name}:{line}:{column}: unquoted {token.text} is not valid HOCON, because a "
                f"default value needs quotes; write \"{token.text}\" instead"
            )
        if self.resolver is None:
            return MISSING if optional else token.text
        return self.resolver(name, optional, token.start)


def _as_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _merge_into(target: dict, source: dict) -> None:
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
) -> ParseResult:
    """Parse HOCON text into a dict and the spans of its values.

    `dialect="seatunnel"` turns top-level `source`, `transform` and `sink` objects into
    plugin lists; `dialect="plain"` leaves every object as it is, which is what JSON
    files and non-job HOCON files need. Without a resolver, unquoted substitutions stay
    as their literal text and optional ones are dropped.
    """
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    return _Parser(text, name, resolver, dialect).parse_root()
