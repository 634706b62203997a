"""Fixtures that start real nodes and stop them when the test ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.server.nodes import NodeProcess, start_node


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., NodeProcess]]:
    """Start nodes on demand; every node still running at the end gets SIGTERM."""
    started: list[NodeProcess] = []

    def factory(
        *args: str, data_dir: Path | None = None, env: dict[str, str] | None = None
    ) -> NodeProcess:
        node = start_node(data_dir or tmp_path / "data", *args, env=env)
        started.append(node)
        return node

    yield factory
    for node in started:
        node.stop()


@pytest.fixture
def node(node_factory: Callable[..., NodeProcess]) -> NodeProcess:
    return node_factory()


@pytest.fixture(scope="module")
def shared_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    """One node for a whole test module, for tests that only add their own jobs."""
    process = start_node(tmp_path_factory.mktemp("shared") / "data")
    yield process
    process.stop()
