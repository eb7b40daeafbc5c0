"""Resolver cases beyond the fixtures' names: DestinationRules, conflicts, Linkerd, no proxy."""

from __future__ import annotations

from tests.security.helpers import load
from webapp.security.policy import (
    DestRule,
    LinkerdServer,
    PeerAuth,
    WorkloadIn,
    client_mode,
    conflicts,
    resolve,
    resolve_istio,
    resolve_linkerd,
)

MULTI = WorkloadIn(
    "foo", "multiversion", {"app": "multiversion"}, "istio", (8080,), ("multiversion",)
)


def test_pa_strict_dr_disable_is_a_conflict():
    pas, drs = load("istio-it.pa-strict-dr-disable.yaml")
    found = conflicts(pas, drs)
    assert [(c.peer_authentication.name, c.destination_rule.name, c.ports) for c in found] == [
        ("default", "multiversion", ())
    ]
    server = resolve_istio(MULTI, pas)
    assert server.mode == "STRICT"
    assert client_mode("foo", server, 8080, drs)[0] == "DISABLE"


def test_pa_strict_dr_istio_mutual_is_not():
    pas, drs = load("istio-it.pa-strict-dr-istio-mutual.yaml")
    assert conflicts(pas, drs) == []
    assert client_mode("foo", resolve_istio(MULTI, pas), 8080, drs)[0] == "ISTIO_MUTUAL"


def test_a_disabling_subset_conflicts_even_under_an_istio_mutual_rule():
    pas, _ = load("istio-it.pa-strict-dr-disable.yaml")
    rule = DestRule(
        "foo",
        "mv",
        "multiversion",
        "ISTIO_MUTUAL",
        subset_modes={"vistio": "ISTIO_MUTUAL", "vlegacy": "DISABLE"},
    )
    assert [c.ports for c in conflicts(pas, [rule])] == [()]
    _, drs = load("istio-it.pa-strict-dr-istio-mutual.yaml")
    assert drs[0].subset_modes == {"vistio": "ISTIO_MUTUAL", "vlegacy": "ISTIO_MUTUAL"}


def test_port_level_strict_under_disable_conflicts_on_that_port_only():
    # Workload b: DISABLE, but 8090 STRICT; a mesh-wide *.local DR disables TLS: 8090 breaks.
    pas, drs = load("istio-it.pa-disable-portlevel-strict-dr-disable.yaml")
    b = WorkloadIn("foo", "b", {"app": "b"}, "istio", (8080, 8090))
    intent = resolve_istio(b, pas)
    assert (intent.mode, intent.ports) == ("DISABLE", {8080: "DISABLE", 8090: "STRICT"})
    assert [c.ports for c in conflicts(pas, drs)] == [(8090,)]


def test_kiali_peer_auth_drs_pairs():
    # Kiali's checker fixture: STRICT policies meet DISABLE rules in bookinfo and mesh-wide.
    pas, drs = load("kiali.peer-auth-drs.yaml")
    pairs = {
        (
            f"{c.peer_authentication.namespace}/{c.peer_authentication.name}",
            f"{c.destination_rule.namespace}/{c.destination_rule.name}",
        )
        for c in conflicts(pas, drs)
    }
    assert pairs == {
        ("bookinfo/strict-namespace-mtls", "bookinfo/disable-namespace"),
        ("bookinfo/strict-namespace-mtls", "istio-system/disable-mtls"),
        ("istio-system/strict-mesh-mtls", "istio-system/disable-mtls"),
        ("istio-system/strict-mesh-mtls", "bookinfo/disable-namespace"),
    }


def test_dr_port_level_settings_beat_the_rule_mode():
    dr = DestRule("foo", "r", "multiversion", "ISTIO_MUTUAL", {9000: "DISABLE"})
    server = resolve_istio(MULTI, [])
    assert client_mode("foo", server, 9000, [dr])[0] == "DISABLE"
    assert client_mode("foo", server, 8080, [dr])[0] == "ISTIO_MUTUAL"


def test_client_namespace_rule_beats_the_root_one():
    root = DestRule("istio-system", "mesh", "*.local", "DISABLE")
    local = DestRule("bar", "mine", "multiversion.foo.svc.cluster.local", "SIMPLE")
    mode, rule = client_mode("bar", resolve_istio(MULTI, []), 8080, [root, local])
    assert (mode, rule) == ("SIMPLE", local)
    assert client_mode("foo", resolve_istio(MULTI, []), 8080, [root])[0] == "DISABLE"


def test_auto_mtls_without_a_rule():
    assert client_mode("foo", resolve_istio(MULTI, []), 8080, [])[0] == "AUTO_MTLS"
    bare = WorkloadIn("foo", "legacy", {"app": "legacy"}, "", (80,))
    assert client_mode("foo", resolve_istio(bare, []), 80, [])[0] == "DISABLE"


def test_no_policy_anywhere_is_permissive_and_no_proxy_is_none():
    assert resolve_istio(MULTI, []).mode == "PERMISSIVE"
    bare = WorkloadIn("foo", "legacy", {"app": "legacy"}, "", (80,))
    intent = resolve_istio(bare, [PeerAuth("foo", "default", "STRICT")])
    assert (intent.mode, intent.policy_mode, intent.ports) == ("NONE", "STRICT", {80: "NONE"})


def test_unset_port_inherits_the_workload_mode():
    pa = PeerAuth("foo", "w", "UNSET", {"app": "multiversion"}, {8080: "UNSET"})
    ns = PeerAuth("foo", "default", "STRICT")
    assert resolve_istio(MULTI, [pa, ns]).ports == {8080: "STRICT"}


def test_linkerd_meshed_is_permissive_until_a_server_requires_identities():
    w = WorkloadIn("emojivoto", "web", {"app": "web"}, "linkerd", (8080, 9090))
    guarded = LinkerdServer("emojivoto", "web-http", {"app": "web"}, 8080, requires_mtls=True)
    open_ = LinkerdServer("emojivoto", "web-admin", {"app": "web"}, 9090)
    intent = resolve_linkerd(w, [guarded, open_])
    assert (intent.mode, intent.ports) == ("PERMISSIVE", {8080: "STRICT", 9090: "PERMISSIVE"})
    assert resolve_linkerd(w, [], default_policy="all-authenticated").mode == "STRICT"
    unmeshed = WorkloadIn("emojivoto", "old", {"app": "web"}, "", (8080,))
    assert resolve(unmeshed, [], [guarded], "linkerd").mode == "NONE"


def test_linkerd_adapter_reads_authorization_policies():
    from collectors.kube.cluster_records import mesh_policy_record
    from collectors.kube.parse import parse_object
    from webapp.security.inputs import linkerd_servers

    meta = {"namespace": "emojivoto"}
    raws = [
        {"apiVersion": "policy.linkerd.io/v1beta3", "kind": "Server",
         "metadata": {**meta, "name": "web-http"},
         "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "port": 8080}},
        {"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "AuthorizationPolicy",
         "metadata": {**meta, "name": "web-authz"},
         "spec": {"targetRef": {"group": "policy.linkerd.io", "kind": "Server",
                                "name": "web-http"},
                  "requiredAuthenticationRefs": [
                      {"group": "policy.linkerd.io", "kind": "MeshTLSAuthentication",
                       "name": "vote-bot"}]}},
    ]  # fmt: skip
    records = tuple(mesh_policy_record(parse_object(r)) for r in raws)
    (server,) = linkerd_servers(tuple(r for r in records if r is not None))
    assert (server.name, server.port, server.requires_mtls) == ("web-http", 8080, True)
