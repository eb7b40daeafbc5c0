"""mtls_strict_dr_disable: a DestinationRule sending plaintext to STRICT workloads."""

from __future__ import annotations

from tests.insights.helpers import drafts_of
from tests.insights.mtls_helpers import mismatch, with_mismatches
from webapp.insights.checks.mtls_strict_dr_disable import CHECK


def test_the_conflict_names_both_policies():
    m = mismatch("strict_dr_disable", "shop", severity="critical", yaml="kind: DestinationRule\n",
                 peer_authentication="shop/strict", destination_rule="shop/orders-plain",
                 host="orders")  # fmt: skip
    [draft] = drafts_of(CHECK, with_mismatches(m))
    assert draft.subject.id == "namespace:shop"  # no workload matched: the namespace
    assert "shop/orders-plain" in draft.title and "shop/strict" in draft.title
    assert draft.severity == "critical" and draft.remedy.snippet == "kind: DestinationRule\n"


def test_other_kinds_are_ignored():
    m = mismatch("missing_sidecar", "shop", "workload:shop/legacy-reports")
    assert drafts_of(CHECK, with_mismatches(m)) == []
