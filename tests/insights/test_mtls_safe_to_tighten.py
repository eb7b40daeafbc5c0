"""mtls_safe_to_tighten: PERMISSIVE namespaces and workloads whose clients all use mTLS."""

from __future__ import annotations

from tests.insights.helpers import drafts_of
from tests.insights.mtls_helpers import mismatch, with_mismatches
from webapp.insights.checks.mtls_safe_to_tighten import CHECK


def test_a_whole_namespace_and_a_single_workload():
    ns = mismatch("safe_to_tighten", "bookinfo", "workload:bookinfo/details-v1",
                  "workload:bookinfo/ratings-v1", severity="info")  # fmt: skip
    one = mismatch("safe_to_tighten", "shop", "workload:shop/storefront", severity="info")
    drafts = {d.subject.id: d for d in drafts_of(CHECK, with_mismatches(ns, one))}
    assert set(drafts) == {"namespace:bookinfo", "workload:shop/storefront"}
    assert drafts["namespace:bookinfo"].title.startswith("Namespace bookinfo is PERMISSIVE")
    assert drafts["workload:shop/storefront"].severity == "info"


def test_no_mismatch_no_finding():
    assert drafts_of(CHECK, with_mismatches()) == []
