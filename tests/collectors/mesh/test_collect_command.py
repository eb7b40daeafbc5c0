"""`collect --once --at TIME` with PROMETHEUS_URL set: telemetry in, the REST graph out."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.collectors.mesh.conftest import AT
from webapp.traffic.models import Cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def prometheus_configured(settings, mesh_prometheus):
    settings.PROMETHEUS_URL = mesh_prometheus.url
    settings.MESHWATCH_AUTH = "anonymous"


def test_collect_stores_the_telemetry_and_the_graph_matches_it(prometheus_configured, client):
    call_command("collect", "--once", "--at", str(int(AT.timestamp())))
    cycle = Cycle.objects.get()
    assert cycle.source == "prometheus" and cycle.status == "ok"
    body = client.get(
        "/api/v1/graph", {"namespaces": "shop", "window": "15s", "at": AT.isoformat()}
    ).json()
    edges = {(e["source"], e["target"]): e for e in body["edges"]}
    catalog = edges[("workload:shop/frontend-v1", "workload:shop/catalog-v1")]
    assert catalog["rps"] == pytest.approx(10.0, rel=0.01)
    assert catalog["error_ratio"] == pytest.approx(0.2, rel=0.01)  # 503 1 + 404 0.5 + none 0.5
    assert catalog["mtls_ratio"] == pytest.approx(0.85, rel=0.01)
    assert 5 <= catalog["p50_ms"] <= 25  # the median falls in the (5, 10] or (10, 25] bucket
    nodes = {n["id"] for n in body["nodes"]}
    assert {"workload:shop/frontend-v1", "service:unknown/PassthroughCluster"} <= nodes


def test_prometheus_down_is_a_failed_cycle_not_zeros(settings):
    settings.PROMETHEUS_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(CommandError, match="failed"):
        call_command("collect", "--once", "--at", str(int(AT.timestamp())))
    cycle = Cycle.objects.get()
    assert cycle.status == "failed" and cycle.error
    assert not cycle.samples.exists()


def test_collect_backfill_fills_the_missing_cycles(prometheus_configured, capsys, monkeypatch):
    from datetime import datetime

    import collectors.pipeline as pipeline_module

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return AT

    monkeypatch.setattr(pipeline_module, "datetime", Frozen)
    call_command("collect", "--backfill", "2m", "--once", "--at", str(int(AT.timestamp())))
    assert Cycle.objects.filter(status="ok").count() == 9  # 8 backfilled, then the --at cycle
    assert "backfill: 8 cycles, 0 failed" in capsys.readouterr().out
