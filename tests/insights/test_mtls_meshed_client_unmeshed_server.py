"""mtls_meshed_client_unmeshed_server: found by webapp/security from inventory and traffic."""

from __future__ import annotations

from collectors.records import (
    EdgeSample,
    Inventory,
    NamespaceRecord,
    Peer,
    PodRecord,
    WorkloadRecord,
)
from tests.conftest import T0
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.mtls_meshed_client_unmeshed_server import CHECK


def _world(server_sidecar: str) -> Inventory:
    return Inventory(
        namespaces=(NamespaceRecord("shop", mesh="istio"), NamespaceRecord("legacy")),
        workloads=(WorkloadRecord("shop", "orders", app="orders", mesh="istio"),
                   WorkloadRecord("legacy", "billing", app="billing", mesh=server_sidecar)),
        pods=(PodRecord("shop", "orders-1", workload="orders", workload_kind="Deployment",
                        labels={"app": "orders"}, sidecar="istio"),
              PodRecord("legacy", "billing-1", workload="billing", workload_kind="Deployment",
                        labels={"app": "billing"}, sidecar=server_sidecar)),
    )  # fmt: skip


EDGE = EdgeSample(Peer("shop", "orders", "orders"), Peer("legacy", "billing", "billing",
                  service="billing"), "http", "istio", 300.0, requests=90.0)  # fmt: skip


def test_a_meshed_client_calling_a_server_without_proxy_is_an_edge_finding():
    [draft] = drafts_of(CHECK, context(T0, _world(""), edges=(EDGE,)))
    assert draft.subject.id == "edge:workload:shop/orders>workload:legacy/billing"
    assert draft.subject.kind == "edge" and draft.subject.namespace == "legacy"
    assert draft.evidence["requests"] == 90.0 and draft.evidence["client_mesh"] == "istio"
    assert "istio-injection" in draft.remedy.snippet or "istio.io/rev" in draft.remedy.snippet


def test_a_meshed_server_is_fine():
    assert drafts_of(CHECK, context(T0, _world("istio"), edges=(EDGE,))) == []
