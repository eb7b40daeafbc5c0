"""The graph topic per socket: a viewer's snapshot and every delta show other namespaces'
nodes only as opaque external ones."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from collectors.records import CycleRecords, EdgeSample, Inventory, NamespaceRecord, Peer
from tests.conftest import grant_namespaces
from tests.live.conftest import live, receive, subscribe
from webapp.accounts.tokens import issue_token
from webapp.live.diff import apply_delta

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("login_mode")]


def sample(source: tuple[str, str], target: tuple[str, str]) -> EdgeSample:
    return EdgeSample(Peer(source[0], source[1], app=source[1]),
                      Peer(target[0], target[1], app=target[1], service=target[1]),
                      "http", "istio", 15.0, requests=150.0, mtls_requests=150.0)


class TwoTeams:
    name = "two-teams"

    def __init__(self) -> None:
        self.edges = (sample(("bookinfo", "web"), ("bookinfo", "api")),
                      sample(("bookinfo", "api"), ("shop", "cart")))

    def fetch(self, at, interval_s):
        inventory = Inventory(namespaces=(NamespaceRecord("bookinfo", mesh="istio"),
                                          NamespaceRecord("shop", mesh="istio")))
        return CycleRecords(at, self.name, inventory, self.edges)


def _viewer() -> str:
    carol = get_user_model().objects.create_user("carol")
    grant_namespaces(carol, "bookinfo")
    return issue_token(carol)[1]


async def test_snapshot_and_deltas_hide_the_other_namespace(cycle):
    source = TwoTeams()
    await cycle(source)
    token = await database_sync_to_async(_viewer)()
    async with live(query=f"token={token}") as ws:
        await subscribe(ws, {"namespaces": "bookinfo", "window": "1m"})
        snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot", snapshot
        graph = snapshot["data"]
        assert "shop" not in str(graph["nodes"]) + str(graph["edges"])
        assert any(n["kind"] == "external" for n in graph["nodes"])

        source.edges = (*source.edges, sample(("bookinfo", "api"), ("shop", "payments")),
                        sample(("shop", "cart"), ("shop", "payments")))
        await cycle(source)
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        assert "shop" not in str(delta["data"]["upsert"]) + str(delta["data"]["remove"])
        graph = apply_delta(graph, delta["data"], ("nodes", "edges"))
        externals = [n for n in graph["nodes"] if n["kind"] == "external"]
        assert len(externals) == 2
        ids = {n["id"] for n in graph["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])


async def test_a_limited_viewer_watches_alerts_by_naming_their_namespaces():
    token = await database_sync_to_async(_viewer)()
    async with live(query=f"token={token}") as ws:
        await subscribe(ws, {}, topic="alerts")
        refused = await receive(ws)
        assert refused["type"] == "error" and "namespaces" in refused["detail"]
        await subscribe(ws, {"namespaces": "bookinfo"}, topic="alerts")
        snapshot = await receive(ws)
        assert (snapshot["type"], snapshot["topic"]) == ("snapshot", "alerts")
        await subscribe(ws, {"namespaces": "bookinfo,shop"}, topic="alerts")
        assert (await receive(ws))["type"] == "error"  # shop is not granted
