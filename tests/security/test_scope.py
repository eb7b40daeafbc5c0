"""The mTLS view of some namespaces names nothing of the others (opaque external ids)."""

from __future__ import annotations

from django.conf import settings

from webapp.graph.scope import external_id
from webapp.security.scope import scope_edge, scope_mismatch

INGRESS = "workload:istio-system/istio-ingressgateway"
PRODUCTPAGE = "workload:bookinfo/productpage-v1"


def test_an_edge_from_another_namespace_keeps_that_end_opaque():
    edge = {"id": f"{INGRESS}>{PRODUCTPAGE}", "source": INGRESS, "target": PRODUCTPAGE,
            "observed_ratio": 1.0}
    scoped = scope_edge(edge, {"bookinfo"})
    hidden = external_id(INGRESS, settings.SECRET_KEY)
    assert scoped == {**edge, "id": f"{hidden}>{PRODUCTPAGE}", "source": hidden}
    assert "istio-system" not in repr(scoped)
    assert scope_edge(edge, {"bookinfo", "istio-system"}) == edge


def test_a_mismatch_cites_foreign_workloads_opaquely_everywhere():
    foreign = "workload:shop/legacy-reports"
    mismatch = {"id": "plaintext_to_strict:bookinfo/ratings", "kind": "plaintext_to_strict",
                "namespace": "bookinfo", "severity": "warning",
                "subject_ids": ["workload:bookinfo/ratings-v1", foreign],
                "evidence": {"plaintext_sources": [foreign], "note": f"from {foreign}, twice"},
                "remedy": f"Inject a proxy into {foreign}.", "remedy_yaml": ""}
    scoped = scope_mismatch(mismatch, {"bookinfo"})
    assert "shop" not in repr({k: v for k, v in scoped.items() if k != "id"})
    hidden = external_id(foreign, settings.SECRET_KEY)
    assert scoped["subject_ids"] == ["workload:bookinfo/ratings-v1", hidden]
    assert scoped["evidence"]["note"] == f"from {hidden}, twice"
    assert scoped["id"] == mismatch["id"]  # ids stay stable for deltas
