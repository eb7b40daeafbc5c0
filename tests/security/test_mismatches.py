"""Each mismatch kind firing, and not firing, on cycles stored by the pipeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import yaml

from collectors.pipeline import run_cycle
from collectors.records import MeshPolicyRecord
from tests.security.conftest import http, peer_authentication
from webapp.security.options import MtlsOptions
from webapp.security.snapshot import mtls_snapshot

pytestmark = pytest.mark.django_db


def mismatches(source, t0, cycles=2):
    for i in range(cycles):
        assert run_cycle(t0 + timedelta(seconds=15 * i), source, interval_s=15.0).status == "ok"
    at = t0 + timedelta(seconds=15 * (cycles - 1))
    found = mtls_snapshot(MtlsOptions(window_s=60.0, window_text="1m", at=at))["mismatches"]
    return {m["id"]: m for m in found}


def test_permissive_with_a_plaintext_client_is_not_safe_to_tighten(shop, t0):
    found = mismatches(shop, t0)
    assert not [m for m in found.values() if m["kind"] == "safe_to_tighten"]
    # legacy runs without the proxy in an Istio namespace.
    missing = found["missing_sidecar:shop"]
    assert missing["subject_ids"] == ["workload:shop/legacy"]
    assert missing["evidence"] == {"pods_without_proxy": 1, "mesh": "istio"}
    assert "istio-injection: enabled" in missing["remedy_yaml"]


def test_permissive_with_only_mtls_clients_is_safe_to_tighten(shop, t0):
    found = mismatches(replace(shop, edges=(http("web", "api", 150.0, 150.0),)), t0)
    tighten = found["safe_to_tighten:workload:shop/api"]
    assert tighten["subject_ids"] == ["workload:shop/api"]
    assert tighten["evidence"]["requests"] == 300.0
    assert tighten["evidence"]["observed_ratio"] == 1.0
    assert "all 300 observed requests" in tighten["remedy"], tighten["remedy"]
    policy = yaml.safe_load(tighten["remedy_yaml"])
    assert policy["kind"] == "PeerAuthentication"
    assert policy["metadata"]["namespace"] == "shop"
    assert policy["spec"] == {
        "selector": {"matchLabels": {"app": "api"}},
        "mtls": {"mode": "STRICT"},
    }
    assert "safe" in tighten["remedy"]


def test_plaintext_into_strict(shop, t0):
    found = mismatches(replace(shop, policies=(peer_authentication("STRICT"),)), t0)
    m = found["plaintext_to_strict:workload:shop/api"]
    assert m["subject_ids"] == ["workload:shop/api", "workload:shop/legacy"]
    assert m["evidence"]["plaintext_requests"] == 100.0
    assert m["severity"] == "critical"
    assert not [k for k in found if k.startswith("safe_to_tighten")]


def test_strict_with_a_disabling_destination_rule(shop, t0):
    rule = MeshPolicyRecord(
        "shop",
        "api-plain",
        "DestinationRule",
        "istio",
        {"host": "api", "tls_mode": "DISABLE", "port_tls_modes": []},
    )
    found = mismatches(replace(shop, policies=(peer_authentication("STRICT"), rule)), t0)
    m = found["strict_dr_disable:shop/default|shop/api-plain"]
    assert m["subject_ids"] == ["workload:shop/api"]
    assert m["evidence"]["ports"] == "all"
    assert (
        yaml.safe_load(m["remedy_yaml"])["spec"]["trafficPolicy"]["tls"]["mode"] == "ISTIO_MUTUAL"
    )


def test_no_conflict_with_istio_mutual(shop, t0):
    rule = MeshPolicyRecord(
        "shop",
        "api-mtls",
        "DestinationRule",
        "istio",
        {"host": "api", "tls_mode": "ISTIO_MUTUAL", "port_tls_modes": []},
    )
    found = mismatches(replace(shop, policies=(peer_authentication("STRICT"), rule)), t0)
    assert not [k for k in found if k.startswith("strict_dr_disable")]


def test_meshed_client_calling_an_unmeshed_server(shop, t0):
    found = mismatches(replace(shop, edges=(http("web", "legacy", 30.0, 0.0),)), t0)
    m = found["meshed_client_unmeshed_server:workload:shop/web->workload:shop/legacy"]
    assert m["subject_ids"] == ["workload:shop/web", "workload:shop/legacy"]
    assert m["evidence"] == {"requests": 60.0, "client_mesh": "istio"}


def test_plaintext_from_an_unknown_client_names_the_unknown_node(shop, t0):
    source = replace(
        shop, policies=(peer_authentication("STRICT"),), edges=(http("unknown", "api", 20.0, 0.0),)
    )
    m = mismatches(source, t0)["plaintext_to_strict:workload:shop/api"]
    assert m["subject_ids"] == ["workload:shop/api", "unknown"]
    assert m["evidence"]["plaintext_sources"] == ["unknown"] and m["remedy_yaml"] == ""


def test_the_mesh_control_plane_is_not_a_missing_sidecar():
    """istiod runs without a proxy by design; an app pod beside it without one is still found."""
    from collectors.records import Inventory, NamespaceRecord, PodRecord, WorkloadRecord
    from webapp.security.coverage import coverage
    from webapp.security.inputs import policy_inputs
    from webapp.security.mismatches import Context, missing_sidecar
    from webapp.security.snapshot import intents_of

    ns = NamespaceRecord("istio-system", {"istio.io/rev": "default"}, mesh="istio")
    inventory = Inventory(
        namespaces=(ns,),
        workloads=(
            WorkloadRecord("istio-system", "istiod", labels={"app": "istiod", "istio": "pilot"}),
            WorkloadRecord("istio-system", "tools", labels={"app": "tools"}),
        ),
        pods=(
            PodRecord("istio-system", "istiod-1", workload="istiod", labels={"app": "istiod"}),
            PodRecord("istio-system", "tools-1", workload="tools", labels={"app": "tools"}),
        ),
    )
    inputs = policy_inputs(inventory)
    found = list(missing_sidecar(Context(intents_of(inputs), coverage(()), (), inputs)))
    assert [m.subject_ids for m in found] == [("workload:istio-system/tools",)]
    assert "rollout restart deployment/tools" in found[0].remedy
