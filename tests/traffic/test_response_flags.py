"""Response flags stored (COPY on PostgreSQL), summed over windows of raw rows and rollups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from collectors import pipeline
from collectors.records import CycleRecords, EdgeSample, Inventory, Peer
from webapp.traffic import rollups
from webapp.traffic.flags import MAX_FLAGS, OTHER
from webapp.traffic.models import EdgeRollup
from webapp.traffic.models import EdgeSample as EdgeSampleRow
from webapp.traffic.queries import window_traffic

pytestmark = pytest.mark.django_db

M = timedelta(minutes=1)


class Flagged:
    """An orphan Service's 503s (UH) every cycle, a retried edge (UF+URX) on odd minutes,
    and a Linkerd edge with no flags at all."""

    name = "flagged"

    def fetch(self, at, interval_s):
        minute = int(at.timestamp() // 60)
        orphan = EdgeSample(
            Peer("shop", "storefront"), Peer("shop", "unknown", service="recommendations"),
            "http", "istio", interval_s, requests=4.0, errors_5xx=4.0,
            response_flags={"UH": 4.0},
        )  # fmt: skip
        retried = EdgeSample(
            Peer("shop", "orders"), Peer("shop", "payments", service="payments"),
            "http", "istio", interval_s, requests=10.0, errors_5xx=1.0,
            response_flags={"UF": 1.0, "URX": 1.0} if minute % 2 else {},
        )  # fmt: skip
        plain = EdgeSample(
            Peer("emojivoto", "web"), Peer("emojivoto", "voting", service="voting-svc"),
            "grpc", "linkerd", interval_s, requests=3.0,
        )  # fmt: skip
        return CycleRecords(at, self.name, Inventory(), (orphan, retried, plain))


def _history(end, minutes: int) -> None:
    for i in range(minutes * 4):
        pipeline.run_cycle(end - timedelta(seconds=15 * i), Flagged(), publish=False,
                           interval_s=15.0)  # fmt: skip


def _flags(traffic) -> dict[str, dict[str, float]]:
    return {e.destination.workload if not e.destination.is_unknown else e.destination.service:
            e.response_flags for e in traffic.edges}  # fmt: skip


def test_rows_without_flags_store_null_and_flags_come_back(t0):
    _history(t0, 1)
    assert connection.vendor == "postgresql"  # the COPY path is the one under test
    unflagged = EdgeSampleRow.objects.filter(destination_workload="voting")
    assert unflagged.filter(response_flags__isnull=True).count() == 4
    stored = EdgeSampleRow.objects.filter(destination_service="recommendations").first()
    assert stored is not None and stored.response_flags == {"UH": 4.0}


def test_a_window_sums_flags_per_edge(t0):
    _history(t0, 4)
    flags = _flags(window_traffic(t0 - 4 * M, t0))
    assert flags["recommendations"] == {"UH": pytest.approx(64.0)}  # 16 cycles × 4
    assert flags["payments"] == {"UF": pytest.approx(8.0), "URX": pytest.approx(8.0)}
    assert flags["voting"] == {}


def test_rollups_keep_the_flags_and_windows_across_both_add_up(t0):
    _history(t0, 40)
    before = _flags(window_traffic(t0 - 40 * M, t0))
    rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=1200)
    rolled = EdgeRollup.objects.filter(destination_service="recommendations").first()
    assert rolled is not None and rolled.response_flags == {"UH": pytest.approx(80.0)}
    voting = EdgeRollup.objects.filter(destination_workload="voting")
    assert voting.filter(response_flags__isnull=True).exists()
    # The window now reads pruned buckets from rollups and the rest from raw rows.
    assert not EdgeSampleRow.objects.filter(at__lte=t0 - 30 * M).exists()
    after = _flags(window_traffic(t0 - 40 * M, t0))
    assert after["recommendations"] == {"UH": pytest.approx(before["recommendations"]["UH"])}
    assert after["payments"]["UF"] == pytest.approx(before["payments"]["UF"])
    assert after["recommendations"]["UH"] == pytest.approx(40 * 4 * 4.0)


def test_hostile_flags_are_bounded_on_the_way_in(t0):
    hostile = EdgeSample(
        Peer("shop", "evil"), Peer("shop", "api", service="api"), "http", "istio", 15.0,
        requests=100.0, response_flags={f"F{i}" * 40: 1.0 for i in range(50)},
    )  # fmt: skip

    class Hostile:
        name = "hostile"

        def fetch(self, at, interval_s):
            return CycleRecords(at, self.name, Inventory(), (hostile,))

    pipeline.run_cycle(t0, Hostile(), publish=False, interval_s=15.0)
    stored = EdgeSampleRow.objects.get(source_workload="evil").response_flags
    assert len(stored) == MAX_FLAGS and stored[OTHER] == pytest.approx(50 - MAX_FLAGS + 1)
    assert all(len(k) <= 16 for k in stored)
    assert sum(stored.values()) == pytest.approx(50.0)
