"""The simulator's cluster as raw API objects, parsed by the Kubernetes collector's code."""

from __future__ import annotations

from collectors.kube.parse import OtherObject, ParseError, parse_object
from collectors.simulator import Simulator
from collectors.simulator.catalog import WORLD
from collectors.simulator.kube_objects import cluster_objects

from .helpers import AFTERNOON


def test_every_object_parses_with_its_own_parser():
    for raw in cluster_objects(WORLD, 7):
        parsed = parse_object(raw)
        assert not isinstance(parsed, ParseError | OtherObject), raw["kind"]
        assert not parsed.warnings, (raw["kind"], parsed.warnings)


def test_the_inventory_comes_through_the_parsers():
    inventory = Simulator().inventory_at(AFTERNOON)
    assert [n.name for n in inventory.nodes] == sorted(n.name for n in inventory.nodes)
    assert all(n.pod_cidrs and n.ready for n in inventory.nodes)
    pods = {p.name: p for p in inventory.pods}
    meshed = [p for p in pods.values() if p.sidecar]
    assert meshed and all(p.mesh_layout == "container" for p in meshed)
    assert any(p.tls_mode == "istio" and p.canonical_name for p in meshed)
    assert all(w.ready_replicas == w.replicas for w in inventory.workloads)
    facts = inventory.facts
    assert facts is not None
    assert (facts.cni, facts.kube_proxy_mode) == ("flannel", "iptables")
    assert facts.dns_service["cluster_ips"] == ["10.96.0.10"]


def test_policies_and_endpoints():
    inventory = Simulator().inventory_at(AFTERNOON)
    deny = [p for p in inventory.network_policies if p.default_deny_ingress]
    assert [(p.namespace, p.name) for p in deny] == [("emojivoto", "default-deny-ingress")]
    (pa,) = [m for m in inventory.mesh_policies if m.kind == "PeerAuthentication"]
    assert (pa.namespace, pa.spec["mode"]) == ("shop", "PERMISSIVE")
    slices = {(s.namespace, s.service): s for s in inventory.endpoint_slices}
    reviews = [
        p for p in inventory.pods if p.namespace == "bookinfo" and p.workload.startswith("reviews")
    ]
    assert len(slices[("bookinfo", "reviews")].endpoints) == len(reviews)
    assert slices[("shop", "recommendations")].endpoints == ()  # the orphan Service
