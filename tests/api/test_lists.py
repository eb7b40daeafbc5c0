"""Every list endpoint pages, sorts and filters the same way; a walk over the schema finds
them (any operation answering a Paginated<X>List), so lists added later are held to it too.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from drf_spectacular.generators import SchemaGenerator

from collectors import pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(t0, simulator_source):
    for i in range(3):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)


def _lists() -> list[tuple[str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for route, item in schema["paths"].items():
        op = item.get("get")
        ref = (op or {}).get("responses", {}).get("200", {}).get("content", {}).get(
            "application/json", {}).get("schema", {}).get("$ref", "")
        if ref.rsplit("/", 1)[-1].startswith("Paginated") and "{" not in route:
            found.append((route, {p["name"]: p for p in op.get("parameters", [])}))
    return found


LISTS = _lists()


def _get(client, token, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_lists_are_the_ones_expected():
    routes = {route for route, _ in LISTS}
    assert {"/api/v1/workloads", "/api/v1/pods", "/api/v1/alerts", "/api/v1/alert-rules",
            "/api/v1/receivers", "/api/v1/silences", "/api/v1/deliveries"} <= routes


@pytest.mark.parametrize(("route", "params"), LISTS, ids=[r for r, _ in LISTS])
def test_every_list_pages_the_same_way(client, alice_token, history, route, params):
    assert {"page", "page_size"} <= set(params)
    body = _get(client, alice_token, route, page_size=1).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) <= 1 and body["previous"] is None
    if body["count"] > 1:
        assert "page=2" in body["next"]
    far = _get(client, alice_token, route, page=10**6)
    assert far.status_code == 404 and far["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("route", "params"), LISTS, ids=[r for r, _ in LISTS])
def test_ordering_takes_the_declared_fields_only(client, alice_token, history, route, params):
    if "ordering" not in params:
        pytest.fail(f"{route} declares no ordering= fields")
    # webapp/api/lists.py says "One of: a, b."; the insights list "Comma list of a, b;".
    named = re.search(r"(?:One of:|Comma list of) ([-\w, ]+)", params["ordering"]["description"])
    assert named, f"{route}: the ordering= description does not name its fields"
    for field in named.group(1).split(", "):
        for term in (field, f"-{field}"):
            response = _get(client, alice_token, route, ordering=term)
            assert response.status_code == 200, (term, response.json())
    bad = _get(client, alice_token, route, ordering="password")
    assert bad.status_code == 400 and "password" in bad.json()["detail"]


def test_pods_sort_by_name_both_ways(client, alice_token, history):
    up = [p["name"] for p in _get(client, alice_token, "/api/v1/pods", ordering="name",
                                  page_size=1000).json()["results"]]
    down = [p["name"] for p in _get(client, alice_token, "/api/v1/pods", ordering="-name",
                                    page_size=1000).json()["results"]]
    assert len(up) > 5 and up == sorted(up) and down == sorted(up, reverse=True)


def test_equal_filters_and_bad_values(client, alice_token, history):
    ready = _get(client, alice_token, "/api/v1/pods", ready="true").json()["results"]
    assert ready and all(p["ready"] for p in ready)
    assert _get(client, alice_token, "/api/v1/pods", ready="maybe").status_code == 400
    assert _get(client, alice_token, "/api/v1/alerts", rule="x").status_code == 400
    assert _get(client, alice_token, "/api/v1/pods", phase="Run\x00ning").status_code == 400
    workloads = _get(client, alice_token, "/api/v1/workloads", namespace="bookinfo",
                     labels="app=reviews").json()["results"]
    assert workloads and {w["app"] for w in workloads} == {"reviews"}


def test_the_time_window(client, alice_token, t0):
    from webapp.alerts.models import Receiver

    Receiver.objects.create(name="a", url="http://127.0.0.1:9/a", secret="x" * 20)
    created = Receiver.objects.get().created_at
    assert _get(client, alice_token, "/api/v1/receivers",
                since=(created - timedelta(minutes=1)).isoformat()).json()["count"] == 1
    assert _get(client, alice_token, "/api/v1/receivers",
                since=str(int((created + timedelta(minutes=1)).timestamp()))).json()["count"] == 0
    assert _get(client, alice_token, "/api/v1/receivers",
                until=(created - timedelta(minutes=1)).isoformat()).json()["count"] == 0
    bad = _get(client, alice_token, "/api/v1/receivers", since="last week")
    assert bad.status_code == 400 and "since" in bad.json()["detail"]
