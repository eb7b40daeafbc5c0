"""The alert kinds on real stored data: insight findings, STRICT intents and CoreDNS samples.

Cycles are stored through the pipeline; insights are evaluated as the pipeline's hook does;
then the rules are evaluated, and the alerts they raise are the assertion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from collectors.pipeline import run_cycle
from collectors.records import (
    CycleRecords,
    EdgeSample,
    Inventory,
    MeshPolicyRecord,
    NamespaceRecord,
    Peer,
    PodRecord,
    WorkloadRecord,
)
from webapp.alerts.evaluation import evaluate_rules
from webapp.alerts.models import Alert
from webapp.alerts.rules import sources
from webapp.insights.engine import evaluate

pytestmark = pytest.mark.django_db
STEP = timedelta(seconds=15)


def _store(source, t0: datetime, n: int = 2) -> datetime:
    at = t0
    for i in range(n):
        at = t0 + i * STEP
        assert run_cycle(at, source, publish=False, interval_s=15.0).status == "ok"
    return at


def test_insight_findings_are_the_stored_open_ones(simulator_source, t0):
    at = _store(simulator_source, t0)
    evaluate(at)
    findings = {(f.check, f.labels["subject"]): f for f in sources.insight_findings()}
    orphan = findings[("service_no_endpoints", "service:shop/recommendations")]
    assert (orphan.severity, orphan.namespace) == ("critical", "shop")
    assert orphan.labels["service"] == "recommendations"


def test_insight_severity_fires_on_the_orphan_service(simulator_source, t0, make_rule):
    rule = make_rule(kind="insight_severity", threshold=0, params={"min_severity": "critical"},
                     scope={"namespaces": ["shop"]})
    at = _store(simulator_source, t0)
    evaluate(at)
    evaluate_rules(at)
    alerts = {a.subject: a for a in Alert.objects.filter(rule=rule)}
    orphan = next(a for s, a in alerts.items() if s.startswith("insight:service_no_endpoints:"))
    assert orphan.state == "firing"
    assert orphan.labels["insight"] == "service_no_endpoints"
    # warnings (the selector finding) are below the rule's floor
    assert all(a.state != "firing" for s, a in alerts.items()
               if s.startswith("insight:service_selector_no_pods:"))


@dataclass
class StrictShop:
    """shop is STRICT by PeerAuthentication; legacy (no sidecar) calls api in plaintext."""

    name: str = "strict-shop"

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        inventory = Inventory(
            namespaces=(NamespaceRecord("shop", mesh="istio"),),
            workloads=(WorkloadRecord("shop", "api", app="api", mesh="istio"),
                       WorkloadRecord("shop", "legacy", app="legacy")),
            pods=(PodRecord("shop", "api-1", workload="api", workload_kind="Deployment",
                            ip="10.0.0.1", labels={"app": "api"}, sidecar="istio"),
                  PodRecord("shop", "legacy-1", workload="legacy", workload_kind="Deployment",
                            ip="10.0.0.2", labels={"app": "legacy"})),
            mesh_policies=(MeshPolicyRecord("shop", "default", "PeerAuthentication", "istio",
                                            {"mode": "STRICT"}),),
        )
        edge = EdgeSample(Peer("shop", "legacy", app="legacy"),
                          Peer("shop", "api", app="api", service="api"), "http", "istio",
                          interval_s, requests=300.0, mtls_requests=0.0)
        return CycleRecords(at, self.name, inventory, (edge,))


def test_strict_targets_come_from_the_stored_policies(t0):
    _store(StrictShop(), t0, n=1)
    targets = sources.strict_mtls_targets()
    assert [(t.namespace, t.workload) for t in targets] == [("shop", "api")]
    assert "default" in targets[0].policy


def test_plaintext_where_strict_fires_on_stored_data(t0, make_rule):
    rule = make_rule(kind="plaintext_where_strict", threshold=0.0, window_seconds=60)
    at = _store(StrictShop(), t0)
    evaluate_rules(at)
    alert = Alert.objects.get(rule=rule)
    assert alert.subject.endswith("workload:shop/api|http") and alert.state == "firing"
    assert alert.value == 1.0


def test_dns_observations_come_from_the_stored_samples(simulator_source, t0):
    at = _store(simulator_source, t0)
    observations = sources.dns_observations(at - timedelta(minutes=5), at)
    assert observations, "the simulator's CoreDNS samples were stored"
    root = next(o for o in observations if o.zone == ".")
    assert root.server == "kube-system/kube-dns" and root.rps > 0
    assert 0 < root.nxdomain_ratio < 1 and root.p99_ms is not None
    assert sources.dns_observations(at + timedelta(hours=1), at + timedelta(hours=2)) == ()
