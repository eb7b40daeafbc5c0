"""dns_upstream_failing: forward health-check failures and error answers of an upstream."""

from __future__ import annotations

from tests.conftest import T0
from tests.insights.dns_helpers import inventory, window
from tests.insights.helpers import context, drafts_of
from webapp.dns.queries import UpstreamTotals
from webapp.insights.checks.dns_upstream_failing import CHECK


def _upstream(address: str, rcodes: dict[str, float], checks: float = 0.0) -> UpstreamTotals:
    return UpstreamTotals(address, {"10.244.0.5:9153"}, sum(rcodes.values()), dict(rcodes),
                          None, checks)  # fmt: skip


def test_a_failing_upstream_is_critical_and_a_flaky_one_a_warning():
    down = _upstream("10.0.0.3:53", {"NOERROR": 60.0, "SERVFAIL": 40.0}, checks=90.0)
    flaky = _upstream("10.0.0.4:53", {"NOERROR": 980.0, "SERVFAIL": 20.0})
    checks_only = _upstream("10.0.0.5:53", {"NOERROR": 1000.0}, checks=3.0)
    found = {
        d.key: d
        for d in drafts_of(
            CHECK, context(T0, inventory(), dns=window(upstreams=(down, flaky, checks_only)))
        )
    }
    assert {k: d.severity for k, d in found.items()} == {
        "10.0.0.3:53": "critical", "10.0.0.4:53": "warning", "10.0.0.5:53": "warning"
    }  # fmt: skip
    assert found["10.0.0.3:53"].evidence["error_share"] == 0.4
    assert found["10.0.0.3:53"].evidence["healthcheck_failures"] == 90.0
    assert "dig @10.0.0.3 kubernetes.io" in found["10.0.0.3:53"].remedy.snippet


def test_healthy_upstreams_are_quiet():
    fine = _upstream("10.0.0.2:53", {"NOERROR": 900.0, "NXDOMAIN": 100.0})
    assert drafts_of(CHECK, context(T0, inventory(), dns=window(upstreams=(fine,)))) == []
    assert drafts_of(CHECK, context(T0, inventory(), dns=None)) == []
