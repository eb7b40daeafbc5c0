"""DNS resolution per dnsPolicy, owner resolution, and malformed objects."""

from __future__ import annotations

import pytest

from collectors.kube.parse import ParseError, PodInfo, parse_object, resolv_conf
from collectors.kube.parse.cluster import parse_namespace, parse_node
from collectors.kube.parse.common import MAX_VALUE_CHARS
from collectors.kube.parse.pods import parse_pod
from collectors.kube.parse.workloads import WorkloadResolver, parse_controller

from .conftest import fixture_path, pod


def _pod(**spec) -> PodInfo:
    parsed = parse_pod(pod("default", "p", **spec))
    assert isinstance(parsed, PodInfo)
    return parsed


def test_cluster_first_matches_the_kubernetes_docs_resolv_conf():
    with open(fixture_path("resolv.conf.k8s-docs-dns-debugging-resolution"), encoding="utf-8") as f:
        docs = dict(line.split(" ", 1) for line in f.read().splitlines())
    dns = _pod().dns
    # The docs' pod shows the cluster domains first, then the node's (GCE) domains, which
    # the API does not show; hence the prefix comparison and node_part_unknown.
    assert docs["search"].split()[:3] == list(dns.searches)
    assert docs["options"] == "ndots:5" and dns.ndots == 5
    assert dns.node_part_unknown and dns.base == "cluster"
    from collectors.kube.parse.common import Reader
    from collectors.kube.parse.dns import read_dns_spec, resolve_dns

    spec = read_dns_spec({"dnsPolicy": "ClusterFirst"}, Reader())
    text = resolv_conf(resolve_dns(spec, "default", cluster_dns=("10.0.0.10",)))
    assert "nameserver 10.0.0.10" in text and "options ndots:5" in text


def test_dns_config_extends_and_overrides_cluster_first():
    dns = _pod(
        dnsConfig={
            "nameservers": ["1.2.3.4"],
            "searches": ["ns1.svc.cluster-domain.example", "svc.cluster.local"],
            "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
        }
    ).dns
    assert dns.searches == (
        "default.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
        "ns1.svc.cluster-domain.example",
    )
    assert dns.ndots == 2 and dns.options == (("ndots", "2"), ("edns0", ""))
    assert dns.nameservers == ("1.2.3.4",)


def test_dns_policy_none_uses_only_dns_config():
    dns = _pod(
        dnsPolicy="None", dnsConfig={"nameservers": ["9.9.9.9"], "searches": ["a.example"]}
    ).dns
    assert (dns.base, dns.nameservers, dns.searches, dns.ndots) == (
        "none",
        ("9.9.9.9",),
        ("a.example",),
        None,
    )
    assert not dns.node_part_unknown


def test_dns_policy_default_is_the_node_and_unknown():
    dns = _pod(dnsPolicy="Default").dns
    assert dns.base == "host" and dns.node_part_unknown and dns.ndots is None and dns.searches == ()


def test_host_network_cluster_first_falls_back_unless_with_host_net():
    assert _pod(hostNetwork=True).dns.base == "host"
    assert "falls back" in _pod(hostNetwork=True).dns.note
    with_host_net = _pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet").dns
    assert with_host_net.base == "cluster" and with_host_net.ndots == 5


def _owned(name: str, kind: str, owner: str, labels=None) -> dict:
    raw = pod("shop", name, labels=labels)
    raw["metadata"]["ownerReferences"] = [{"kind": kind, "name": owner, "controller": True}]
    return raw


def _ctrl(kind: str, name: str, owner_kind: str = "", owner: str = ""):
    meta: dict = {"namespace": "shop", "name": name}
    if owner:
        meta["ownerReferences"] = [{"kind": owner_kind, "name": owner, "controller": True}]
    return parse_controller({"metadata": meta, "spec": {}}, kind)


def test_workloads_resolve_through_owner_references():
    resolver = WorkloadResolver(
        [_ctrl("ReplicaSet", "web-7d9f", "Deployment", "web")],
        [_ctrl("Job", "backup-2890", "CronJob", "backup"), _ctrl("Job", "once")],
    )

    def resolve(raw):
        ref = resolver.resolve(parse_pod(raw))
        return ref.kind, ref.name, ref.inferred

    assert resolve(_owned("web-7d9f-x", "ReplicaSet", "web-7d9f")) == ("Deployment", "web", False)
    assert resolve(_owned("db-0", "StatefulSet", "db")) == ("StatefulSet", "db", False)
    assert resolve(_owned("agent-x", "DaemonSet", "agent")) == ("DaemonSet", "agent", False)
    assert resolve(_owned("backup-2890-q", "Job", "backup-2890")) == ("CronJob", "backup", False)
    assert resolve(_owned("once-q", "Job", "once")) == ("Job", "once", False)
    assert resolve(pod("shop", "bare")) == ("Pod", "bare", False)
    unseen = _owned("api-5c6b-z", "ReplicaSet", "api-5c6b", {"pod-template-hash": "5c6b"})
    assert resolve(unseen) == ("Deployment", "api", True)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "pod",
        {"apiVersion": "v1", "kind": "Pod"},
        {"apiVersion": "v1", "kind": "Pod", "metadata": "x"},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "a"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 7}},
    ],
)
def test_unkeyable_objects_become_parse_errors(raw):
    result = parse_object(raw)
    assert isinstance(result, ParseError) and result.reason


def test_wrong_types_degrade_with_warnings():
    raw = pod("shop", "odd")
    raw["metadata"]["labels"] = ["app", "web"]  # a list instead of a map
    raw["spec"]["containers"] = {"name": "x"}
    raw["status"]["podIP"] = {"ip": "1"}
    raw["spec"]["dnsConfig"] = {"options": "ndots:1"}
    parsed = parse_pod(raw)
    assert isinstance(parsed, PodInfo)
    assert parsed.meta.labels == {} and parsed.spec.containers == () and parsed.pod_ip == ""
    assert any("metadata.labels is a list" in w for w in parsed.warnings)
    assert parsed.dns.ndots == 5


def test_huge_label_value_is_kept_but_bounded():
    raw = pod("shop", "big", labels={"app": "web", "blob": "x" * 1_000_000})
    parsed = parse_pod(raw)
    assert parsed.meta.labels["app"] == "web"
    assert len(parsed.meta.labels["blob"]) == MAX_VALUE_CHARS
    assert any("kept" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    "kind",
    [
        "Namespace",
        "Node",
        "Service",
        "EndpointSlice",
        "NetworkPolicy",
        "Deployment",
        "PeerAuthentication",
        "Server",
    ],
)
def test_every_parser_survives_garbage_specs(kind):
    api = {
        "Namespace": "v1",
        "Node": "v1",
        "Service": "v1",
        "EndpointSlice": "discovery.k8s.io/v1",
        "NetworkPolicy": "networking.k8s.io/v1",
        "Deployment": "apps/v1",
        "PeerAuthentication": "security.istio.io/v1",
        "Server": "policy.linkerd.io/v1beta3",
    }[kind]
    for garbage in (None, 1, "x", [], [1, "a"], {"ports": "x", "selector": 3, "endpoints": [None]}):
        raw = {
            "apiVersion": api,
            "kind": kind,
            "metadata": {"name": "g", "namespace": "n"},
            "spec": garbage,
            "status": garbage,
            "endpoints": garbage,
            "ports": garbage,
        }
        assert not isinstance(parse_object(raw), ParseError)


def test_nodes_and_namespaces():
    node = parse_node(
        {
            "metadata": {
                "name": "n1",
                "annotations": {"flannel.alpha.coreos.com/backend-type": "vxlan"},
            },
            "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24", "fd00:1::/64"]},
            "status": {
                "addresses": [{"type": "InternalIP", "address": "192.168.1.5"}],
                "conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}],
            },
        }
    )
    assert node.pod_cidrs == ("10.244.1.0/24", "fd00:1::/64") and node.internal_ip == "192.168.1.5"
    assert node.ready is False and node.ready_reason == "KubeletNotReady"
    assert "flannel.alpha.coreos.com/backend-type" in node.cni_hints
    ns = parse_namespace({"metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}})
    assert ns.mesh == "istio"
