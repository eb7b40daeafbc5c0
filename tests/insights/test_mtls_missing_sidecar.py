"""mtls_missing_sidecar: pods without the proxy in a meshed namespace."""

from __future__ import annotations

from collectors.records import Inventory, NamespaceRecord, PodRecord, WorkloadRecord
from tests.conftest import T0
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.mtls_missing_sidecar import CHECK


def _shop(*sidecars: str) -> Inventory:
    names = ("orders", "legacy-reports")
    return Inventory(
        namespaces=(NamespaceRecord("shop", {"istio-injection": "enabled"}, mesh="istio"),),
        workloads=tuple(WorkloadRecord("shop", n, app=n) for n in names),
        pods=tuple(PodRecord("shop", f"{n}-1", workload=n, workload_kind="Deployment",
                             labels={"app": n}, sidecar=s)
                   for n, s in zip(names, sidecars, strict=True)),
    )  # fmt: skip


def test_a_pod_without_proxy_in_a_meshed_namespace():
    [draft] = drafts_of(CHECK, context(T0, _shop("istio", "")))
    assert draft.subject.id == "workload:shop/legacy-reports"
    assert draft.evidence["pods_without_proxy"] == 1 and draft.evidence["mesh"] == "istio"
    assert "kubectl -n shop rollout restart deployment/legacy-reports" in draft.message
    assert draft.remedy is not None and "shop" in draft.remedy.snippet


def test_several_workloads_make_a_namespace_finding_and_all_meshed_none():
    [draft] = drafts_of(CHECK, context(T0, _shop("", "")))
    assert draft.subject.id == "namespace:shop" and draft.evidence["pods_without_proxy"] == 2
    assert drafts_of(CHECK, context(T0, _shop("istio", "istio"))) == []
