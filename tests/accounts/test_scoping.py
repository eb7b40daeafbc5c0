"""Personas across REST and the live socket: admin alice sees all, carol (a team granted
`bookinfo`) sees bookinfo only and shop's side of a cross-namespace edge as `external`, and
dave (no team) sees nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from collectors import pipeline
from collectors.records import EdgeSample, Peer
from collectors.sources import SimulatorSource
from tests.conftest import grant_namespaces
from tests.live.conftest import live, receive, subscribe
from webapp.accounts.scoping import visible_namespaces
from webapp.accounts.tokens import issue_token
from webapp.live.topics import TOPICS

pytestmark = pytest.mark.django_db(transaction=True)

CROSS = EdgeSample(Peer("bookinfo", "reviews-v2", app="reviews"),
                   Peer("shop", "cart", app="cart", service="cart"),
                   "http", "istio", 15.0, requests=150.0, mtls_requests=150.0)
LISTS = ["namespaces", "workloads", "pods", "services"]


class CrossSource(SimulatorSource):
    """The simulator plus a bookinfo → shop edge."""

    def fetch(self, at, interval_s):
        records = super().fetch(at, interval_s)
        return replace(records, edges=(*records.edges, replace(CROSS, interval_s=interval_s)))


@pytest.fixture
def personas(settings, alice, t0):
    settings.MESHWATCH_AUTH = "login"
    users = get_user_model().objects
    carol = users.create_user("carol", password="carol-password-1")
    grant_namespaces(carol, "bookinfo", team="bookinfo-viewers")
    dave = users.create_user("dave", password="dave-password-1")
    for i in range(4):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * (3 - i)), CrossSource(seed=7),
                           publish=False)
    return {"alice": issue_token(alice)[1], "carol": issue_token(carol)[1],
            "dave": issue_token(dave)[1]}


def _get(path: str, token: str, **params):
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def _namespaces(graph: dict) -> set[str]:
    return {n["namespace"] for n in graph["nodes"] if n["kind"] not in ("unknown", "external")}


# --- the rules ------------------------------------------------------------------------------


def test_the_rules(personas, alice, settings):
    users = get_user_model().objects
    carol, dave = users.get(username="carol"), users.get(username="dave")
    assert visible_namespaces(alice) is None
    assert visible_namespaces(carol) == {"bookinfo"}
    assert visible_namespaces(dave) == set()
    token, _ = issue_token(alice, namespaces=["shop"])
    assert visible_namespaces(alice, token) == {"shop"}
    token, _ = issue_token(carol, namespaces=["shop", "bookinfo"])
    assert visible_namespaces(carol, token) == {"bookinfo"}
    from django.contrib.auth.models import AnonymousUser

    assert visible_namespaces(AnonymousUser()) == set()
    settings.MESHWATCH_AUTH = "anonymous"
    assert visible_namespaces(AnonymousUser()) is None


def test_a_selector_grant_matches_namespace_labels(personas):
    from webapp.inventory.models import Namespace

    Namespace.objects.filter(name="shop").update(labels={"team": "payments"})
    erin = get_user_model().objects.create_user("erin")
    grant_namespaces(erin, selector="team in (payments)")
    assert visible_namespaces(erin) == {"shop"}


def test_a_grant_is_a_name_or_a_valid_selector():
    from django.core.exceptions import ValidationError

    from webapp.accounts.models import NamespaceGrant, Team

    team = Team.objects.create(name="t")
    for bad in (NamespaceGrant(team=team), NamespaceGrant(team=team, namespace="a", selector="b"),
                NamespaceGrant(team=team, namespace="Not_A_Name"),
                NamespaceGrant(team=team, selector="a in (")):
        with pytest.raises(ValidationError):
            bad.clean()
    NamespaceGrant(team=team, selector="env=prod,!legacy").clean()


# --- REST -----------------------------------------------------------------------------------


def test_the_admin_sees_every_namespace(personas):
    graph = _get("/api/v1/graph", personas["alice"]).json()
    assert {"bookinfo", "shop", "istio-system"} <= _namespaces(graph)
    assert not any(n["kind"] == "external" for n in graph["nodes"])
    shop = _get("/api/v1/graph", personas["alice"], namespaces="shop")
    assert shop.status_code == 200


def test_the_viewer_sees_bookinfo_and_shop_as_external(personas):
    graph = _get("/api/v1/graph", personas["carol"]).json()
    assert _namespaces(graph) == {"bookinfo"}
    externals = [n for n in graph["nodes"] if n["kind"] == "external"]
    assert externals and all(n["id"].startswith("external:") for n in externals)
    assert all(n["name"] == "" and n["namespace"] == "" and n["labels"] == {}
               for n in externals)
    cross = [e for e in graph["edges"] if e["source"] == "workload:bookinfo/reviews-v2"
             and e["target"].startswith("external:")]
    assert cross, graph["edges"]
    assert "shop" not in str(graph) and "istio-system" not in str(graph)
    named = _get("/api/v1/graph", personas["carol"], namespaces="bookinfo").json()
    assert _namespaces(named) == {"bookinfo"}


def test_the_viewer_is_refused_other_namespaces(personas):
    for params in ({"namespaces": "shop"}, {"namespaces": "bookinfo,shop"}):
        response = _get("/api/v1/graph", personas["carol"], **params)
        assert response.status_code == 403
        assert "shop" in response.json()["detail"]
    heatmap = _get("/api/v1/heatmap", personas["carol"], target="workload:shop/cart")
    assert heatmap.status_code == 403
    assert _get("/api/v1/dns", personas["carol"], namespaces="shop").status_code == 403


def test_the_outsider_sees_an_empty_graph_and_is_refused(personas):
    graph = _get("/api/v1/graph", personas["dave"])
    assert graph.status_code == 200 and graph.json()["nodes"] == graph.json()["edges"] == []
    assert _get("/api/v1/graph", personas["dave"], namespaces="bookinfo").status_code == 403
    assert _get("/api/v1/dns", personas["dave"]).status_code == 403


@pytest.mark.parametrize("path", LISTS)
def test_inventory_lists_are_scoped(personas, path):
    def namespaces(persona: str) -> set[str]:
        rows = _get(f"/api/v1/{path}", personas[persona], page_size=1000).json()["results"]
        return {row.get("namespace", row.get("name")) for row in rows}

    assert {"bookinfo", "shop"} <= namespaces("alice")
    assert namespaces("carol") == {"bookinfo"}
    assert namespaces("dave") == set()


def test_a_hidden_object_is_not_found(personas):
    pod = _get("/api/v1/pods", personas["alice"], namespace="shop").json()["results"][0]
    assert _get(f"/api/v1/pods/shop/{pod['name']}", personas["carol"]).status_code == 404
    assert _get(f"/api/v1/pods/shop/{pod['name']}", personas["alice"]).status_code == 200


def test_alerts_and_rules_are_scoped(personas):
    from webapp.alerts.models import Alert, AlertRule

    now = timezone.now()
    for namespace in ("bookinfo", "shop"):
        rule = AlertRule.objects.create(name=f"{namespace} errors", kind="edge_error_ratio",
                                        scope={"namespaces": [namespace]})
        Alert.objects.create(rule=rule, subject=f"{namespace}/x", fingerprint=namespace,
                             state="firing", labels={"namespace": namespace},
                             last_evaluated_at=now)
    AlertRule.objects.create(name="everywhere", kind="edge_error_ratio", scope={})

    def names(persona: str, path: str) -> set[str]:
        body = _get(path, personas[persona]).json()
        rows = body["results"] if isinstance(body, dict) else body
        return {row.get("name") or row.get("subject") for row in rows}

    assert names("alice", "/api/v1/alert-rules") == {"bookinfo errors", "shop errors",
                                                     "everywhere"}
    assert names("carol", "/api/v1/alert-rules") == {"bookinfo errors"}
    assert names("dave", "/api/v1/alert-rules") == set()
    assert len(names("alice", "/api/v1/alerts")) == 2
    assert len(names("carol", "/api/v1/alerts")) == 1
    assert names("dave", "/api/v1/alerts") == set()
    shop_rule = AlertRule.objects.get(name="shop errors")
    assert _get(f"/api/v1/alert-rules/{shop_rule.pk}", personas["carol"]).status_code == 404
    created = Client().post(
        "/api/v1/alert-rules", {"name": "mine", "kind": "edge_error_ratio",
                                "scope": {"namespaces": ["shop"]}},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {personas['carol']}")
    assert created.status_code == 403


# --- the live socket ------------------------------------------------------------------------


async def _watch(token: str, params: dict) -> dict:
    async with live(query=f"token={token}") as ws:
        await subscribe(ws, params)
        return await receive(ws)


async def test_the_live_socket_is_scoped_like_rest(personas):
    everything = await _watch(personas["alice"], {})
    assert everything["type"] == "snapshot"
    assert {"bookinfo", "shop"} <= _namespaces(everything["data"])

    refused = await _watch(personas["carol"], {})
    assert refused["type"] == "error" and "bookinfo" in refused["detail"]
    assert (await _watch(personas["carol"], {"namespaces": "shop"}))["type"] == "error"
    mine = await _watch(personas["carol"], {"namespaces": "bookinfo"})
    assert mine["type"] == "snapshot"
    assert _namespaces(mine["data"]) == {"bookinfo"}
    assert any(n["kind"] == "external" for n in mine["data"]["nodes"])
    assert "shop" not in str(mine["data"]["nodes"]) and "shop" not in str(mine["data"]["edges"])

    for params in ({}, {"namespaces": "bookinfo"}):
        assert (await _watch(personas["dave"], params))["type"] == "error"


async def test_the_live_socket_takes_a_session_too(personas):
    def cookie() -> tuple[bytes, bytes]:
        client = Client()
        assert client.login(username="carol", password="carol-password-1")
        return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())

    async with live(headers=[await database_sync_to_async(cookie)()]) as ws:
        await subscribe(ws, {"namespaces": "shop"})
        assert (await receive(ws))["type"] == "error"
        await subscribe(ws, {"namespaces": "bookinfo"})
        assert (await receive(ws))["type"] == "snapshot"


def test_alert_and_rule_visibility_rules():
    from webapp.alerts.api.views import alert_visible, rule_visible

    assert rule_visible({}, None) and alert_visible({}, None)
    assert rule_visible({"namespaces": ["bookinfo"]}, {"bookinfo", "shop"})
    assert not rule_visible({"namespaces": ["bookinfo", "shop"]}, {"bookinfo"})
    assert not rule_visible({}, {"bookinfo"})  # every namespace: not a limited viewer's
    assert alert_visible({"namespace": "bookinfo"}, {"bookinfo"})
    assert not alert_visible({"namespace": "bookinfo", "source_namespace": "shop"}, {"bookinfo"})
    assert not alert_visible({"zone": "."}, {"bookinfo"})
    assert not alert_visible("junk", {"bookinfo"})


@pytest.mark.parametrize("topic", sorted(TOPICS))
async def test_every_topic_refuses_what_a_persona_may_not_see(personas, topic):
    async def watch(persona: str, params: dict) -> dict:
        async with live(query=f"token={personas[persona]}") as ws:
            await subscribe(ws, params, topic=topic)
            return await receive(ws)

    for persona, params in (("carol", {}), ("carol", {"namespaces": "shop"}),
                            ("carol", {"namespaces": "bookinfo,shop"}), ("dave", {}),
                            ("dave", {"namespaces": "bookinfo"})):
        message = await watch(persona, params)
        assert message["type"] == "error", (persona, params, message)
    # The admin is never refused for scope (a topic may still want more params).
    message = await watch("alice", {})
    assert message["type"] == "snapshot" or "may only watch" not in message["detail"]
