"""Parsing of the recorded third-party objects in tests/fixtures/k8s/."""

from __future__ import annotations

import os

import pytest

from collectors.kube.parse import (
    DestinationRuleInfo,
    EndpointSliceInfo,
    IstioAuthorizationPolicyInfo,
    LinkerdAuthorizationPolicyInfo,
    LinkerdServerInfo,
    NetworkPolicyInfo,
    ParseError,
    PeerAuthenticationInfo,
    PodInfo,
    ServerAuthorizationInfo,
    ServiceInfo,
    parse_object,
)
from collectors.kube.parse.workloads import ControllerInfo

from .conftest import all_fixture_files, fixture_path, load_docs


def _one(path: str, kind: type) -> list:
    return [r for r in map(parse_object, load_docs(path)) if isinstance(r, kind)]


@pytest.mark.parametrize("path", all_fixture_files(), ids=os.path.basename)
def test_every_fixture_file_parses(path):
    docs = load_docs(path)
    assert docs
    for doc in docs:
        parsed = parse_object(doc)
        assert not isinstance(parsed, ParseError), parsed
        assert parsed.warnings == (), (path, parsed.warnings)


def test_all_four_fixture_folders_are_covered():
    folders = {os.path.basename(os.path.dirname(p)) for p in all_fixture_files()}
    assert {"core", "istio-injection", "istio-security", "linkerd-policy"} <= folders


@pytest.mark.parametrize("name", ["pod.yaml.injected", "native-sidecar-opt-out.yaml.injected"])
def test_injected_pods_are_meshed(name):
    (pod,) = _one(fixture_path("istio-injection", name), PodInfo)
    assert pod.mesh.mesh == "istio"
    assert pod.mesh.tls_mode == "istio"
    assert pod.mesh.canonical_name == "hellopod"
    assert pod.mesh.canonical_revision == "latest"
    assert pod.mesh.revision == "default"
    assert pod.mesh.injection_status


@pytest.mark.parametrize("name", ["pod.yaml", "native-sidecar-opt-out.yaml"])
def test_plain_pods_are_not_meshed(name):
    (pod,) = _one(fixture_path("istio-injection", name), PodInfo)
    assert not pod.mesh.meshed
    assert pod.mesh.layout == ""


def test_native_and_classic_sidecar_layouts():
    (native,) = _one(fixture_path("istio-injection", "pod.yaml.injected"), PodInfo)
    (classic,) = _one(
        fixture_path("istio-injection", "native-sidecar-opt-out.yaml.injected"), PodInfo
    )
    assert native.mesh.layout == "native"
    assert [c.name for c in native.spec.containers] == ["hello"]
    assert classic.mesh.layout == "container"
    assert "istio-proxy" in [c.name for c in classic.spec.containers]


def test_injected_deployment_template_is_meshed():
    (deploy,) = _one(
        fixture_path("istio-injection", "hello-deployment.yaml.injected"), ControllerInfo
    )
    assert deploy.kind == "Deployment" and deploy.replicas == 7
    assert deploy.template_mesh.mesh == "istio" and deploy.template_mesh.layout == "native"
    assert deploy.selector is not None and deploy.selector.matches(deploy.template_labels)


def test_plain_k9s_pod_status():
    (pod,) = _one(fixture_path("core", "pod.k9s.json"), PodInfo)
    assert (pod.pod_ip, pod.host_ip, pod.node, pod.phase) == (
        "172.17.0.6",
        "192.168.64.104",
        "minikube",
        "Running",
    )
    assert pod.ready and not pod.mesh.meshed and pod.owner is None
    assert pod.dns.ndots == 5


def test_network_policy_ip_block_except_and_selectors():
    (np,) = _one(fixture_path("core", "networkpolicy.k9s.json"), NetworkPolicyInfo)
    assert np.pod_selector.match_labels == {"app": "nginx"}
    assert np.policy_types == ("Ingress", "Egress")
    (rule,) = np.ingress
    block, ns_peer, pod_peer = rule.peers
    assert block.ip_block is not None and block.ip_block.cidr == "172.17.0.0/16"
    assert block.ip_block.except_ == ("172.17.1.0/24", "172.17.3.0/24", "172.17.4.0/24")
    assert block.pod_selector is None and block.namespace_selector is None
    assert ns_peer.namespace_selector is not None
    assert ns_peer.namespace_selector.match_labels == {"app": "blee"}
    assert pod_peer.pod_selector is not None and pod_peer.pod_selector.matches({"app": "fred"})
    assert [(p.protocol, p.port) for p in rule.ports] == [("TCP", 6379)]
    assert np.egress[0].peers[0].ip_block.cidr == "10.0.0.0/24"


def test_endpointslice_conditions():
    (eps,) = _one(fixture_path("core", "endpointslice.k9s.json"), EndpointSliceInfo)
    assert eps.address_type == "IPv4" and eps.service_name == ""  # k9s trimmed the labels
    assert [e.addresses for e in eps.endpoints] == [("172.20.0.2",), ("172.20.0.3",)]
    first = eps.endpoints[0]
    assert (first.ready, first.serving, first.terminating) == (True, True, False)
    assert first.node_name == "n-1" and first.target.kind == "Pod" and first.target.name == "zorg"
    assert [(p.name, p.port, p.protocol) for p in eps.ports] == [("peer-service", 4244, "TCP")]


def test_services():
    (svc,) = _one(fixture_path("core", "service.kubectl-edit-recorded-response.json"), ServiceInfo)
    assert (svc.type, svc.cluster_ip, svc.selector) == ("ClusterIP", "10.0.0.204", {"app": "svc1"})
    assert svc.ports[0].target_port == 80 and not svc.headless
    (k9s,) = _one(fixture_path("core", "service.k9s.json"), ServiceInfo)
    assert k9s.ports[0].target_port == "http"


def test_peer_authentication_port_levels():
    path = fixture_path(
        "istio-security",
        "istio-ambient-testdata.peer-authn-permissive-root-unset-namespace-mixed-workload-ports-in.yaml",
    )
    root, ns, workload = _one(path, PeerAuthenticationInfo)
    assert (root.mode, root.scope()) == ("PERMISSIVE", "mesh")
    assert (ns.mode, ns.scope()) == ("UNSET", "namespace")
    assert workload.scope() == "workload" and workload.selector == {"app": "a"}
    assert workload.port_modes == ((8080, "PERMISSIVE"), (9090, "STRICT"))


def test_destination_rule_tls_and_subsets():
    path = fixture_path("istio-security", "istio-it.pa-strict-dr-istio-mutual.yaml")
    (dr,) = _one(path, DestinationRuleInfo)
    assert (dr.host, dr.tls_mode) == ("multiversion", "ISTIO_MUTUAL")
    assert [(s.name, s.labels, s.tls_mode) for s in dr.subsets] == [
        ("vistio", {"version": "vistio"}, "ISTIO_MUTUAL"),
        ("vlegacy", {"version": "vlegacy"}, "ISTIO_MUTUAL"),
    ]


def test_authorization_policies_and_mtls_requirement():
    path = fixture_path("istio-security", "kiali.authz-policy-requires-mtls.yaml")
    policies = {p.meta.name: p for p in _one(path, IstioAuthorizationPolicyInfo)}
    assert policies["policy-0"].requires_mtls  # principals
    assert not policies["policy-2"].requires_mtls  # requestPrincipals + destination.port
    assert policies["policy-3"].requires_mtls  # when source.principal
    deny = _one(
        fixture_path("istio-security", "istio-ambient-testdata.authz-deny-groups-in.yaml"),
        IstioAuthorizationPolicyInfo,
    )[0]
    assert deny.action == "DENY" and len(deny.rules) == 7
    assert deny.rules[0].operations == ({"ports": ("80",)},)


def test_linkerd_policies():
    emoji = fixture_path("linkerd-policy", "linkerd-it.emoji-policy.yaml")
    servers = _one(emoji, LinkerdServerInfo)
    assert [(s.meta.name, s.port, s.proxy_protocol) for s in servers] == [
        ("emoji-grpc", "grpc", "gRPC"),
        ("voting-grpc", "grpc", "gRPC"),
        ("web-http", "http", "HTTP/1"),
    ]
    auths = {a.meta.name: a for a in _one(emoji, ServerAuthorizationInfo)}
    assert auths["web-public"].unauthenticated and auths["web-public"].networks == (
        "0.0.0.0/0",
        "::/0",
    )
    assert auths["voting-grpc"].service_accounts == ("web",)
    viz = fixture_path("linkerd-policy", "linkerd-viz-golden.metrics-api-policy.excerpt.yaml")
    (policy,) = _one(viz, LinkerdAuthorizationPolicyInfo)
    assert policy.target is not None and policy.target.name == "metrics-api"
    assert policy.requires_mtls
    ipf = fixture_path("linkerd-policy", "linkerd-it.ipfamilies-policy.yaml")
    assert not _one(ipf, LinkerdAuthorizationPolicyInfo)[0].requires_mtls  # NetworkAuthentication
