"""Remove one `key = value` entry from the text of a HOCON or JSON config.

`stconfig decrypt` uses this to take `shade.identifier` and `shade.properties` out of
its output. The entry goes together with one separating comma. When nothing else is
on its lines, the lines go too, along with a comment at the end of the last one.
"""

from __future__ import annotations

_BLANKS = " \t"
_JSON_WHITESPACE = " \t\r\n"


def remove_entry(text: str, start: int, end: int, format: str) -> str:
    """Return `text` without the entry from its key at `start` to the end of its value at `end`."""
    after = _skip(text, end, _BLANKS)
    comma_after = after < len(text) and text[after] == ","
    if comma_after:
        after += 1

    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", after)
    line_end = len(text) if line_end < 0 else line_end
    alone = not text[line_start:start].strip() and _is_blank_or_comment(
        text[after:line_end], format
    )
    if alone:
        text = text[:line_start] + text[line_end + 1 :]
        return text if comma_after else _drop_comma_before(text, line_start, format)

    if comma_after:
        return text[:start] + text[_skip(text, after, _BLANKS) :]
    comma = _comma_before(text, start, format)
    if comma is not None:
        return text[:comma] + text[end:]
    if not text[after:line_end].strip():  # last on its line: drop the blanks before it too
        return text[: len(text[:start].rstrip(_BLANKS))] + text[end:]
    return text[:start] + text[_skip(text, end, _BLANKS) :]


def _skip(text: str, position: int, characters: str) -> int:
    while position < len(text) and text[position] in characters:
        position += 1
    return position


def _is_blank_or_comment(rest: str, format: str) -> bool:
    rest = rest.strip()
    return not rest or (format != "json" and rest.startswith(("#", "//")))


def _comma_before(text: str, position: int, format: str) -> int | None:
    """Return the offset of a comma that only whitespace separates from `position`.

    In HOCON a newline separates entries by itself, so the search stops at one.
    """
    blanks = _JSON_WHITESPACE if format == "json" else _BLANKS
    index = position - 1
    while index >= 0 and text[index] in blanks:
        index -= 1
    return index if index >= 0 and text[index] == "," else None


def _drop_comma_before(text: str, position: int, format: str) -> str:
    """Remove the comma before a removed JSON entry that was the last of its object.

    HOCON allows a trailing comma, so only JSON needs this.
    """
    if format != "json":
        return text
    comma = _comma_before(text, position, format)
    if comma is None:
        return text
    following = text[position:].lstrip(_JSON_WHITESPACE)
    if following.startswith(("}", "]")):
        return text[:comma] + text[comma + 1 :]
    return text
