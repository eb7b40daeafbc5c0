"""mtls_plaintext_to_strict: one finding per plaintext_to_strict mismatch, carried over."""

from __future__ import annotations

from tests.insights.helpers import drafts_of
from tests.insights.mtls_helpers import mismatch, with_mismatches
from webapp.insights.checks.mtls_plaintext_to_strict import CHECK


def test_it_turns_the_mismatch_into_a_finding_on_the_strict_workload():
    m = mismatch("plaintext_to_strict", "shop", "workload:shop/orders", "unknown",
                 severity="critical", plaintext_requests=12.0)  # fmt: skip
    [draft] = drafts_of(CHECK, with_mismatches(m))
    assert (draft.subject.id, draft.subject.namespace) == ("workload:shop/orders", "shop")
    assert draft.severity == "critical" and draft.key == m.id
    assert draft.evidence["plaintext_requests"] == 12.0
    assert draft.evidence["subject_ids"] == ["workload:shop/orders", "unknown"]
    assert draft.remedy.snippet == m.remedy_yaml and draft.message == m.remedy


def test_other_kinds_are_not_its_business():
    assert drafts_of(CHECK, with_mismatches(mismatch("safe_to_tighten", "shop", "namespace"))) == []
