"""Transforms that rewrite string columns: Replace and Split.

Patterns and separators are Java regular expressions in SeaTunnel; Python's `re` reads
the common subset the same way (possessive quantifiers and `\\p{...}` classes differ).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stconfig.server.engine.errors import PluginError, option_error, required_options_error
from stconfig.server.engine.plugins import JobContext, Transform
from stconfig.server.engine.rows import Batch
from stconfig.server.engine.transforms.columns import positions
from stconfig.server.engine.types import STRING, Column, TableSchema
from stconfig.server.engine.values import java_string


def compile_java_regex(pattern: str, option: str, plugin: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise PluginError(
            f"{plugin}: option '{option}' is not a valid regular expression: {exc}"
        ) from None


def python_replacement(replacement: str) -> str:
    """Turn a Java replacement string (`$1`, `\\$`) into a Python one (`\\g<1>`, `$`)."""
    out = []
    i = 0
    while i < len(replacement):
        char = replacement[i]
        if char == "\\" and i + 1 < len(replacement):
            out.append(replacement[i + 1].replace("\\", "\\\\"))
            i += 2
            continue
        if char == "$":
            match = re.match(r"\$(\d+|\{(\w+)\})", replacement[i:])
            if match:
                out.append(f"\\g<{match.group(2) or match.group(1)}>")
                i += match.end()
                continue
        out.append("\\\\" if char == "\\" else char)
        i += 1
    return "".join(out)


def check_group_references(regex: re.Pattern[str], python: str, replacement: str) -> None:
    """Raise if a Python replacement names a group that `regex` does not have.

    `re` finds such a reference only when a row matches, so a job would fail part way.
    """
    for reference in re.findall(r"\\g<(\w+)>", python):
        known = (
            int(reference) <= regex.groups if reference.isdigit() else reference in regex.groupindex
        )
        if not known:
            groups = regex.groups
            raise PluginError(
                f"Replace: replacement {replacement!r} refers to group {reference}, but "
                f"pattern {regex.pattern!r} has {groups} group{'s' if groups != 1 else ''}"
            )


class Replace(Transform):
    plugin_name = "Replace"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        missing = [
            key for key in ("replace_field", "pattern", "replacement") if options.get(key) is None
        ]
        if missing:
            raise required_options_error(*missing)
        self.position = positions(upstream, [str(options["replace_field"])], "Replace")[0]
        self.kind = upstream.columns[self.position].type
        pattern, replacement = str(options["pattern"]), str(options["replacement"])
        if self.bool_option("is_regex", False):
            if options.get("replace_first") is None:
                raise option_error(
                    "There are unconfigured options, the options('replace_first') are required "
                    "because ['is_regex' == true] is true."
                )
            regex = compile_java_regex(pattern, "pattern", "Replace")
            count = 1 if self.bool_option("replace_first", False) else 0
            python = python_replacement(replacement)
            check_group_references(regex, python, replacement)
            self.rewrite = lambda text: regex.sub(python, text, count=count)
        else:
            self.rewrite = lambda text: text.replace(pattern, replacement)

    def process(self, batch: Batch) -> Batch:
        position = self.position
        rows = []
        for row in batch.rows:
            value = row[position]
            if value is not None:
                text = value if isinstance(value, str) else java_string(value, self.kind)
                row = (*row[:position], self.rewrite(text), *row[position + 1 :])
            rows.append(row)
        return batch.with_rows(rows, batch.kinds)


def java_split(regex: re.Pattern[str], text: str, limit: int) -> list[str]:
    """Split as Java's `String.split(regex, limit)` with a positive limit."""
    parts: list[str] = []
    start = 0
    for match in regex.finditer(text):
        if len(parts) == limit - 1:
            break
        if match.end() == 0:
            continue
        if match.start() == match.end() and match.start() >= len(text):
            break
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return parts


class Split(Transform):
    plugin_name = "Split"

    def __init__(
        self, options: Mapping[str, Any], context: JobContext, upstream: TableSchema
    ) -> None:
        super().__init__(options, context, upstream)
        missing = [
            key for key in ("separator", "split_field", "output_fields") if options.get(key) is None
        ]
        if missing:
            raise required_options_error(*missing)
        self.position = positions(upstream, [str(options["split_field"])], "Split")[0]
        self.regex = compile_java_regex(str(options["separator"]), "separator", "Split")
        outputs = options["output_fields"]
        names = (
            [str(name) for name in outputs]
            if isinstance(outputs, list)
            else str(outputs).split(",")
        )
        columns = list(upstream.columns)
        self.targets = []
        for name in names:
            existing = next((i for i, c in enumerate(columns) if c.name == name), -1)
            column = Column(name, STRING)
            if existing >= 0:
                columns[existing] = column
                self.targets.append(existing)
            else:
                columns.append(column)
                self.targets.append(len(columns) - 1)
        self.width = len(columns)
        self.schema = upstream.with_columns(columns)

    def process(self, batch: Batch) -> Batch:
        count = len(self.targets)
        rows = []
        for row in batch.rows:
            values = list(row) + [None] * (self.width - len(row))
            source = row[self.position]
            parts = java_split(self.regex, str(source), count) if source is not None else []
            for index, target in enumerate(self.targets):
                values[target] = parts[index] if index < len(parts) else None
            rows.append(tuple(values))
        return batch.with_rows(rows, batch.kinds)
