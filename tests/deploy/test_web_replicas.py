"""Two web replicas (Daphne) on one Redis channel layer, no proxy in front: a cycle collected
in a third process reaches a websocket client on each, as the same delta with the same seq.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.deploy.processes import manage, start_daphne

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]
T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
SUBSCRIBE = {"type": "subscribe", "topic": "graph",
             "params": {"namespaces": "bookinfo", "window": "1m"}}  # fmt: skip


def _receive(ws: ClientConnection, kind: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} within {timeout}s")


def test_one_delta_reaches_a_client_on_each_replica_with_the_same_seq(mw_env, processes):
    token = manage(mw_env, "issue_token", "--user", "ops", "--admin").split()[-1]
    manage(mw_env, "collect", "--once", "--at", str(int(T0.timestamp())))
    ports = [start_daphne(processes, mw_env, f"web{n}")[1] for n in (1, 2)]
    clients = [
        connect(f"ws://127.0.0.1:{port}/ws/v1/live?token={token}",
                origin=f"http://127.0.0.1:{port}", open_timeout=10)
        for port in ports
    ]  # fmt: skip
    try:
        snapshots = []
        for ws in clients:
            ws.send(json.dumps(SUBSCRIBE))
            snapshots.append(_receive(ws, "snapshot"))
        assert snapshots[0]["seq"] == snapshots[1]["seq"]  # one stored view, both replicas
        later = T0 + timedelta(seconds=15)
        manage(mw_env, "collect", "--once", "--at", str(int(later.timestamp())))
        deltas = [_receive(ws, "delta") for ws in clients]
    finally:
        for ws in clients:
            ws.close()
    assert deltas[0]["seq"] == deltas[1]["seq"] == snapshots[0]["seq"] + 1
    assert deltas[0]["data"] == deltas[1]["data"] and deltas[0]["data"]["upsert"]["edges"]
