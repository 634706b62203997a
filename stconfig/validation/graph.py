"""The table graph: which plugin produces each table and which plugins read it.

SeaTunnel names tables with `plugin_output` and `plugin_input` (before 2.3.9:
`result_table_name` and `source_table_name`, still read). SeaTunnel chains a job of one
source, at most one transform and one sink in file order whatever names it gives, so
wrong names there are only warnings. In any other job SeaTunnel rejects a source or
transform without an output name, a transform or sink without an input, a name produced
twice, an input no plugin produces and a table no plugin reads. stconfig reports the
same, and also transforms that read each other in a cycle, which SeaTunnel never
finishes building.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from stconfig.config import plugins
from stconfig.validation.findings import Issue, ValuePath, error, quote, suggestion, warning

OUTPUT_KEYS = ("plugin_output", "result_table_name")
INPUT_KEYS = ("plugin_input", "source_table_name")


@dataclass
class Node:
    """One plugin in the graph, with the table names it produces and reads."""

    section: str
    index: int
    name: str
    output: str | None = None
    output_path: ValuePath = ()
    inputs: list[tuple[str, ValuePath]] = field(default_factory=list)
    has_input: bool = False

    @property
    def path(self) -> ValuePath:
        return (self.section, self.index)

    @property
    def label(self) -> str:
        """The plugin as another plugin's finding names it: `source[0] (FakeSource)`."""
        return f"{self.section}[{self.index}] ({self.name})"

    @property
    def owner(self) -> str:
        """The plugin as its own finding names it: `the FakeSource source`."""
        return f"the {self.name} {self.section}"


def check_graph(job: Mapping[str, Any]) -> list[Issue]:
    """Check the table names of every plugin and how they connect."""
    issues: list[Issue] = []
    nodes = list(_nodes(job, issues))
    sources = [node for node in nodes if node.section == "source"]
    transforms = [node for node in nodes if node.section == "transform"]
    sinks = [node for node in nodes if node.section == "sink"]
    if not sources or not sinks:
        return issues
    if len(sources) == 1 and len(sinks) == 1 and len(transforms) <= 1:
        issues.extend(_check_simple([*sources, *transforms, *sinks]))
    else:
        issues.extend(_check_complex(sources, transforms, sinks))
    return issues


def _nodes(job: Mapping[str, Any], issues: list[Issue]) -> Iterator[Node]:
    for section, index, plugin in plugins(job):
        name = plugin.get("plugin_name")
        node = Node(section, index, name if isinstance(name, str) else "?")
        if section != "sink":
            _read_output(plugin, node, issues)
        if section != "source":
            _read_inputs(plugin, node, issues)
        yield node


def _read_output(plugin: Mapping[str, Any], node: Node, issues: list[Issue]) -> None:
    written = [(key, plugin[key]) for key in OUTPUT_KEYS if isinstance(plugin.get(key), str)]
    if not written:
        return
    key, value = written[0]
    node.output, node.output_path = value, node.path + (key,)
    if len(written) == 2 and written[1][1] != value:
        issues.append(_conflict(node, written[1][0], written[1][1], key, value))


def _read_inputs(plugin: Mapping[str, Any], node: Node, issues: list[Issue]) -> None:
    present = [key for key in INPUT_KEYS if key in plugin]
    if not present:
        return
    key = present[0]
    names = _input_names(plugin[key], node.path + (key,))
    node.inputs, node.has_input = names, True
    if len(present) == 2:
        other = _input_names(plugin[present[1]], ())
        if [name for name, _ in other] != [name for name, _ in names]:
            old = ", ".join(name for name, _ in other)
            new = ", ".join(name for name, _ in names)
            issues.append(_conflict(node, present[1], old, key, new))


def _input_names(value: Any, path: ValuePath) -> list[tuple[str, ValuePath]]:
    """Split an input option as SeaTunnel does: a list, or a string split on commas."""
    if isinstance(value, list):
        return [
            (item.strip(), path + (i,)) for i, item in enumerate(value) if isinstance(item, str)
        ]
    if isinstance(value, str):
        return [(part.strip(), path) for part in value.split(",") if part.strip()]
    return []


def _conflict(node: Node, old_key: str, old: str, new_key: str, new: str) -> Issue:
    return error(
        node.path + (old_key,),
        f"{quote(old_key)} is {quote(old)} but {quote(new_key)} is {quote(new)}; SeaTunnel "
        f"uses {quote(new_key)}, so keep only that one",
        at_key=True,
    )


def _check_simple(chain: list[Node]) -> list[Issue]:
    issues: list[Issue] = []
    for producer, consumer in zip(chain, chain[1:], strict=False):
        if producer.output is None or not consumer.inputs:
            continue
        name, path = consumer.inputs[0]
        if name != producer.output:
            issues.append(
                warning(
                    path,
                    f"{quote(name)} is not produced by any source or transform (known: "
                    f"{producer.output}){suggestion(name, [producer.output])}. SeaTunnel "
                    "still connects this one-line job in file order and ignores the name",
                )
            )
    return issues


def _check_complex(sources: list[Node], transforms: list[Node], sinks: list[Node]) -> list[Issue]:
    issues: list[Issue] = []
    producers = [*sources, *transforms]
    consumers = [*transforms, *sinks]
    known = list(dict.fromkeys(node.output for node in producers if node.output))
    read = {name for node in consumers for name, _ in node.inputs}
    unread = [name for name in known if name not in read]

    issues.extend(_missing_names(producers, consumers, known, unread))
    owners, duplicates = _owners(producers)
    issues.extend(duplicates)
    dangling = list(_dangling(consumers, owners, known))
    issues.extend(issue for issue, _ in dangling)
    if all(node.has_input for node in consumers):
        explained = {suggested for _, suggested in dangling if suggested}
        issues.extend(_unread(owners, unread, explained))
    issues.extend(_cycles(transforms, owners))
    return issues


def _missing_names(
    producers: list[Node], consumers: list[Node], known: list[str], unread: list[str]
) -> Iterator[Issue]:
    for node in producers:
        if node.output is None:
            yield error(
                node.path,
                f'{node.owner} has no "plugin_output"; in a job with several sources, transforms '
                "or sinks, every source and transform must name the table it produces",
                at_key=True,
            )
    for node in consumers:
        if not node.has_input:
            waiting = f"; tables nobody reads yet: {', '.join(unread)}" if unread else ""
            yield error(
                node.path,
                f'{node.owner} has no "plugin_input"; in a job with several sources, transforms '
                f"or sinks, every transform and sink must name the tables it reads (known: "
                f"{', '.join(known) or 'none'}){waiting}",
                at_key=True,
            )


def _owners(producers: list[Node]) -> tuple[dict[str, Node], list[Issue]]:
    owners: dict[str, Node] = {}
    issues: list[Issue] = []
    for node in producers:
        if node.output is None:
            continue
        first = owners.setdefault(node.output, node)
        if first is not node:
            issues.append(
                error(
                    node.output_path,
                    f"table {quote(node.output)} is already produced by {first.label}; give each "
                    "source and transform its own plugin_output",
                )
            )
    return owners, issues


def _dangling(
    consumers: list[Node], owners: Mapping[str, Node], known: list[str]
) -> Iterator[tuple[Issue, str | None]]:
    from stconfig.validation.findings import did_you_mean

    for node in consumers:
        for name, path in node.inputs:
            if name in owners:
                continue
            match = did_you_mean(name, known)
            hint = f"; did you mean {quote(match)}?" if match else ""
            issue = error(
                path,
                f"{quote(name)} is not produced by any source or transform (known: "
                f"{', '.join(known) or 'none'}){hint}",
            )
            yield issue, match


def _unread(owners: Mapping[str, Node], unread: list[str], explained: set[str]) -> Iterator[Issue]:
    for name in unread:
        if name in explained:
            continue
        node = owners[name]
        yield error(
            node.output_path,
            f"table {quote(name)} of {node.label} is not read by any transform or sink; read "
            "it with plugin_input, or remove the plugin",
        )


def _cycles(transforms: list[Node], owners: Mapping[str, Node]) -> Iterator[Issue]:
    """Report each cycle of transforms that read each other's tables, once."""
    transform_ids = {id(node) for node in transforms}
    reads = {
        id(node): [owners[name] for name, _ in node.inputs if id(owners.get(name)) in transform_ids]
        for node in transforms
    }
    reported: set[frozenset[int]] = set()
    for start in transforms:
        cycle = _find_cycle(start, reads)
        if cycle is None or frozenset(map(id, cycle)) in reported:
            continue
        reported.add(frozenset(map(id, cycle)))
        loop = " -> ".join(
            f"{node.label} ({quote(node.output or '')})" for node in [*cycle, cycle[0]]
        )
        yield error(
            start.path,
            f"transforms read each other's tables in a cycle: {loop}; SeaTunnel never finishes "
            "building such a job, so break the cycle",
            at_key=True,
        )


def _find_cycle(start: Node, reads: Mapping[int, list[Node]]) -> list[Node] | None:
    """Return the transforms on a cycle through `start`, in reading order, or None."""
    stack: list[tuple[Node, list[Node]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, trail = stack.pop()
        for upstream in reads[id(node)]:
            if upstream is start:
                # The trail follows reads backwards; data flows the other way, from start.
                return [start, *reversed(trail[1:])]
            if id(upstream) not in seen:
                seen.add(id(upstream))
                stack.append((upstream, [*trail, upstream]))
    return None
