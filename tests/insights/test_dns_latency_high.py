"""dns_latency_high: p99 of CoreDNS's request duration past the thresholds."""

from __future__ import annotations

from tests.conftest import T0
from tests.insights.dns_helpers import inventory, window, zone
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.dns_latency_high import CHECK


def test_a_slow_tail_is_reported():
    # 1000 lookups: 95 % under 1 ms, 5 % between 100 ms and 1 s.
    slow = zone({"NOERROR": 1000.0}, latency=(950.0, 0.0, 0.0, 50.0, 0.0))
    [draft] = drafts_of(CHECK, context(T0, inventory(), dns=window((slow,))))
    assert draft.severity == "warning" and 100.0 <= draft.evidence["p99_ms"] < 1000.0
    assert draft.evidence["p50_ms"] < 1.0


def test_a_second_long_tail_is_critical():
    stuck = zone({"NOERROR": 1000.0}, latency=(900.0, 0.0, 0.0, 0.0, 100.0))
    [draft] = drafts_of(CHECK, context(T0, inventory(), dns=window((stuck,))))
    assert draft.severity == "critical"


def test_fast_unmeasured_and_quiet_zones_are_not_reported():
    fast = zone({"NOERROR": 1000.0}, latency=(990.0, 10.0, 0.0, 0.0, 0.0))
    unmeasured = zone({"NOERROR": 1000.0})
    quiet = zone({"NOERROR": 10.0}, latency=(0.0, 0.0, 0.0, 10.0, 0.0))
    dns = window((fast, unmeasured, quiet))
    assert drafts_of(CHECK, context(T0, inventory(), dns=dns)) == []
