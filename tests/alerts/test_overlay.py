"""Overlay: firing inbound alerts and meshwatch's own mark the graph nodes and edges."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from collectors import pipeline
from tests.alerts.api import call
from webapp.alerts.overlay import Mark, mark_graph, overlay_firing_alerts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alertmanager"


def _graph() -> dict:
    nodes = [{"id": f"workload:{ns}/{name}", "kind": "workload", "namespace": ns, "name": name,
              "app": app} for ns, name, app in (
        ("bookinfo", "reviews-v2", "reviews"), ("bookinfo", "ratings-v1", "ratings"),
        ("whatever/promstack", "grafana", "grafana"))]
    edges = [{"id": "e1", "source": "workload:bookinfo/reviews-v2",
              "target": "workload:bookinfo/ratings-v1"}]
    return {"nodes": nodes, "edges": edges}


def test_labels_match_namespace_and_workload_service_or_app():
    marks = [Mark("a", "alertmanager", "RatingsDown", "critical",
                  {"namespace": "bookinfo", "app": "ratings"}),
             Mark("b", "alertmanager", "Other", "info", {"namespace": "elsewhere"})]
    graph = mark_graph(_graph(), marks)
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert [m["id"] for m in nodes["workload:bookinfo/ratings-v1"]["alerts"]] == ["a"]
    assert "alerts" not in nodes["workload:bookinfo/reviews-v2"]
    assert graph["edges"][0]["alerts"][0]["name"] == "RatingsDown"


@pytest.mark.django_db
def test_the_reference_payload_marks_its_namespace_and_workload(client, alice_token):
    body = json.loads((FIXTURES / "webhook-v4.prometheus-msteams.grafana-inspired-payload.json")
                      .read_text())
    call(client, "post", "/api/v1/alertmanager", alice_token, body)
    graph = overlay_firing_alerts(_graph())
    grafana = next(n for n in graph["nodes"] if n["name"] == "grafana")
    # Its labels say name=grafana (not workload=...), so the namespace match marks it.
    assert {m["name"] for m in grafana["alerts"]} == {"JustATestAlert_1"}
    assert all("alerts" not in n for n in graph["nodes"] if n["namespace"] == "bookinfo")


@pytest.mark.django_db
def test_the_graph_api_carries_inbound_alerts_on_simulator_nodes(client, alice_token, t0,
                                                                 simulator_source):
    for i in range(4):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)
    body = {"version": "4", "groupKey": "{}:{alertname=\"RatingsLatency\"}", "status": "firing",
            "alerts": [{"status": "firing", "fingerprint": "abc",
                        "labels": {"alertname": "RatingsLatency", "namespace": "bookinfo",
                                   "destination_workload": "ratings-v1"}}]}
    assert call(client, "post", "/api/v1/alertmanager", alice_token, body).status_code == 200
    graph = call(client, "get", "/api/v1/graph?namespaces=bookinfo&window=1m",
                 alice_token).json()
    marked = [n["id"] for n in graph["nodes"] if n.get("alerts")]
    assert marked == ["workload:bookinfo/ratings-v1"]
    assert any(e.get("alerts") for e in graph["edges"])
