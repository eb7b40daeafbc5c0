"""Every layered PeerAuthentication fixture: its file name says the effective result.

Each ambient fixture is about workload `a` (labels app=a) in namespace `foo`; the test
gives it the ports the file mentions (8080, 9090) plus 80, a port no policy names, so the
inherited mode shows too. Files without a namespace are applied to `foo`.
"""

from __future__ import annotations

import pytest

from tests.security.helpers import load
from webapp.security.policy import WorkloadIn, resolve_istio

A = WorkloadIn("foo", "a", {"app": "a"}, sidecar="istio", ports=(80, 8080, 9090))
B = WorkloadIn("foo", "b", {"app": "b"}, sidecar="istio", ports=(80, 8080, 9090))
P = "istio-ambient-testdata.peer-authn-"


def ports(name: str, workload: WorkloadIn = A) -> tuple[str, dict[int, str]]:
    intent = resolve_istio(workload, load(name)[0])
    return intent.mode, intent.ports


def test_strict():
    # One namespace-wide STRICT policy: every workload, every port STRICT.
    assert ports(P + "strict-in.yaml") == ("STRICT", {80: "STRICT", 8080: "STRICT", 9090: "STRICT"})


def test_permissive():
    assert ports(P + "permissive-in.yaml")[0] == "PERMISSIVE"
    assert set(ports(P + "permissive-in.yaml")[1].values()) == {"PERMISSIVE"}


def test_disable():
    assert ports(P + "disable-in.yaml") == (
        "DISABLE",
        {80: "DISABLE", 8080: "DISABLE", 9090: "DISABLE"},
    )


def test_strict_and_permissive_port_mtls():
    # Workload policy STRICT with port 9090 PERMISSIVE: STRICT everywhere but 9090.
    assert ports(P + "strict-and-permissive-port-mtls-in.yaml") == (
        "STRICT",
        {80: "STRICT", 8080: "STRICT", 9090: "PERMISSIVE"},
    )
    # The policy selects app=a only: b falls back to Istio's default.
    assert ports(P + "strict-and-permissive-port-mtls-in.yaml", B)[0] == "PERMISSIVE"


def test_unset_port_mtls_strict():
    # Workload mode UNSET and nothing above it: PERMISSIVE (Istio's default); 8080 STRICT.
    assert ports(P + "unset-port-mtls-strict-in.yaml") == (
        "PERMISSIVE",
        {80: "PERMISSIVE", 8080: "STRICT", 9090: "PERMISSIVE"},
    )


def test_permissive_root_strict_namespace_permissive_workload():
    # Root PERMISSIVE, namespace STRICT (wins over root), workload UNSET (inherits STRICT)
    # with port 9090 PERMISSIVE: "permissive workload" is the port-level override.
    assert ports(P + "permissive-root-strict-namespace-permissive-workload-in.yaml") == (
        "STRICT",
        {80: "STRICT", 8080: "STRICT", 9090: "PERMISSIVE"},
    )
    # Workloads the selector misses take the namespace's STRICT.
    assert (
        ports(P + "permissive-root-strict-namespace-permissive-workload-in.yaml", B)[0] == "STRICT"
    )


def test_strict_root_permissive_namespace_strict_workload():
    # Root STRICT, namespace PERMISSIVE (wins), workload UNSET (inherits PERMISSIVE) with
    # port 9090 STRICT: "strict workload" is the port-level override.
    assert ports(P + "strict-root-permissive-namespace-strict-workload-in.yaml") == (
        "PERMISSIVE",
        {80: "PERMISSIVE", 8080: "PERMISSIVE", 9090: "STRICT"},
    )


def test_permissive_root_unset_namespace_mixed_workload_ports():
    # Root PERMISSIVE, namespace UNSET (inherits the root), workload ports mixed:
    # 9090 STRICT, 8080 PERMISSIVE, the rest inherit PERMISSIVE.
    assert ports(P + "permissive-root-unset-namespace-mixed-workload-ports-in.yaml") == (
        "PERMISSIVE",
        {80: "PERMISSIVE", 8080: "PERMISSIVE", 9090: "STRICT"},
    )


def test_namespace_permissive_fixture():
    # istio-tests: namespace `default` PERMISSIVE; a workload in `default` is PERMISSIVE.
    pas, _ = load("istio-tests.peerauthentication-namespace-permissive.yaml")
    w = WorkloadIn("default", "x", {"app": "x"}, sidecar="istio", ports=(80,))
    assert resolve_istio(w, pas).mode == "PERMISSIVE"


def test_valid_peerauth_port_level():
    # istio-validation "full": foo=bar workloads PERMISSIVE with port 80 STRICT; the empty
    # selector of "partial-selector" makes it namespace-wide UNSET, which changes nothing.
    pas, _ = load("istio-validation.peerauth-valid.yaml")
    w = WorkloadIn("foo", "x", {"foo": "bar"}, sidecar="istio", ports=(80, 81))
    assert (resolve_istio(w, pas).mode, resolve_istio(w, pas).ports) == (
        "PERMISSIVE",
        {80: "STRICT", 81: "PERMISSIVE"},
    )


@pytest.mark.parametrize("root_mode", ["STRICT", "DISABLE"])
def test_a_fixture_applied_to_the_root_namespace_is_mesh_wide(root_mode):
    name = P + ("strict-in.yaml" if root_mode == "STRICT" else "disable-in.yaml")
    pas, _ = load(name, namespace="istio-system")
    assert resolve_istio(A, pas).mode == root_mode


def test_kiali_meshwide_disable_with_grafana_port_disable():
    # Root DISABLE; grafana (in the root namespace) has an UNSET workload policy with port
    # 3000 DISABLE: DISABLE everywhere; a workload elsewhere inherits the mesh-wide DISABLE.
    pas, _ = load("kiali.pa-disabled-meshwide-checker-1.yaml")
    grafana = WorkloadIn("istio-system", "grafana", {"app": "grafana"}, "istio", (3000, 9090))
    intent = resolve_istio(grafana, pas)
    assert (intent.mode, intent.ports) == ("DISABLE", {3000: "DISABLE", 9090: "DISABLE"})
    assert resolve_istio(A, pas).mode == "DISABLE"
