"""The graph and heatmap of a past window answer the same after its raw rows are pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from collectors import pipeline
from webapp.traffic.models import EdgeSample, RollupBucket
from webapp.traffic.rollups import apply_retention

pytestmark = pytest.mark.django_db


def _graph(client: Client, token: str, **params) -> dict:
    response = client.get("/api/v1/graph", params, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return {edge["id"]: edge for edge in response.json()["edges"]}


def test_a_day_old_graph_keeps_its_rates_after_raw_rows_are_pruned(
    client, alice_token, simulator_source, t0
):
    day_ago = t0 - timedelta(days=1)
    for i in range(20):  # 20 one-minute cycles: the buckets ending at day_ago-15m … day_ago
        at = day_ago - timedelta(minutes=i)
        pipeline.run_cycle(at, simulator_source, publish=False, interval_s=60)
    params = {"at": str(int(day_ago.timestamp())), "window": "10m", "namespaces": "bookinfo"}
    before = _graph(client, alice_token, **params)
    assert before and all(edge["rps"] > 0 for edge in before.values())

    # A day later, with the default 24 h raw retention: every raw row of that window is gone.
    apply_retention(t0 + timedelta(minutes=10), interval_s=60)
    assert not EdgeSample.objects.exists()
    assert RollupBucket.objects.filter(raw_pruned=True).count() == 4

    after = _graph(client, alice_token, **params)
    assert set(after) == set(before)
    for edge_id, edge in before.items():
        for field in ("rps", "error_ratio", "mtls_ratio", "p50_ms", "p95_ms", "p99_ms"):
            assert after[edge_id][field] == pytest.approx(edge[field], rel=1e-9), field


def test_a_day_old_heatmap_keeps_its_counts_after_raw_rows_are_pruned(
    client, alice_token, simulator_source, t0
):
    day_ago = t0 - timedelta(days=1)
    for i in range(20):
        pipeline.run_cycle(day_ago - timedelta(minutes=i), simulator_source, publish=False)
    params = {
        "workload": "bookinfo/details-v1",
        "window": "15m",
        "step": "5m",  # whole buckets, so raw columns and rollup columns are the same sums
        "at": day_ago.isoformat(),
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {alice_token}"}
    before = client.get("/api/v1/heatmap", params, **headers).json()
    assert sum(column["total"] for column in before["columns"]) > 0
    apply_retention(t0 + timedelta(minutes=10), interval_s=60)
    assert not EdgeSample.objects.exists()
    after = client.get("/api/v1/heatmap", params, **headers).json()
    assert after["bounds_ms"] == before["bounds_ms"]
    assert [c["total"] for c in after["columns"]] == pytest.approx(
        [c["total"] for c in before["columns"]]
    )
