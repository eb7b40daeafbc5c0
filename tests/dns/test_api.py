"""GET /api/v1/dns over cycles stored from a real Prometheus: the numbers Prometheus holds."""

from __future__ import annotations

import pytest

from collectors.prometheus import PrometheusClient
from tests.collectors.dns.series import NEW, OLD, SERVER, UP_A, UP_B
from tests.conftest import grant_namespaces
from tests.dns.conftest import AT, CYCLES, INTERVAL_S
from webapp.dns.models import DnsZoneSample

pytestmark = pytest.mark.django_db
WINDOW = {"window": "1m", "at": AT.isoformat()}


@pytest.fixture
def anonymous(settings):
    settings.MESHWATCH_AUTH = "anonymous"


def by_id(items):
    return {item["id"]: item for item in items}


def test_it_needs_authentication_in_login_mode(client, settings):
    settings.MESHWATCH_AUTH = "login"
    response = client.get("/api/v1/dns")
    assert response.status_code == 401 and "detail" in response.json()


def test_a_token_works(client, settings, alice_token, prometheus_history):
    settings.MESHWATCH_AUTH = "login"
    response = client.get("/api/v1/dns", WINDOW, HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 200 and response.json()["cycles"] == CYCLES


def test_a_logged_in_viewer_may_read_it(client, settings, bob):
    settings.MESHWATCH_AUTH = "login"
    grant_namespaces(bob, "shop")
    client.force_login(bob)
    assert client.get("/api/v1/dns").status_code == 200


@pytest.mark.usefixtures("anonymous")
def test_servers_carry_rate_rcodes_latency_and_cache(client, prometheus_history, dns_prometheus):
    body = client.get("/api/v1/dns", WINDOW).json()
    assert body["covered_s"] == CYCLES * INTERVAL_S
    servers = by_id(body["servers"])
    assert set(servers) == {f"{SERVER}|.", f"{SERVER}|cluster.local.", "|."}
    root = servers[f"{SERVER}|."]
    assert root["instances"] == [NEW] and root["rps"] == pytest.approx(10.0, rel=1e-5)
    assert root["by_type_rps"] == {"A": pytest.approx(7.0), "AAAA": pytest.approx(3.0)}
    assert root["rcodes"] == {"NOERROR": 0.6, "NXDOMAIN": 0.3, "SERVFAIL": 0.05,
                              "REFUSED": 0.025, "other": 0.025}  # fmt: skip
    assert root["cache"]["hit_ratio"] == pytest.approx(0.75)
    assert root["cache"]["entries"] == 150.0
    assert servers["|."]["rps"] == pytest.approx(6.0, rel=1e-5)
    assert servers["|."]["cache"]["entries"] == 50.0
    client_ = PrometheusClient(dns_prometheus.url)
    for q, key in ((0.5, "p50_ms"), (0.95, "p95_ms"), (0.99, "p99_ms")):
        selector = f'{{instance="{NEW}",zone="."}}'
        promql = (
            f"histogram_quantile({q}, sum by (le) "
            f"(rate(coredns_dns_request_duration_seconds_bucket{selector}[60s])))"
        )
        (answer,) = client_.query(promql, AT)
        assert root[key] == pytest.approx(answer.value * 1000, rel=1e-4)


@pytest.mark.usefixtures("anonymous")
def test_upstreams_sum_both_instances_and_say_their_health(client, prometheus_history):
    upstreams = by_id(client.get("/api/v1/dns", WINDOW).json()["upstreams"])
    a = upstreams[UP_A]
    assert a["instances"] == [NEW, OLD] and a["rps"] == pytest.approx(8.0, rel=1e-5)
    assert a["error_share"] == pytest.approx(1.5 / 8.0, rel=1e-5)  # SERVFAIL 1 + 0.5 of 8
    assert a["health"] == "failure" and a["p50_ms"] is not None
    b = upstreams[UP_B]
    assert b["healthcheck_failures"] == pytest.approx(0.1 * CYCLES * INTERVAL_S, rel=1e-5)
    assert b["health"] == "degraded"


@pytest.mark.usefixtures("anonymous")
def test_filters_and_the_latency_heatmap(client, prometheus_history):
    params = {**WINDOW, "server": SERVER, "zone": "cluster.local.", "step": "15s"}
    body = client.get("/api/v1/dns", params).json()
    assert [s["id"] for s in body["servers"]] == [f"{SERVER}|cluster.local."]
    assert body["latency_heatmap"]["bounds_ms"] == [0.25, 0.5, "+Inf"]
    stored = sum(sum(r.latency_counts) for r in DnsZoneSample.objects.filter(zone="cluster.local."))
    assert sum(c["total"] for c in body["latency_columns"]) == pytest.approx(stored, rel=1e-5)
    assert len(body["latency_columns"]) == CYCLES


@pytest.mark.usefixtures("anonymous")
def test_bad_parameters_are_a_400(client):
    response = client.get("/api/v1/dns", {"window": "forever"})
    assert response.status_code == 400 and "window" in response.json()["detail"]


@pytest.mark.usefixtures("anonymous")
def test_no_cycles_yet_is_an_empty_well_formed_answer(client):
    body = client.get("/api/v1/dns").json()
    assert body["servers"] == [] and body["upstreams"] == [] and body["cycles"] == 0
    assert "method" in body["amplification"]
