"""node_pod_cidr_exhausted: warns at 80 % of the pod CIDR, critical at 95 %, quiet below."""

from __future__ import annotations

from collectors.records import Inventory, NodeRecord, PodRecord
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.node_pod_cidr_exhausted import CHECK, capacity


def _node(pods: int, cidr: str = "10.244.1.0/28", **pod: object) -> Inventory:
    return Inventory(
        nodes=(NodeRecord("n1", pod_cidrs=(cidr,)),),
        pods=tuple(PodRecord("shop", f"p{i}", node="n1", ip="10.244.1.1", **pod)  # type: ignore[arg-type]
                   for i in range(pods)),
    )


def test_capacity_leaves_out_network_and_broadcast():
    assert (capacity("10.244.1.0/24"), capacity("10.244.1.0/28"), capacity("nope")) == (
        254, 14, None)


def test_it_warns_at_80_percent_and_is_critical_at_95(t0):
    [warn] = drafts_of(CHECK, context(t0, _node(12)))
    assert (warn.severity, warn.evidence["pods"], warn.evidence["capacity"]) == ("warning", 12, 14)
    [full] = drafts_of(CHECK, context(t0, _node(14)))
    assert full.severity == "critical" and "kubectl cordon n1" in full.remedy.snippet


def test_it_is_quiet_below_80_percent_and_ignores_host_network_pods(t0):
    assert drafts_of(CHECK, context(t0, _node(11))) == []
    assert drafts_of(CHECK, context(t0, _node(14, host_network=True))) == []
    assert drafts_of(CHECK, context(t0, _node(14, phase="Succeeded"))) == []
