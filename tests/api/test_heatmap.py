"""GET /api/v1/heatmap over stored cycles: counts per bucket match what was stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors import pipeline
from webapp.traffic.models import EdgeSample

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(t0, simulator_source, settings):
    settings.MESHWATCH_AUTH = "anonymous"
    for i in range(8):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)


def test_an_edge_heatmap_sums_what_was_stored(client, history, t0):
    params = {
        "edge": "workload:bookinfo/productpage-v1>workload:bookinfo/details-v1|http",
        "window": "2m",
        "step": "30s",
        "at": t0.isoformat(),
    }
    body = client.get("/api/v1/heatmap", params).json()
    assert len(body["columns"]) == 4 and body["bounds_ms"][-1] == "+Inf"
    finite = body["bounds_ms"][:-1]
    assert finite == sorted(finite)
    rows = EdgeSample.objects.filter(
        source_workload="productpage-v1",
        destination_workload="details-v1",
        at__gt=t0 - timedelta(minutes=2),
        at__lte=t0,
    )
    stored = sum(sum(r.latency_counts) for r in rows)
    shown = sum(column["total"] for column in body["columns"])
    assert shown == pytest.approx(stored, rel=1e-4)
    assert all(c["p95_ms"] is None or c["p95_ms"] >= c["p50_ms"] for c in body["columns"])


def test_a_workload_heatmap_covers_all_its_inbound_traffic(client, history, t0):
    body = client.get(
        "/api/v1/heatmap", {"workload": "bookinfo/reviews-v2", "window": "1m", "at": t0.isoformat()}
    ).json()
    assert sum(c["total"] for c in body["columns"]) > 0


def test_bad_parameters_are_a_400(client, history):
    response = client.get("/api/v1/heatmap", {"window": "1h"})
    assert response.status_code == 400 and "subject" in response.json()["detail"]


def test_it_needs_authentication_in_login_mode(client, settings):
    settings.MESHWATCH_AUTH = "login"
    assert client.get("/api/v1/heatmap", {"workload": "a/b"}).status_code == 401
