"""traffic_passthrough: egress through PassthroughCluster/BlackHoleCluster or to nowhere."""

from __future__ import annotations

import yaml

from collectors.records import EdgeSample, Peer
from tests.conftest import T0
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.traffic_passthrough import CHECK

WORKER = Peer("shop", "fulfillment-worker", "fulfillment-worker", "v1")


def _to(service: str, protocol: str = "http", **counts: float) -> EdgeSample:
    return EdgeSample(WORKER, Peer("unknown", "unknown", service=service), protocol, "istio",
                      300.0, **counts)  # fmt: skip


def test_passthrough_tcp_is_a_warning_with_a_service_entry():
    [draft] = drafts_of(
        CHECK,
        context(
            T0, edges=(_to("PassthroughCluster", "tcp", bytes_sent=9000.0, bytes_received=3000.0),)
        ),
    )
    assert draft.severity == "warning"
    assert (
        draft.subject.id
        == "edge:workload:shop/fulfillment-worker>service:unknown/PassthroughCluster"
    )
    assert draft.subject.namespace == "shop"  # the client's: the destination's is unknown
    assert draft.evidence["bytes_sent_per_s"] == 30.0 and draft.evidence["rps"] == 0.0
    documents = list(yaml.safe_load_all(draft.remedy.snippet))
    assert (
        documents[0]["kind"] == "ServiceEntry" and documents[0]["metadata"]["namespace"] == "shop"
    )
    assert documents[1]["meshConfig"]["outboundTrafficPolicy"]["mode"] == "REGISTRY_ONLY"


def test_blackhole_is_critical_and_unknown_is_information():
    edges = (_to("BlackHoleCluster", requests=30.0, errors_5xx=30.0), _to("unknown", requests=9.0))
    found = {d.evidence["cluster"]: d.severity for d in drafts_of(CHECK, context(T0, edges=edges))}
    assert found == {"BlackHoleCluster": "critical", "unknown": "info"}


def test_in_mesh_traffic_orphan_services_and_idle_edges_are_not_egress():
    edges = (
        EdgeSample(WORKER, Peer("shop", "rabbitmq", service="rabbitmq"), "tcp", "istio", 300.0,
                   bytes_sent=1e6),
        EdgeSample(WORKER, Peer("shop", "unknown", service="recommendations"), "http", "istio",
                   300.0, requests=50.0),
        _to("PassthroughCluster", "tcp", bytes_sent=10.0),
        EdgeSample(Peer("unknown", "unknown"), Peer("unknown", "unknown"), "http", "", 300.0,
                   requests=100.0),
    )  # fmt: skip
    assert drafts_of(CHECK, context(T0, edges=edges)) == []
