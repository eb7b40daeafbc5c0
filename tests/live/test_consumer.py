"""The live socket end to end: snapshot, a delta per cycle, catching up, and bad requests."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.live.conftest import by_id, edge, live, receive, subscribe
from webapp.live import broadcast
from webapp.live.models import TopicState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("anonymous")]
WEB, API, DB = "workload:shop/web", "workload:shop/api", "workload:shop/db"
WINDOW = {"window": "15s"}  # one cycle per window: what a cycle drops leaves the graph


def _edges(items):
    return {(e["source"], e["target"]): e for e in items}


async def test_it_sends_a_snapshot_then_a_delta_per_cycle(source, cycle):
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        snapshot = await receive(ws)
        assert (snapshot["v"], snapshot["type"], snapshot["topic"]) == (1, "snapshot", "graph")
        assert {WEB, API} <= set(by_id(snapshot["data"]["nodes"]))
        assert _edges(snapshot["data"]["edges"])[(WEB, API)]["rps"] == pytest.approx(10.0)

        source.edges = (edge("web", "api", requests=600.0, errors_5xx=300.0), edge("api", "db"))
        await cycle(source)
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        changed = _edges(delta["data"]["upsert"]["edges"])
        assert changed[(WEB, API)]["rps"] == pytest.approx(40.0)
        assert changed[(WEB, API)]["error_ratio"] == pytest.approx(0.5)
        assert DB in by_id(delta["data"]["upsert"]["nodes"])
        assert {"generated_at", "window"} <= set(delta["data"])

        source.edges = (edge("web", "api"),)
        await cycle(source)
        delta = await receive(ws)
        assert delta["seq"] == snapshot["seq"] + 2
        assert DB in delta["data"]["remove"]["nodes"]
        assert _edges(changed.values())[(API, DB)]["id"] in delta["data"]["remove"]["edges"]


async def test_a_reconnecting_client_gets_the_missed_deltas_in_order(source, cycle):
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        seen = (await receive(ws))["seq"]
    await cycle(source)
    source.edges = (edge("api", "db"),)
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW, since=seen)
        first, second = await receive(ws), await receive(ws)
        assert [first["type"], second["type"]] == ["delta", "delta"]
        assert [first["seq"], second["seq"]] == [seen + 1, seen + 2]
        assert DB in by_id(second["data"]["upsert"]["nodes"])
        assert await ws.receive_nothing(timeout=0.2)


async def test_a_since_older_than_the_history_gets_a_fresh_snapshot(source, cycle, settings):
    settings.MESHWATCH_LIVE_HISTORY = 1
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        seen = (await receive(ws))["seq"]
    await cycle(source)
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW, since=seen)
        message = await receive(ws)
        assert message["type"] == "snapshot" and message["seq"] == seen + 2
        await subscribe(ws, WINDOW, since=seen + 10**9)  # a seq this view never had
        assert (await receive(ws))["type"] == "snapshot"


async def test_a_current_since_gets_nothing_until_the_next_cycle(source, cycle):
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        seen = (await receive(ws))["seq"]
        await subscribe(ws, WINDOW, since=seen)
        assert await ws.receive_nothing(timeout=0.2)
        await cycle(source)
        assert (await receive(ws))["seq"] == seen + 1


@pytest.mark.parametrize("message, detail", [
    ({"type": "subscribe", "topic": "weather"}, "unknown topic 'weather'; known: "),
    ({"type": "subscribe", "topic": "graph", "params": {"window": "soon"}}, "window:"),
    ({"type": "subscribe", "topic": "graph", "params": {"graph_type": "x"}}, "graph_type must"),
    ({"type": "subscribe", "topic": "graph", "params": {"namespaces": "Bad_NS"}}, "namespace"),
    ({"type": "subscribe", "topic": "graph", "params": []}, "params must be an object"),
    ({"type": "subscribe", "topic": "graph", "since": "5"}, "since must be an integer"),
    ({"type": "publish", "topic": "graph"}, "type must be subscribe or unsubscribe"),
    (["subscribe"], "a message must be a JSON object"),
])
async def test_a_bad_request_gets_an_error_and_the_socket_stays_open(message, detail):
    async with live() as ws:
        await ws.send_json_to(message)
        error = await receive(ws)
        assert error["v"] == 1 and error["type"] == "error" and detail in error["detail"]
        await subscribe(ws, WINDOW)
        assert (await receive(ws))["type"] == "snapshot"


async def test_frames_echo_the_id_of_the_subscribe_they_answer(source, cycle, t0):
    """Live → pinned → live in quick succession: each answer names the subscribe it is for."""
    await cycle(source)
    pinned = {**WINDOW, "at": t0.isoformat()}
    async with live() as ws:
        for sub_id, params in ((1, WINDOW), ("two", pinned), (3, WINDOW)):
            await ws.send_json_to({"type": "subscribe", "topic": "graph", "params": params,
                                   "id": sub_id})
        answers = [await receive(ws) for _ in range(3)]
        assert [(a["type"], a["id"]) for a in answers] == [
            ("snapshot", 1), ("snapshot", "two"), ("snapshot", 3)]
        assert answers[1]["seq"] != answers[2]["seq"]  # views count their seqs independently
        await cycle(source)
        delta = await receive(ws)
        assert (delta["type"], delta["id"], delta["seq"]) == ("delta", 3, answers[2]["seq"] + 1)
        await subscribe(ws, WINDOW)  # no id: frames without one, as DESIGN.md §3 has them
        assert "id" not in await receive(ws)


@pytest.mark.parametrize("message, detail", [
    ({"params": {"window": "soon"}, "id": 7}, "window:"),
    ({"params": {}, "id": True}, "id must be an integer or a string"),
    ({"params": {}, "id": "x" * 65}, "id must be an integer or a string"),
])
async def test_an_error_echoes_a_valid_subscribe_id(message, detail):
    async with live() as ws:
        await ws.send_json_to({"type": "subscribe", "topic": "graph", **message})
        error = await receive(ws)
        assert error["type"] == "error" and detail in error["detail"]
        assert error.get("id") == (7 if message["id"] == 7 else None)


@pytest.mark.parametrize("frame, detail", [
    ({"text_data": '{"type": "subscribe", '}, "malformed JSON"),
    ({"text_data": '{"pad": "' + "x" * 65536 + '"}'}, "larger than 65536 bytes"),
    ({"text_data": '{"pad": "' + "é" * 40000 + '"}'}, "larger than 65536 bytes"),
    ({"bytes_data": b"\x00\x01"}, "text frames"),
])
async def test_malformed_or_oversized_frames_get_an_error(frame, detail):
    async with live() as ws:
        await ws.send_to(**frame)
        assert detail in (await receive(ws))["detail"]
        await subscribe(ws, WINDOW)
        assert (await receive(ws))["type"] == "snapshot"


async def test_unsubscribed_sockets_get_no_more_deltas(source, cycle):
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        await receive(ws)
        await ws.send_json_to({"type": "unsubscribe", "topic": "graph"})
        await cycle(source)
        assert await ws.receive_nothing(timeout=0.3)


async def test_subscribing_again_replaces_the_subscription(source, cycle):
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        await receive(ws)
        await subscribe(ws, {"window": "1m", "graph_type": "app"})
        replaced = await receive(ws)
        assert replaced["type"] == "snapshot" and replaced["data"]["graph_type"] == "app"
        await cycle(source)
        delta = await receive(ws)
        assert delta["seq"] == replaced["seq"] + 1
        assert await ws.receive_nothing(timeout=0.3)  # nothing from the first view


async def test_a_gap_in_the_deltas_is_filled_from_the_history(source, cycle, monkeypatch):
    """A delta the channel layer dropped (a slow socket's full channel) is resent in order."""
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        seen = (await receive(ws))["seq"]
        real_send = broadcast._send
        monkeypatch.setattr(broadcast, "_send", lambda state, row: None)
        await cycle(source)
        monkeypatch.setattr(broadcast, "_send", real_send)
        await cycle(source)
        first, second = await receive(ws), await receive(ws)
        assert [first["seq"], second["seq"]] == [seen + 1, seen + 2]
        assert await ws.receive_nothing(timeout=0.2)


async def test_a_failing_builder_gets_an_error_not_a_closed_socket(monkeypatch):
    from webapp.live.topics import TOPICS, Topic

    def broken(options):
        raise RuntimeError("boom")

    graph = TOPICS["graph"]
    monkeypatch.setitem(TOPICS, "graph", Topic("graph", graph.parse, broken, graph.collections))
    async with live() as ws:
        await ws.send_json_to({"type": "subscribe", "topic": "graph", "params": WINDOW, "id": 4})
        error = await receive(ws)
        assert (error["detail"], error["id"]) == ("could not build graph; try again", 4)
        monkeypatch.setitem(TOPICS, "graph", graph)
        await subscribe(ws, WINDOW)
        assert (await receive(ws))["type"] == "snapshot"
    assert await database_sync_to_async(TopicState.objects.count)() == 1


async def test_the_simulated_cluster_streams_deltas(simulator_source, cycle):
    await cycle(simulator_source)
    async with live() as ws:
        await subscribe(ws, {"namespaces": "bookinfo"})
        snapshot = await receive(ws)
        assert "workload:bookinfo/productpage-v1" in by_id(snapshot["data"]["nodes"])
        await cycle(simulator_source)
        delta = await receive(ws)
        assert delta["seq"] == snapshot["seq"] + 1
        assert delta["data"]["upsert"]["edges"]  # a new cycle's traffic moves the rates
        assert delta["data"]["window"] != snapshot["data"]["window"]


async def test_a_watching_socket_keeps_its_view_alive(source, cycle, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from webapp.live import consumers

    monkeypatch.setattr(consumers, "KEEP_ALIVE", timedelta(0))
    await cycle(source)
    async with live() as ws:
        await subscribe(ws, WINDOW)
        await receive(ws)
        old = timezone.now() - timedelta(minutes=10)
        await database_sync_to_async(TopicState.objects.update)(last_seen_at=old)
        await cycle(source)
        await receive(ws)
        for _ in range(50):  # the keep-alive write follows the delta; give it a moment
            state = await database_sync_to_async(TopicState.objects.get)()
            if state.last_seen_at > old + timedelta(minutes=9):
                break
            await ws.receive_nothing(timeout=0.05)
        assert state.last_seen_at > old + timedelta(minutes=9)
