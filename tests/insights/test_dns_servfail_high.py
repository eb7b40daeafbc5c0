"""dns_servfail_high: SERVFAIL share of a zone's answers past the thresholds."""

from __future__ import annotations

from tests.conftest import T0
from tests.insights.dns_helpers import inventory, window, zone
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.dns_servfail_high import CHECK


def test_it_grades_the_servfail_share():
    some = zone({"NOERROR": 970.0, "SERVFAIL": 30.0})
    [draft] = drafts_of(CHECK, context(T0, inventory(), dns=window((some,))))
    assert draft.severity == "warning" and draft.evidence["servfail_share"] == 0.03
    assert draft.evidence["servfail_per_s"] == 0.1 and draft.key == "dns://:53|."
    many = zone({"NOERROR": 900.0, "SERVFAIL": 100.0})
    [draft] = drafts_of(CHECK, context(T0, inventory(), dns=window((many,))))
    assert draft.severity == "critical"


def test_few_servfails_little_traffic_or_no_dns_are_quiet():
    rare = zone({"NOERROR": 10_000.0, "NXDOMAIN": 2000.0, "SERVFAIL": 5.0})
    tiny = zone({"SERVFAIL": 20.0})  # twenty answers: too few to call it a share
    assert drafts_of(CHECK, context(T0, inventory(), dns=window((rare, tiny)))) == []
    assert drafts_of(CHECK, context(T0, inventory(), dns=None)) == []
