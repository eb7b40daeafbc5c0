"""The simulator's planted faults, end to end: cycles stored on the database, windows read
back with window_traffic and window_dns, every traffic, DNS and mTLS check run on them.

Each planted fault (collectors/simulator/__init__.py) must give its finding, and the
episodic ones only while they last.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors import pipeline
from collectors.sources import SimulatorSource
from webapp.dns.queries import window_dns
from webapp.insights.checks import all_checks
from webapp.insights.checks.base import Draft, InsightContext
from webapp.inventory.queries import current_inventory
from webapp.traffic.queries import window_traffic

pytestmark = pytest.mark.django_db

WINDOW = timedelta(seconds=60)
QUIET = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # no episode in the two minutes before
CHECKOUT_AND_BLIP = datetime(2026, 11, 2, 14, 8, 15, tzinfo=UTC)  # 4xx on; blip 14:07:30-08:15
RATINGS_OUTAGE = datetime(2026, 11, 2, 14, 19, tzinfo=UTC)  # outage 14:18-14:20
MINE = ("traffic_", "dns_", "mtls_")


def _findings(at: datetime) -> dict[tuple[str, str], Draft]:
    """Run the window's cycles through the pipeline, build the context, run our checks."""
    source = SimulatorSource(seed=7)
    for i in range(4):
        pipeline.run_cycle(at - timedelta(seconds=15 * i), source, publish=False, interval_s=15.0)
    traffic = window_traffic(at - WINDOW, at)
    dns = window_dns(at - WINDOW, at)
    context = InsightContext(at=at, window_s=WINDOW.total_seconds(),
                             inventory=current_inventory(), edges=traffic.edges,
                             dns=dns if dns.zones or dns.upstreams else None)  # fmt: skip
    found: dict[tuple[str, str], Draft] = {}
    for check in all_checks():
        if check.id.startswith(MINE):
            for draft in check.run(context):
                found[(draft.check, draft.subject.id + "|" + draft.key)] = draft
    return found


def _ids(found: dict[tuple[str, str], Draft], check: str) -> set[str]:
    return {subject for c, subject in found if c == check}


STORE_TO_ORDERS = "edge:workload:shop/storefront>workload:shop/orders|http"
RATINGS = ("edge:workload:bookinfo/reviews-v2>workload:bookinfo/ratings-v1|http",
           "edge:workload:bookinfo/reviews-v3>workload:bookinfo/ratings-v1|http")  # fmt: skip
BLIPPING = "service:kube-system/kube-dns|10.0.0.3:53"


def test_the_always_on_faults_and_the_checkout_and_dns_blips():
    found = _findings(CHECKOUT_AND_BLIP)
    errors = _ids(found, "traffic_error_ratio")
    # web → voting: 15 % gRPC errors (votes for :doughnut:), past Kiali's 10 %.
    voting = found[("traffic_error_ratio",
                    "edge:workload:emojivoto/web>workload:emojivoto/voting|grpc")]  # fmt: skip
    assert voting.severity == "critical" and voting.evidence["ratios"]["grpc"] > 0.1
    # Checkout: 15 % 4xx from storefront to orders, degraded by Kiali's rule.
    assert found[("traffic_error_ratio", STORE_TO_ORDERS)].severity == "warning"
    assert not set(RATINGS) & errors  # the ratings outage is not on at 14:08
    # The orphan Service: every request a 503 with UH.
    orphan = found[("traffic_response_flags",
                    "edge:workload:shop/storefront>service:shop/recommendations|http")]  # fmt: skip
    assert orphan.severity == "critical" and orphan.evidence["flags"]["UH"]["share"] == 1.0
    assert "kubernetes.io/service-name=recommendations" in orphan.remedy.snippet
    # Egress to api.shipping.example.com through PassthroughCluster.
    assert _ids(found, "traffic_passthrough") == {
        "edge:workload:shop/fulfillment-worker>service:unknown/PassthroughCluster|tcp"
    }
    # DNS: the second upstream blips (SERVFAIL, failed health checks); shop's search path.
    assert BLIPPING in _ids(found, "dns_upstream_failing")
    assert "service:kube-system/kube-dns|10.0.0.2:53" not in _ids(found, "dns_upstream_failing")
    assert "namespace:shop|" in _ids(found, "dns_search_amplification")
    # mTLS: legacy-reports runs without the sidecar in meshed shop; shop is PERMISSIVE.
    missing = [d for (c, _), d in found.items() if c == "mtls_missing_sidecar"]
    assert any("workload:shop/legacy-reports" in d.evidence["subject_ids"] for d in missing)
    tighten = _ids(found, "mtls_safe_to_tighten")
    assert "workload:shop/storefront|safe_to_tighten:workload:shop/storefront" in tighten
    # orders is not safe to tighten: legacy-reports reaches it in plaintext.
    assert not any(s.startswith("workload:shop/orders|") for s in tighten)
    assert found[("dns_search_amplification", "namespace:shop|")].severity == "warning"


def test_the_ratings_outage_while_it_lasts():
    during = _findings(RATINGS_OUTAGE)
    for edge in RATINGS:
        draft = during[("traffic_error_ratio", edge)]
        assert draft.severity == "critical" and draft.evidence["ratios"]["5xx"] >= 0.1
        # Its connection resets (response code 0) carry Envoy's DC flag.
        assert draft.evidence["response_flags"].get("DC", 0) > 0


def test_episodes_are_quiet_outside_their_windows():
    quiet = _findings(QUIET)
    assert not set(RATINGS) & _ids(quiet, "traffic_error_ratio")
    assert STORE_TO_ORDERS not in _ids(quiet, "traffic_error_ratio")
    assert BLIPPING not in _ids(quiet, "dns_upstream_failing")
    # The always-on faults are still there.
    assert "edge:workload:shop/storefront>service:shop/recommendations|http" in _ids(
        quiet, "traffic_response_flags"
    )
