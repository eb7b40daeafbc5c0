"""Observed coverage: pure shares, then the numbers from cycles stored by the pipeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.pipeline import run_cycle
from tests.security.conftest import http, tcp
from webapp.security.coverage import coverage
from webapp.security.options import MtlsOptions
from webapp.security.snapshot import mtls_snapshot

STEP = timedelta(seconds=15)


def test_unknown_protection_is_left_out_not_counted_as_plaintext():
    cov = coverage([http("web", "api", 100.0, 80.0), http("x", "api", 50.0, None)])
    assert cov.mesh_wide.ratio == pytest.approx(0.8)
    assert cov.workloads["workload:shop/api"].requests == 100.0
    assert coverage([http("x", "api", 50.0, None)]).mesh_wide.ratio is None


def test_tcp_bytes_count_as_protected_only_when_every_connection_was():
    cov = coverage([tcp("web", "db", 500.0, 2.0), tcp("legacy", "db", 250.0, 0.0)])
    assert cov.mesh_wide.bytes_ratio == pytest.approx(1000 / 1500)
    assert cov.mesh_wide.ratio is None


def _run(source, t0, cycles):
    for i in range(cycles):
        assert run_cycle(t0 + STEP * i, source, interval_s=15.0).status == "ok"
    return t0 + STEP * (cycles - 1)


@pytest.mark.django_db
def test_stored_coverage_per_edge_workload_namespace_and_mesh(shop, t0):
    end = _run(shop, t0, 4)
    body = mtls_snapshot(MtlsOptions(window_s=60.0, window_text="1m", at=end))
    assert body["window"]["cycles"] == 4
    mesh = body["mesh_wide"]
    assert mesh["requests"] == pytest.approx(800.0)  # (150 + 50) × 4 cycles
    assert mesh["observed_ratio"] == pytest.approx(0.75)
    assert mesh["bytes_ratio"] == pytest.approx(1.0)
    (ns,) = body["namespaces"]
    assert ns["observed_ratio"] == pytest.approx(0.75)
    workloads = {w["id"]: w for w in ns["workloads"]}
    assert workloads["workload:shop/api"]["observed_ratio"] == pytest.approx(0.75)
    assert workloads["workload:shop/api"]["intended_mode"] == "PERMISSIVE"
    assert workloads["workload:shop/api"]["ports"] == {"8080": "PERMISSIVE"}
    assert workloads["workload:shop/legacy"]["intended_mode"] == "NONE"
    edges = {e["id"]: e for e in body["edges"]}
    assert edges["workload:shop/legacy->workload:shop/api|http"]["observed_ratio"] == 0.0
    assert edges["workload:shop/web->workload:shop/api|http"]["observed_ratio"] == 1.0


@pytest.mark.django_db
def test_trend_compares_with_the_previous_window(shop, t0):
    from dataclasses import replace

    _run(shop, t0, 4)  # 0.75 in the first minute
    better = replace(
        shop, edges=(http("web", "api", 150.0, 150.0), http("legacy", "api", 50.0, 50.0))
    )
    end = _run(better, t0 + STEP * 4, 4)  # all mTLS in the second
    body = mtls_snapshot(MtlsOptions(window_s=60.0, window_text="1m", at=end))
    assert body["mesh_wide"]["observed_ratio"] == 1.0
    assert body["mesh_wide"]["trend"] == {"previous_ratio": 0.75, "change": 0.25}
    assert body["namespaces"][0]["trend"]["previous_ratio"] == 0.75


@pytest.mark.django_db
def test_namespace_filter(shop, t0):
    end = _run(shop, t0, 1)
    body = mtls_snapshot(
        MtlsOptions(window_s=60.0, window_text="1m", at=end, namespaces=("other",))
    )
    assert body["namespaces"] == [] and body["edges"] == [] and body["mismatches"] == []


def test_unattributed_clients_are_the_graphs_unknown_node():
    cov = coverage([http("unknown", "api", 10.0, 0.0)])
    assert list(cov.edges) == ["unknown->workload:shop/api|http"]
    assert cov.workloads["workload:shop/api"].plaintext_requests == 10.0


@pytest.mark.django_db
def test_traffic_to_the_unknown_destination_counts_mesh_wide_without_a_namespace_row(shop, t0):
    from dataclasses import replace

    from collectors.records import EdgeSample, Peer

    egress = EdgeSample(
        Peer("shop", "web", app="web"),
        Peer("unknown", "unknown", service="PassthroughCluster"),
        "http",
        "istio",
        15.0,
        requests=40.0,
        mtls_requests=0.0,
    )
    end = _run(replace(shop, edges=(*shop.edges, egress)), t0, 1)
    body = mtls_snapshot(MtlsOptions(window_s=60.0, window_text="1m", at=end))
    assert [ns["namespace"] for ns in body["namespaces"]] == ["shop"]
    assert body["mesh_wide"]["requests"] == pytest.approx(240.0)  # 150 + 50 + 40
