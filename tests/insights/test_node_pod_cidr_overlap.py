"""node_pod_cidr_overlap: fires on overlapping and unreadable pod CIDRs, not on disjoint ones."""

from __future__ import annotations

from collectors.records import ClusterFactsRecord, Inventory, NodeRecord
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.node_pod_cidr_overlap import CHECK


def _nodes(**cidrs: tuple[str, ...]) -> Inventory:
    return Inventory(nodes=tuple(NodeRecord(name, pod_cidrs=c) for name, c in cidrs.items()))


def test_it_fires_on_an_overlapping_pair(t0):
    inventory = _nodes(b=("10.244.1.0/24",), a=("10.244.0.0/16",), c=("10.245.0.0/24",))
    [found] = drafts_of(CHECK, context(t0, inventory))
    assert (found.severity, found.subject.id) == ("critical", "node:a")
    assert found.evidence["nodes"] == {"a": "10.244.0.0/16", "b": "10.244.1.0/24"}
    assert "kubectl drain b" in found.remedy.snippet


def test_it_does_not_fire_on_disjoint_or_other_family_cidrs(t0):
    inventory = _nodes(a=("10.244.0.0/24", "fd00::/64"), b=("10.244.1.0/24", "fd00:0:0:1::/64"))
    assert drafts_of(CHECK, context(t0, inventory)) == []


def test_facts_fill_in_nodes_and_bad_cidrs_are_a_finding(t0):
    facts = ClusterFactsRecord(node_pod_cidrs={"a": ("10.0.0.0/24",), "b": ("10.0.0.0/25",),
                                               "c": ("not-a-cidr",)})
    found = drafts_of(CHECK, context(t0, Inventory(facts=facts)))
    assert sorted((d.severity, d.subject.name) for d in found) == [
        ("critical", "a"), ("warning", "c")]
