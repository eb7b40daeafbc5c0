"""The live heatmap topic: a snapshot, then a delta per cycle that appends a column."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from collectors.records import Histogram
from tests.live.conftest import ScriptedSource, edge, live, receive, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("anonymous")]
LATENCY = Histogram((10.0, 50.0, math.inf), (100.0, 40.0, 10.0))
PARAMS = {"workload": "shop/api", "window": "1m", "step": "15s"}


@pytest.fixture
def timed_source() -> ScriptedSource:
    return ScriptedSource((replace(edge("web", "api"), latency=LATENCY),))


async def test_a_cycle_appends_a_column_and_drops_the_oldest(timed_source, cycle):
    await cycle(timed_source)
    async with live() as ws:
        await subscribe(ws, PARAMS, topic="heatmap")
        snapshot = await receive(ws)
        assert (snapshot["type"], snapshot["topic"]) == ("snapshot", "heatmap")
        columns = snapshot["data"]["columns"]
        assert len(columns) == 4 and columns[-1]["total"] == 150
        assert snapshot["data"]["bounds_ms"] == [10, 50, "+Inf"]

        await cycle(timed_source)
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        upserted = {c["id"]: c for c in delta["data"]["upsert"]["columns"]}
        newest = max(upserted)
        assert newest > columns[-1]["id"] and upserted[newest]["counts"] == [100, 40, 10]
        assert delta["data"]["remove"]["columns"] == [columns[0]["id"]]


async def test_bad_heatmap_params_are_an_error(timed_source):
    async with live() as ws:
        await subscribe(ws, {"window": "1m"}, topic="heatmap")
        error = await receive(ws)
        assert error["type"] == "error" and "subject" in error["detail"]
