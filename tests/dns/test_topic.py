"""The live dns topic: a snapshot, then a delta per cycle (servers, upstreams, latency columns)."""

from __future__ import annotations

import pytest

from tests.live.conftest import (  # noqa: F401 - fixtures used by name
    anonymous,
    cycle,
    live,
    memory_layer,
    receive,
    subscribe,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("anonymous")]
PARAMS = {"window": "1m", "step": "15s"}


@pytest.fixture
def demo_source(simulator_source):
    return simulator_source


async def test_a_snapshot_then_a_delta_per_cycle(demo_source, cycle):  # noqa: F811
    await cycle(demo_source)
    async with live() as ws:
        await subscribe(ws, PARAMS, topic="dns")
        snapshot = await receive(ws)
        assert (snapshot["type"], snapshot["topic"]) == ("snapshot", "dns")
        data = snapshot["data"]
        assert [s["id"] for s in data["servers"]] == ["dns://:53|."]
        assert len(data["upstreams"]) == 2 and len(data["latency_columns"]) == 4
        assert data["latency_columns"][-1]["total"] == pytest.approx(data["servers"][0]["requests"])
        assert data["amplification"]["namespaces"]

        await cycle(demo_source)
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        upsert, remove = delta["data"]["upsert"], delta["data"]["remove"]
        assert [s["id"] for s in upsert["servers"]] == ["dns://:53|."]
        newest = max(c["id"] for c in upsert["latency_columns"])
        assert newest > data["latency_columns"][-1]["id"]
        assert remove["latency_columns"] == [data["latency_columns"][0]["id"]]
        assert delta["data"]["window"] != data["window"]


async def test_bad_dns_params_are_an_error():
    async with live() as ws:
        await subscribe(ws, {"window": "nope"}, topic="dns")
        error = await receive(ws)
        assert error["type"] == "error" and "window" in error["detail"]
