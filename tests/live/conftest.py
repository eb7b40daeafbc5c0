"""Fixtures for the live socket: a fresh channel layer, a scripted source, and socket clients.

Consumer tests drive the whole ASGI app (`webapp.asgi.application`) over WebsocketCommunicator
and always disconnect, through the `live` context manager.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from collectors.records import CycleRecords, EdgeSample, Inventory, NamespaceRecord, Peer

ORIGIN = (b"origin", b"http://localhost")
INTERVAL = timedelta(seconds=15)


@pytest.fixture(autouse=True)
def memory_layer(settings):
    """A new in-memory channel layer per test (Channels resets its layers on the change)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def anonymous(settings):
    """The demo's mode: everyone may watch."""
    settings.MESHWATCH_AUTH = "anonymous"


@pytest.fixture
def login_mode(settings):
    """The default mode: only logged-in users and token holders."""
    settings.MESHWATCH_AUTH = "login"


def edge(source: str, destination: str, requests: float = 150.0, errors_5xx: float = 0.0,
         namespace: str = "shop") -> EdgeSample:
    """An HTTP edge between two workloads of `namespace`, over one 15 s interval."""
    return EdgeSample(Peer(namespace, source, app=source),
                      Peer(namespace, destination, app=destination, service=destination),
                      "http", "istio", 15.0, requests=requests, errors_5xx=errors_5xx,
                      mtls_requests=requests)


@dataclass
class ScriptedSource:
    """A source whose next cycles say whatever the test sets in `edges`."""

    edges: tuple[EdgeSample, ...]
    name: str = "scripted"

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        inventory = Inventory(namespaces=(NamespaceRecord("shop", mesh="istio"),))
        return CycleRecords(at, self.name, inventory, tuple(replace(e, interval_s=interval_s)
                                                             for e in self.edges))


@pytest.fixture
def source() -> ScriptedSource:
    """web → api, at 10 requests per second."""
    return ScriptedSource((edge("web", "api"),))


@pytest.fixture
def cycle(t0) -> Callable[..., Any]:
    """`await cycle(source)` runs the next cycle (t0, t0+15s, ...) in a worker thread."""
    from collectors.pipeline import run_cycle

    times = iter(t0 + INTERVAL * i for i in range(1000))

    async def run(source: Any) -> Any:
        result = await database_sync_to_async(run_cycle)(
            next(times), source, interval_s=INTERVAL.total_seconds())
        assert result.status == "ok", result
        return result

    return run


@contextlib.asynccontextmanager
async def live(query: str = "", headers: list[tuple[bytes, bytes]] | None = None,
               expect_refused: bool = False) -> AsyncIterator[WebsocketCommunicator]:
    """A connected socket to /ws/v1/live (or a refused one), disconnected on the way out."""
    from webapp.asgi import application

    path = "/ws/v1/live" + (f"?{query}" if query else "")
    ws = WebsocketCommunicator(application, path, headers=[ORIGIN, *(headers or [])])
    connected, _ = await ws.connect(timeout=5)
    try:
        assert connected is not expect_refused
        yield ws
    finally:
        await ws.disconnect()


async def subscribe(ws: WebsocketCommunicator, params: dict | None = None,
                    since: int | None = None, topic: str = "graph") -> None:
    """Send a subscribe message."""
    message: dict[str, Any] = {"type": "subscribe", "topic": topic, "params": params or {}}
    if since is not None:
        message["since"] = since
    await ws.send_json_to(message)


async def receive(ws: WebsocketCommunicator) -> dict[str, Any]:
    """The next message, with a timeout generous enough for a graph build."""
    return await ws.receive_json_from(timeout=10)


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Items keyed by their id."""
    return {item["id"]: item for item in items}
