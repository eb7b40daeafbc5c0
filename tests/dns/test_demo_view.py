"""The DNS view of the demo: the simulator's cycles stored, read back through the REST API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors import pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(t0, simulator_source, settings):
    settings.MESHWATCH_AUTH = "anonymous"
    for i in reversed(range(4)):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)
    return t0


def test_shop_pods_pay_eight_queries_per_external_name(client, demo):
    body = client.get("/api/v1/dns", {"window": "1m", "at": demo.isoformat()}).json()
    report = body["amplification"]
    namespaces = {n["namespace"]: n for n in report["namespaces"]}
    assert "kube-system" not in namespaces  # CoreDNS resolves through the node
    shop = namespaces["shop"]
    assert (shop["ndots"], len(shop["search"]), shop["expected_lookups"]) == (5, 3, 8)
    assert shop["a_and_aaaa"] is True and "dns_config" in shop["remedies"]
    observed = report["observed"]
    assert observed["nxdomain_share"] > 0.05 and observed["cluster_nxdomain_share"] > 0
    assert observed["a_aaaa_doubling"] is True and observed["observed_multiplier"] > 2


def test_the_demo_has_one_server_block_and_two_upstreams(client, demo):
    body = client.get("/api/v1/dns", {"window": "1m", "at": demo.isoformat()}).json()
    (server,) = body["servers"]
    assert server["id"] == "dns://:53|." and len(server["instances"]) == 2
    assert 0.5 < server["cache"]["hit_ratio"] < 1 and server["p99_ms"] > server["p50_ms"]
    assert {u["upstream"] for u in body["upstreams"]} == {"10.0.0.2:53", "10.0.0.3:53"}


def test_namespaces_scope_the_report(client, demo):
    params = {"window": "1m", "at": demo.isoformat(), "namespaces": "bookinfo"}
    body = client.get("/api/v1/dns", params).json()
    assert [n["namespace"] for n in body["amplification"]["namespaces"]] == ["bookinfo"]
