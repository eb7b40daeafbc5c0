"""Cluster facts, the mapping to collectors.records.Inventory, and client configuration."""

from __future__ import annotations

import yaml

from collectors.kube.client import load_configuration
from collectors.kube.facts import cluster_facts, detect_cni, detect_kube_proxy
from collectors.kube.inventory import to_inventory
from collectors.kube.parse import parse_object
from collectors.kube.parse.cluster import parse_configmap, parse_namespace, parse_node
from collectors.kube.parse.pods import parse_pod
from collectors.kube.parse.services import parse_service
from collectors.kube.parse.workloads import parse_controller

from .conftest import fixture_path, load_docs, pod


def _ds(name: str, image: str, ns: str = "kube-system"):
    return parse_controller(
        {
            "metadata": {"namespace": ns, "name": name},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
        },
        "DaemonSet",
    )


def _cm(name: str, data: dict):
    return parse_configmap({"metadata": {"namespace": "kube-system", "name": name}, "data": data})


def test_cni_from_daemonsets_and_node_annotations():
    node = parse_node(
        {
            "metadata": {
                "name": "n1",
                "annotations": {"projectcalico.org/IPv4Address": "10.0.0.5/24"},
            }
        }
    )
    fact = detect_cni(
        [_ds("calico-node", "docker.io/calico/node:v3.27.0"), _ds("kube-proxy", "kube-proxy")],
        [node],
    )
    assert fact.plugin == "calico"
    assert "daemonset kube-system/calico-node" in fact.evidence
    assert any("projectcalico.org/IPv4Address" in e for e in fact.evidence)
    chained = detect_cni(
        [_ds("aws-node", "amazon-k8s-cni:v1.18"), _ds("cilium", "quay.io/cilium/cilium:v1.15")], []
    )
    assert set(chained.candidates) == {"aws-vpc-cni", "cilium"}
    for name, image, plugin in [
        ("kube-flannel-ds", "flannel/flannel:v0.24", "flannel"),
        ("weave-net", "weaveworks/weave-kube:2.8.1", "weave-net"),
        ("antrea-agent", "antrea/antrea-agent-ubuntu:v1.15", "antrea"),
        ("azure-cns", "mcr.microsoft.com/containernetworking/azure-cns:v1.5", "azure-cni"),
    ]:
        assert detect_cni([_ds(name, image)], []).plugin == plugin
    assert detect_cni([], []).plugin == "unknown"


def test_kube_proxy_modes():
    proxy = [_ds("kube-proxy", "registry.k8s.io/kube-proxy:v1.30.0")]
    conf = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: {}\n"
    assert (
        detect_kube_proxy([_cm("kube-proxy", {"config.conf": conf.format('""')})], proxy).mode
        == "iptables"
    )
    assert (
        detect_kube_proxy([_cm("kube-proxy", {"config.conf": conf.format("ipvs")})], proxy).mode
        == "ipvs"
    )
    assert (
        detect_kube_proxy([_cm("kube-proxy", {"config.conf": conf.format("nftables")})], proxy).mode
        == "nftables"
    )
    replaced = detect_kube_proxy([_cm("cilium-config", {"kube-proxy-replacement": "true"})], [])
    assert replaced.mode == "replaced-by-cilium" and "no kube-proxy DaemonSet" in replaced.evidence
    assert detect_kube_proxy([], proxy).mode == "unknown"


def _kube_dns_objects():
    svc = parse_service(
        {
            "metadata": {"namespace": "kube-system", "name": "kube-dns"},
            "spec": {
                "clusterIP": "10.96.0.10",
                "selector": {"k8s-app": "kube-dns"},
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP"},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                ],
            },
        }
    )
    raw = pod("kube-system", "coredns-1", labels={"k8s-app": "kube-dns"})
    raw["spec"]["containers"][0]["image"] = "registry.k8s.io/coredns/coredns:v1.11.1"
    return svc, parse_pod(raw)


def test_cluster_facts_dns_service_and_pod_cidrs():
    svc, dns_pod = _kube_dns_objects()
    node = parse_node({"metadata": {"name": "n1"}, "spec": {"podCIDR": "10.244.0.0/24"}})
    facts = cluster_facts([node], [], [], [svc], [dns_pod, parse_pod(pod("shop", "x"))])
    assert facts.dns is not None
    assert facts.dns.cluster_ips == ("10.96.0.10",) and facts.dns.ports == ("53/UDP", "53/TCP")
    assert facts.dns.pods == ("coredns-1",) and facts.dns.ready_pods == 1
    assert facts.dns.implementation == "coredns"
    assert facts.node_pod_cidrs == {"n1": ("10.244.0.0/24",)}


def test_to_inventory_from_bookinfo_and_injected_pods():
    objects = [parse_object(d) for d in load_docs(fixture_path("bookinfo.yaml"))]
    deployments = [o for o in objects if getattr(o, "kind", "") == "Deployment"]
    services = [o for o in objects if type(o).__name__ == "ServiceInfo"]
    rs = parse_controller(
        {
            "metadata": {
                "namespace": "default",
                "name": "reviews-v2-5d8f",
                "ownerReferences": [
                    {"kind": "Deployment", "name": "reviews-v2", "controller": True}
                ],
            }
        },
        "ReplicaSet",
    )
    raw = pod("default", "reviews-v2-5d8f-abc", labels={"app": "reviews", "version": "v2"})
    raw["metadata"]["ownerReferences"] = [
        {"kind": "ReplicaSet", "name": "reviews-v2-5d8f", "controller": True}
    ]
    raw["spec"]["containers"].append({"name": "istio-proxy", "image": "proxyv2"})
    namespaces = [
        parse_namespace({"metadata": {"name": "default", "labels": {"istio-injection": "enabled"}}})
    ]
    inv = to_inventory(namespaces, [parse_pod(raw)], services, deployments + [rs])
    assert inv.namespaces[0].mesh == "istio"
    assert {s.name for s in inv.services} == {"details", "ratings", "reviews", "productpage"}
    workloads = {w.name: w for w in inv.workloads}
    assert set(workloads) == {
        "details-v1",
        "ratings-v1",
        "reviews-v1",
        "reviews-v2",
        "reviews-v3",
        "productpage-v1",
    }
    assert (workloads["reviews-v2"].app, workloads["reviews-v2"].version) == ("reviews", "v2")
    assert workloads["reviews-v2"].mesh == "istio"  # from its running pod
    assert workloads["details-v1"].mesh == ""  # idle, plain template
    (record,) = inv.pods
    assert (record.workload, record.workload_kind, record.sidecar) == (
        "reviews-v2",
        "Deployment",
        "istio",
    )
    assert record.ndots == 5 and record.search[0] == "default.svc.cluster.local"


def test_configuration_from_an_explicit_kubeconfig(tmp_path):
    path = tmp_path / "config"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "test",
                "clusters": [
                    {
                        "name": "c",
                        "cluster": {
                            "server": "https://10.1.2.3:6443",
                            "insecure-skip-tls-verify": True,
                        },
                    }
                ],
                "users": [{"name": "u", "user": {"token": "abc123"}}],
                "contexts": [{"name": "test", "context": {"cluster": "c", "user": "u"}}],
            }
        )
    )
    config = load_configuration(kubeconfig=str(path), environ={})
    assert config.host == "https://10.1.2.3:6443"
    assert config.auth_settings()["BearerToken"]["value"] == "Bearer abc123"
    assert config.retries == 0
    from_env = load_configuration(environ={"KUBECONFIG": str(path)})
    assert from_env.host == "https://10.1.2.3:6443"


def test_configuration_in_cluster(tmp_path):
    (tmp_path / "token").write_text("sa-token")
    (tmp_path / "ca.crt").write_text("not really a cert")
    env = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    config = load_configuration(environ=env, service_account_dir=str(tmp_path))
    assert config.host == "https://10.96.0.1:443"
    assert config.auth_settings()["BearerToken"]["value"].lower() == "bearer sa-token"


def test_plain_host_client_sends_the_bearer_token():
    from collectors.kube.client import api_client_for_host

    config = api_client_for_host("http://127.0.0.1:1", token="t0k").configuration
    assert config.auth_settings()["BearerToken"]["value"] == "Bearer t0k"
