"""GET /api/v1/graph: DESIGN.md's shape, authentication, and clear errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from collectors import pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(t0, simulator_source):
    for i in range(8):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)


def _get(client: Client, token: str | None = None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/graph", params, **headers)


def test_it_returns_the_graph_with_rates_and_mtls(client, alice_token, history, t0):
    response = _get(client, alice_token, namespaces="bookinfo", window="2m")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"generated_at", "window", "graph_type", "nodes", "edges"}
    assert body["graph_type"] == "workload"
    ids = {node["id"] for node in body["nodes"]}
    assert "workload:bookinfo/productpage-v1" in ids
    edge = next(e for e in body["edges"] if e["target"] == "workload:bookinfo/details-v1")
    assert edge["rps"] > 0 and 0 < edge["mtls_ratio"] <= 1
    assert isinstance(edge["p95_ms"], float | int)
    json.dumps(body, allow_nan=False)


@pytest.mark.parametrize("graph_type", ["workload", "app", "versioned_app", "service"])
def test_every_graph_type(client, alice_token, history, graph_type):
    body = _get(client, alice_token, graph_type=graph_type).json()
    assert body["graph_type"] == graph_type and body["edges"]
    prefix = {
        "workload": "workload:",
        "app": "app:",
        "versioned_app": "app:",
        "service": "service:",
    }[graph_type]
    assert any(node["id"].startswith(prefix) for node in body["nodes"])


def test_at_replays_a_past_window(client, alice_token, history, t0):
    past = t0 - timedelta(seconds=60)
    body = _get(client, alice_token, at=str(int(past.timestamp())), window="30s").json()
    assert body["window"]["end"].startswith(past.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["edges"]


def test_bad_parameters_are_a_400_with_a_reason(client, alice_token):
    response = _get(client, alice_token, window="five minutes")
    assert response.status_code == 400 and "window" in response.json()["detail"]
    response = _get(client, alice_token, graph_type="galaxy")
    assert response.status_code == 400 and "graph_type" in response.json()["detail"]
    response = _get(client, alice_token, namespaces="<script>")
    assert response.status_code == 400


def test_it_refuses_anonymous_callers_in_login_mode(client):
    response = _get(client)
    assert response.status_code == 401
    assert _get(client, "mw_forged_token").status_code == 401


def test_a_session_works_too(client, alice, history):
    client.force_login(alice)
    assert _get(client).status_code == 200


def test_anonymous_mode_is_read_only(client, settings, history):
    settings.MESHWATCH_AUTH = "anonymous"
    assert _get(client).status_code == 200
    assert client.post("/api/v1/graph").status_code in (401, 403)


def test_the_openapi_document_describes_the_graph(client, alice_token):
    response = client.get(
        "/api/v1/schema/",
        HTTP_AUTHORIZATION=f"Bearer {alice_token}",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/graph" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/graph"]["get"]["parameters"]}
    assert {"namespaces", "graph_type", "window", "at"} <= params


def test_a_repeated_request_is_served_from_the_cycle_cache(
    client, alice_token, history, t0, simulator_source, django_assert_max_num_queries
):
    first = _get(client, alice_token, namespaces="bookinfo").json()
    with django_assert_max_num_queries(7):  # auth, latest cycle, inventory version, alerts
        again = _get(client, alice_token, namespaces="bookinfo").json()
    assert again["edges"] == first["edges"]
    pipeline.run_cycle(t0 + timedelta(seconds=15), simulator_source, publish=False)
    newer = _get(client, alice_token, namespaces="bookinfo").json()
    assert newer["window"]["end"] > first["window"]["end"]  # a new cycle is a new graph


def test_a_watcher_batch_invalidates_the_cached_graph(client, alice_token, history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from webapp.inventory.models import WatcherLease

    def queries_of_one_request() -> int:
        with CaptureQueriesContext(connection) as queries:
            _get(client, alice_token, namespaces="bookinfo")
        return len(queries)

    queries_of_one_request()
    cached = queries_of_one_request()
    now = timezone.now()
    WatcherLease.objects.create(name="watcher", holder="w1", expires_at=now, acquired_at=now)
    assert queries_of_one_request() > cached  # the batch's lease renewal forced a rebuild
    assert queries_of_one_request() == cached  # and the rebuilt graph is cached again
