"""The nodes that share one store, and which of them are alive.

Each node process registers itself in the store and renews a heartbeat. A node is alive
while its heartbeat is recent and, on this host, while its process still exists, so a
node that was killed is seen as gone at once when another node on the host looks.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

import psutil

from stconfig.server.store import NodeRow, Store

logger = logging.getLogger(__name__)

# A node whose heartbeat is older than this is taken for dead, even if its process exists.
HEARTBEAT_TIMEOUT_SECONDS = 30.0


class Membership:
    """This node's record in the store, and the view of the other nodes."""

    def __init__(self, store: Store, host: str, port: int) -> None:
        self.store = store
        self.node_id = uuid.uuid4().hex
        self.host = host
        self.port = port
        self.hostname = socket.gethostname()
        self.pid = os.getpid()
        self.process_start = psutil.Process(self.pid).create_time()

    def register(self) -> None:
        now = time.time()
        self.store.register_node(
            NodeRow(
                self.node_id,
                self.host,
                self.port,
                self.hostname,
                self.pid,
                self.process_start,
                now,
                now,
                None,
            )
        )

    def heartbeat(self, monitoring: bytes | None) -> None:
        self.store.heartbeat(self.node_id, time.time(), monitoring)

    def leave(self) -> None:
        self.store.remove_node(self.node_id)

    def alive_nodes(self) -> list[NodeRow]:
        """Return the nodes that are alive, oldest first; dead ones are removed."""
        alive = []
        now = time.time()
        for row in self.store.nodes():
            if row.node_id == self.node_id or self._is_alive(row, now):
                alive.append(row)
            else:
                logger.warning(
                    "node %s (pid %d on %s, port %d) is gone; its running jobs are marked FAILED",
                    row.node_id,
                    row.pid,
                    row.hostname,
                    row.port,
                )
                self.store.remove_node(row.node_id)
        return alive

    def _is_alive(self, row: NodeRow, now: float) -> bool:
        if now - row.heartbeat > HEARTBEAT_TIMEOUT_SECONDS:
            return False
        if row.hostname != self.hostname:
            return True
        try:
            process = psutil.Process(row.pid)
            started = process.create_time()
            if process.status() == psutil.STATUS_ZOMBIE:
                return False
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return False
        return abs(started - row.process_start) < 1.0
