"""GET /api/v1/series: per-step points equal the stored rows summed independently here."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collectors import pipeline
from tests.conftest import grant_namespaces
from webapp.traffic.models import Cycle, EdgeSample, RollupBucket
from webapp.traffic.rollups import apply_retention

pytestmark = pytest.mark.django_db

PRODUCTPAGE = "workload:bookinfo/productpage-v1"
REVIEWS_EDGE = f"{PRODUCTPAGE}>workload:bookinfo/reviews-v2|http"


@pytest.fixture
def history(t0, simulator_source):
    """Eight 15 s cycles ending at t0: two minutes of traffic."""
    for i in range(8):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)


def _series(client, token, **params):
    response = client.get("/api/v1/series", params, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


def _expected(t0, step_s, count, **where):
    """Requests, errors, mTLS and covered seconds per step, straight from the stored rows."""
    ends = [t0 - timedelta(seconds=step_s * i) for i in reversed(range(count))]
    out = [defaultdict(float) for _ in ends]

    def column(at):
        return next(i for i, end in enumerate(ends) if at <= end)

    for cycle in Cycle.objects.filter(status="ok", at__gt=ends[0] - timedelta(seconds=step_s)):
        out[column(cycle.at)]["covered"] += cycle.interval_s
    rows = EdgeSample.objects.filter(at__gt=ends[0] - timedelta(seconds=step_s), **where)
    for row in rows:
        point = out[column(row.at)]
        point["requests"] += row.requests
        point["errors"] += row.errors_4xx + row.errors_5xx + row.errors_grpc + row.no_response
        if row.mtls_requests is not None:
            point["mtls"] += row.mtls_requests
            point["known"] += row.requests
    return out


def test_an_edge_series_sums_what_was_stored(client, alice_token, history, t0):
    body = _series(client, alice_token, edge=REVIEWS_EDGE, window="2m", step="30s",
                   at=t0.isoformat())  # fmt: skip
    assert body["step_s"] == 30 and body["subject"] == {"kind": "edge", "id": REVIEWS_EDGE}
    assert body["window"]["end"] == t0.isoformat()
    [series] = body["series"]
    assert series["name"] == "edge" and len(series["points"]) == 4
    expected = _expected(t0, 30, 4, source_workload="productpage-v1",
                         destination_workload="reviews-v2", protocol="http")  # fmt: skip
    for point, want in zip(series["points"], expected, strict=True):
        assert want["requests"] > 0 and point["covered_s"] == want["covered"] == 30
        assert point["requests"] == pytest.approx(want["requests"], rel=1e-5)
        assert point["rps"] == pytest.approx(want["requests"] / want["covered"], rel=1e-5)
        assert point["error_ratio"] == pytest.approx(want["errors"] / want["requests"], abs=1e-6)
        assert point["mtls_ratio"] == pytest.approx(want["mtls"] / want["known"], rel=1e-5)
        assert point["p95_ms"] is not None and point["p95_ms"] > 0


def test_the_series_adds_up_to_the_graphs_window_rate(client, alice_token, history, t0):
    params = {"window": "2m", "at": t0.isoformat()}
    graph = client.get("/api/v1/graph", {**params, "namespaces": "bookinfo"},
                       HTTP_AUTHORIZATION=f"Bearer {alice_token}").json()  # fmt: skip
    edge = next(e for e in graph["edges"] if e["id"] == REVIEWS_EDGE)
    points = _series(client, alice_token, edge=REVIEWS_EDGE, step="15s", **params)["series"][0]
    total = sum(p["requests"] for p in points["points"])
    covered = sum(p["covered_s"] for p in points["points"])
    assert len(points["points"]) == 8
    assert total / covered == pytest.approx(edge["rps"], rel=1e-3)


def test_a_node_has_inbound_and_outbound_series(client, alice_token, history, t0):
    body = _series(client, alice_token, node=PRODUCTPAGE, window="2m", step="1m",
                   at=t0.isoformat())  # fmt: skip
    assert [s["name"] for s in body["series"]] == ["inbound", "outbound"]
    inbound, outbound = (s["points"] for s in body["series"])
    into = _expected(t0, 60, 2, destination_namespace="bookinfo",
                     destination_workload="productpage-v1")  # fmt: skip
    out_of = _expected(t0, 60, 2, source_namespace="bookinfo", source_workload="productpage-v1")
    for point, want in zip(inbound, into, strict=True):
        assert point["requests"] == pytest.approx(want["requests"], rel=1e-5)
    for point, want in zip(outbound, out_of, strict=True):
        assert point["requests"] == pytest.approx(want["requests"], rel=1e-5)
        assert point["requests"] > inbound[0]["requests"]  # it fans out to three services


def test_a_service_node_has_only_inbound(client, alice_token, history, t0):
    body = _series(client, alice_token, node="service:bookinfo/reviews", window="1m",
                   at=t0.isoformat())  # fmt: skip
    assert [s["name"] for s in body["series"]] == ["inbound"]
    assert sum(p["requests"] for p in body["series"][0]["points"]) > 0


def test_steps_without_a_good_cycle_are_gaps(client, alice_token, history, t0):
    body = _series(client, alice_token, edge=REVIEWS_EDGE, window="4m", step="1m",
                   at=t0.isoformat())  # fmt: skip
    points = body["series"][0]["points"]
    assert [p["covered_s"] for p in points] == [0, 0, 60, 60]
    assert points[0]["rps"] is None and points[0]["error_ratio"] is None
    assert points[0]["p95_ms"] is None and points[0]["mtls_ratio"] is None
    assert points[3]["rps"] > 0


def test_auto_step_keeps_to_120_points(client, alice_token, history, t0):
    for window, step in (("2m", 15), ("1h", 30), ("24h", 720)):
        body = _series(client, alice_token, edge=REVIEWS_EDGE, window=window, at=t0.isoformat())
        points = body["series"][0]["points"]
        assert body["step_s"] == step and len(points) <= 120, window
        assert sum(p["covered_s"] for p in points) == 120  # the eight stored cycles, once


def test_the_query_count_does_not_grow_with_points(client, alice_token, history, t0):
    _series(client, alice_token, node=PRODUCTPAGE, at=t0.isoformat())  # the token's first use
    counts = []
    for step in ("15s", "1m"):
        with CaptureQueriesContext(connection) as queries:
            _series(client, alice_token, node=PRODUCTPAGE, window="2m", step=step,
                    at=t0.isoformat())  # fmt: skip
        counts.append(len(queries))
    # token lookup and scoping, then: pruned-bucket check, cycles, buckets, sums, histograms.
    assert counts[0] == counts[1] <= 7, counts


def test_a_day_old_series_reads_the_rollups_after_pruning(
    client, alice_token, simulator_source, t0
):
    day_ago = t0 - timedelta(days=1)
    for i in range(20):
        pipeline.run_cycle(day_ago - timedelta(minutes=i), simulator_source, publish=False,
                           interval_s=60)  # fmt: skip
    params = {"node": PRODUCTPAGE, "window": "15m", "step": "5m", "at": day_ago.isoformat()}
    before = _series(client, alice_token, **params)
    apply_retention(t0 + timedelta(minutes=10), interval_s=60)
    assert not EdgeSample.objects.exists() and RollupBucket.objects.filter(raw_pruned=True).exists()
    after = _series(client, alice_token, **{**params, "step": "auto"})
    assert after["step_s"] == 300
    for b, a in zip(before["series"], after["series"], strict=True):
        assert [p["requests"] for p in a["points"]] == pytest.approx(
            [p["requests"] for p in b["points"]], rel=1e-6
        )
        assert [p["rps"] for p in a["points"]] == pytest.approx([p["rps"] for p in b["points"]])
        assert all(p["p95_ms"] for p in a["points"])


def test_the_mesh_series_sums_every_edge_or_those_touching_namespaces(
    client, alice_token, history, t0
):
    body = _series(client, alice_token, scope="mesh", window="2m", step="30s", at=t0.isoformat())
    assert body["subject"] == {"kind": "mesh", "id": "mesh"}
    [series] = body["series"]
    assert series["name"] == "mesh" and len(series["points"]) == 4
    for point, want in zip(series["points"], _expected(t0, 30, 4), strict=True):
        assert point["requests"] == pytest.approx(want["requests"], rel=1e-5)
        assert point["mtls_ratio"] == pytest.approx(want["mtls"] / want["known"], rel=1e-5)
    shop = _series(client, alice_token, scope="mesh", namespaces="shop", window="2m",
                   step="30s", at=t0.isoformat())  # fmt: skip
    assert shop["subject"]["id"] == "mesh:shop"
    from django.db.models import Q

    touching = EdgeSample.objects.filter(
        Q(source_namespace="shop") | Q(destination_namespace="shop")
    )
    ids = set(touching.values_list("id", flat=True))
    want_shop = _expected(t0, 30, 4, id__in=ids)
    for point, want in zip(shop["series"][0]["points"], want_shop, strict=True):
        assert 0 < point["requests"] == pytest.approx(want["requests"], rel=1e-5)
    assert shop["series"][0]["points"][0]["requests"] < series["points"][0]["requests"]


def test_a_limited_viewer_names_its_namespaces_for_the_mesh_series(client, bob, history, t0):
    grant_namespaces(bob, "bookinfo")
    client.force_login(bob)
    params = {"scope": "mesh", "window": "1m", "at": t0.isoformat()}
    everything = client.get("/api/v1/series", params)
    assert everything.status_code == 403 and "namespaces" in everything.json()["detail"]
    assert client.get("/api/v1/series", {**params, "namespaces": "bookinfo"}).status_code == 200
    assert client.get("/api/v1/series", {**params, "namespaces": "shop"}).status_code == 403


@pytest.mark.parametrize(
    "params, word",
    [
        ({}, "subject"),
        ({"edge": REVIEWS_EDGE, "node": PRODUCTPAGE}, "exactly one"),
        ({"node": PRODUCTPAGE, "window": "forever"}, "window"),
        ({"node": PRODUCTPAGE, "window": "0s"}, "window"),
        ({"node": PRODUCTPAGE, "window": "1h", "step": "15s"}, "120 points"),
        ({"node": PRODUCTPAGE, "at": "yesterday-ish"}, "at"),
        ({"node": "workload:bookinfo/<script>"}, "node id"),
        ({"node": "workload:Bookinfo/x"}, "node id"),
        ({"edge": "workload:a/b"}, "edge must read"),
        ({"edge": f"{PRODUCTPAGE}>workload:a/b|smtp"}, "protocol"),
        ({"edge": "service:a/b>service:a/c|http"}, "node="),
        ({"scope": "galaxy"}, "scope"),
        ({"scope": "mesh", "node": PRODUCTPAGE}, "exactly one"),
        ({"node": PRODUCTPAGE, "namespaces": "bookinfo"}, "only with scope=mesh"),
        ({"scope": "mesh", "namespaces": "Not_A_Namespace"}, "namespace"),
    ],
)
def test_bad_input_is_a_400_with_a_sentence(client, alice_token, params, word):
    response = client.get("/api/v1/series", params, HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 400
    assert word in response.json()["detail"]


def test_it_needs_authentication(client):
    assert client.get("/api/v1/series", {"node": PRODUCTPAGE}).status_code == 401


def test_it_rejects_namespaces_the_viewer_cannot_see(client, bob, history, t0):
    grant_namespaces(bob, "bookinfo")
    client.force_login(bob)
    params = {"window": "1m", "at": t0.isoformat()}
    assert client.get("/api/v1/series", {"node": PRODUCTPAGE, **params}).status_code == 200
    hidden = client.get("/api/v1/series", {"node": "workload:shop/web", **params})
    assert hidden.status_code == 403 and "shop" in hidden.json()["detail"]
    across = client.get("/api/v1/series", {"edge": f"{PRODUCTPAGE}>workload:shop/api", **params})
    assert across.status_code == 403
    assert client.get("/api/v1/series", {"node": "unknown", **params}).status_code == 403


def test_a_viewer_without_grants_sees_nothing(client, bob, history, t0):
    client.force_login(bob)
    response = client.get("/api/v1/series", {"node": PRODUCTPAGE, "at": t0.isoformat()})
    assert response.status_code == 403


def test_the_schema_describes_every_field(client, alice_token):
    response = client.get("/api/v1/schema/", {"format": "json"},
                          HTTP_AUTHORIZATION=f"Bearer {alice_token}")  # fmt: skip
    schema = response.json()
    assert "/api/v1/series" in schema["paths"]
    point = schema["components"]["schemas"]["SeriesPoint"]["properties"]
    assert set(point) == {"start", "end", "covered_s", "requests", "rps", "error_ratio",
                          "p95_ms", "mtls_ratio"}  # fmt: skip
    assert all(field.get("description") for field in point.values())
    parameters = schema["paths"]["/api/v1/series"]["get"]["parameters"]
    assert all(p.get("description") for p in parameters)


def test_a_malformed_stored_histogram_is_counted_not_fatal(client, alice_token, history, t0):
    row = EdgeSample.objects.filter(
        source_workload="productpage-v1", destination_workload="reviews-v2", at=t0
    ).get()
    row.latency_counts = row.latency_counts[:-1]  # one count short of its bounds
    row.save(update_fields=["latency_counts"])
    body = _series(client, alice_token, edge=REVIEWS_EDGE, window="1m", at=t0.isoformat())
    [series] = body["series"]
    assert series["malformed_histograms"] == 1
    assert series["points"][-1]["requests"] > 0 and series["points"][-2]["p95_ms"] is not None
