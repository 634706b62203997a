"""Resolve the table graph of a job, and describe it as SeaTunnel's REST `jobDag`.

Inputs and outputs are named by `plugin_input`/`plugin_output`, or by the older
`source_table_name`/`result_table_name`. Resolution follows SeaTunnel's job parser.
Sources register their output name (or `default-identifier`) in file order. Transforms
are taken from a queue, and one whose inputs are not registered yet goes back to the end
of the queue, unless it is the last one waiting, which then reads the most recently
registered table. A sink with no resolvable input reads the most recently registered
table too. Only plugins that a sink reaches take part in the job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stconfig.config import get_option
from stconfig.hocon import MISSING
from stconfig.server.engine.errors import JobDefinitionError

DEFAULT_IDENTIFIER = "default-identifier"


@dataclass(eq=False)
class PlanNode:
    """One plugin of the job and the plugins it reads from."""

    section: str
    index: int
    options: dict[str, Any]
    inputs: list[PlanNode] = field(default_factory=list)
    vertex_id: int = 0
    pipeline_id: int = 0

    @property
    def plugin_name(self) -> str:
        return str(self.options.get("plugin_name", ""))

    @property
    def key(self) -> str:
        return f"{self.section}[{self.index}]"

    @property
    def output_id(self) -> str:
        return output_name(self.options) or DEFAULT_IDENTIFIER


@dataclass
class Plan:
    """The plugins of a job that take part in it, sources first, then transforms, then sinks."""

    env: dict[str, Any]
    nodes: list[PlanNode]

    def section(self, name: str) -> list[PlanNode]:
        return [node for node in self.nodes if node.section == name]

    def consumers(self, node: PlanNode) -> list[PlanNode]:
        return [other for other in self.nodes if node in other.inputs]


def output_name(options: Mapping[str, Any]) -> str | None:
    value = options.get("plugin_output", options.get("result_table_name"))
    return str(value) if value not in (None, "") else None


def input_names(options: Mapping[str, Any]) -> list[str]:
    """Return the input table names, given as a list or as a comma-separated string."""
    value = options.get("plugin_input", options.get("source_table_name"))
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def plan_job(job: Mapping[str, Any]) -> Plan:
    """Resolve which plugin reads from which, and drop plugins that no sink reaches."""
    env = dict(job.get("env") or {})
    registry: dict[str, PlanNode] = {}
    sources = [PlanNode("source", i, dict(p)) for i, p in enumerate(job.get("source") or [])]
    for node in sources:
        registry[node.output_id] = node

    transforms = _resolve_transforms(
        [PlanNode("transform", i, dict(p)) for i, p in enumerate(job.get("transform") or [])],
        registry,
    )

    sinks = [PlanNode("sink", i, dict(p)) for i, p in enumerate(job.get("sink") or [])]
    for node in sinks:
        node.inputs = _resolve(node, registry) or _last(registry, node)

    reachable = _reachable(sinks)
    nodes = [node for node in (*sources, *transforms) if node in reachable] + sinks
    _number(nodes)
    return Plan(env, nodes)


def _resolve(node: PlanNode, registry: dict[str, PlanNode]) -> list[PlanNode]:
    return [registry[name] for name in input_names(node.options) if name in registry]


def _last(registry: dict[str, PlanNode], node: PlanNode) -> list[PlanNode]:
    if not registry:
        raise JobDefinitionError(f"{node.key} ({node.plugin_name}) has no source to read from")
    return [list(registry.values())[-1]]


def _resolve_transforms(pending: list[PlanNode], registry: dict[str, PlanNode]) -> list[PlanNode]:
    resolved: list[PlanNode] = []
    stalled = 0
    while pending:
        node = pending.pop(0)
        inputs = _resolve(node, registry)
        if not inputs and pending:
            pending.append(node)
            stalled += 1
            if stalled > len(pending):
                names = ", ".join(f"{item.key} ({item.plugin_name})" for item in pending)
                raise JobDefinitionError(
                    f"the transforms {names} read from each other in a cycle, or from tables "
                    "that no plugin produces; check their plugin_input names"
                )
            continue
        stalled = 0
        node.inputs = inputs or _last(registry, node)
        registry[node.output_id] = node
        resolved.append(node)
    return resolved


def _reachable(sinks: list[PlanNode]) -> set[PlanNode]:
    seen: set[PlanNode] = set()
    stack = list(sinks)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.inputs)
    return seen


def _number(nodes: list[PlanNode]) -> None:
    """Give vertex ids 1..n in plan order, and pipeline ids to the connected parts."""
    parent = {node: node for node in nodes}

    def root(node: PlanNode) -> PlanNode:
        while parent[node] is not node:
            node = parent[node]
        return node

    for node in nodes:
        for upstream in node.inputs:
            parent[root(node)] = root(upstream)
    pipelines: dict[PlanNode, int] = {}
    for vertex_id, node in enumerate(nodes, start=1):
        node.vertex_id = vertex_id
        node.pipeline_id = pipelines.setdefault(root(node), len(pipelines) + 1)


# The REST `jobDag` object


def java_text(value: Any) -> str:
    """Render an env value as Java's `toString` does (maps as `{k=v}`, lists as `[a, b]`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}={java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(item) for item in value) + "]"
    return str(value)


def source_table_paths(options: Mapping[str, Any]) -> list[str]:
    """Return the tables a source produces, read from its options without running it."""
    configs = options.get("tables_configs")
    if isinstance(configs, list) and configs:
        return [path for item in configs if isinstance(item, Mapping) for path in _table_of(item)]
    table_list = options.get("table_list")
    if isinstance(table_list, list) and table_list:
        return [str(item.get("table_path")) for item in table_list if isinstance(item, Mapping)]
    return _table_of(options)


def _table_of(options: Mapping[str, Any]) -> list[str]:
    table = get_option(options, "schema.table")
    if isinstance(table, str) and table.strip():
        return [table.strip()]
    table_path = options.get("table_path")
    if isinstance(table_path, str) and table_path.strip():
        return [table_path.strip()]
    name = output_name(options)
    return [name] if name else ["default.default.default"]


def _vertex_name(node: PlanNode, plugin_names: Mapping[str, str]) -> str:
    label = node.section.capitalize()
    name = plugin_names.get(f"{node.section}.{node.plugin_name.lower()}", node.plugin_name)
    action = f"{label}[{node.index}]-{name}"
    if node.section == "sink":
        action += "-MultiTableSink"
    return f"pipeline-{node.pipeline_id} [{action}]"


def _tables_of_node(node: PlanNode, memo: dict[PlanNode, list[str]]) -> list[str]:
    if node not in memo:
        if node.section == "source":
            memo[node] = source_table_paths(node.options)
        else:
            tables: list[str] = []
            for upstream in node.inputs:
                tables += [t for t in _tables_of_node(upstream, memo) if t not in tables]
            memo[node] = tables
    return memo[node]


def build_dag(job: Mapping[str, Any], job_id: int) -> dict[str, Any]:
    """Return the REST `jobDag` object of a job, without running it."""
    plan = plan_job(job)
    names = _dag_names()
    memo: dict[PlanNode, list[str]] = {}
    edges: dict[str, list[dict[str, str]]] = {}
    for node in plan.nodes:
        edges.setdefault(str(node.pipeline_id), [])
        for upstream in node.inputs:
            edges[str(node.pipeline_id)].append(
                {"inputVertexId": str(upstream.vertex_id), "targetVertexId": str(node.vertex_id)}
            )
    vertices = [
        {
            "vertexId": node.vertex_id,
            "type": node.section,
            "vertexName": _vertex_name(node, names),
            "tablePaths": [] if node.section == "transform" else _tables_of_node(node, memo),
        }
        for node in plan.nodes
    ]
    return {
        "jobId": str(job_id),
        "pipelineEdges": edges,
        "envOptions": {str(key): java_text(value) for key, value in plan.env.items()},
        "vertexInfoMap": vertices,
    }


def _dag_names() -> dict[str, str]:
    """Map `section.lower-name` to the name SeaTunnel shows in vertex names, where known."""
    from stconfig.server.engine.plugins import installed_plugins

    names: dict[str, str] = {}
    for section, entries in installed_plugins().items():
        for lower, entry in entries.items():
            names[f"{section}.{lower}"] = entry.name.partition(".")[2]
    names["sink.console"] = "console"
    return names


def env_option(env: Mapping[str, Any], key: str, default: Any = MISSING) -> Any:
    return get_option(env, key, default)
