"""A cycle stores a source's records in one transaction, once, and survives a bad source."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from collectors import pipeline
from collectors.records import CycleRecords, EdgeSample, Inventory, NamespaceRecord, Peer
from webapp.inventory.models import Namespace, Workload
from webapp.traffic.models import Cycle
from webapp.traffic.models import EdgeSample as EdgeSampleRow
from webapp.traffic.services import prune, store_samples

pytestmark = pytest.mark.django_db


class FixedSource:
    """A source that says the same thing every cycle (or fails, when told to)."""

    name = "fixed"

    def __init__(self, records: CycleRecords) -> None:
        self.records = records

    def fetch(self, at, interval_s):
        return replace(self.records, at=at)


def _records(t0) -> CycleRecords:
    edge = EdgeSample(
        Peer("shop", "web"),
        Peer("shop", "api", service="api"),
        "http",
        "istio",
        15.0,
        requests=150.0,
        errors_5xx=3.0,
        mtls_requests=150.0,
    )
    return CycleRecords(t0, "fixed", Inventory(namespaces=(NamespaceRecord("shop"),)), (edge,))


def test_a_cycle_stores_inventory_and_samples(t0, simulator_source):
    result = pipeline.run_cycle(t0, simulator_source, publish=False, interval_s=15.0)
    assert result.status == "ok" and result.edges > 10
    cycle = Cycle.objects.get(at=t0)
    assert cycle.status == "ok" and cycle.edges == result.edges and cycle.duration_ms > 0
    assert EdgeSampleRow.objects.filter(cycle=cycle).count() == result.edges
    assert Namespace.objects.filter(name="bookinfo").exists()
    assert Workload.objects.filter(namespace__name="bookinfo", name="productpage-v1").exists()


def test_the_same_cycle_runs_once(t0, simulator_source):
    assert pipeline.run_cycle(t0, simulator_source, publish=False).status == "ok"
    assert pipeline.run_cycle(t0, simulator_source, publish=False).status == "skipped"
    assert Cycle.objects.count() == 1


def test_a_failing_cycle_leaves_no_rows_and_the_next_one_runs(t0, monkeypatch):
    records = _records(t0)

    def store_then_fail(cycle, samples):
        store_samples(cycle, samples)
        raise RuntimeError("disk full")  # fails after the inventory and samples were written

    monkeypatch.setattr(pipeline, "store_samples", store_then_fail)
    failed = pipeline.run_cycle(t0, FixedSource(records), publish=False)
    monkeypatch.undo()
    assert failed.status == "failed" and failed.error
    cycle = Cycle.objects.get(at=t0)
    assert cycle.status == "failed" and cycle.error
    assert not EdgeSampleRow.objects.exists()
    assert not Namespace.objects.exists()  # the inventory write was rolled back too
    later = t0 + timedelta(seconds=15)
    assert pipeline.run_cycle(later, FixedSource(records), publish=False).status == "ok"
    assert EdgeSampleRow.objects.count() == 1


def test_a_source_that_raises_is_a_failed_cycle(t0):
    class Broken:
        name = "broken"

        def fetch(self, at, interval_s):
            raise ConnectionError("prometheus went away")

    result = pipeline.run_cycle(t0, Broken(), publish=False)
    assert result.status == "failed"
    assert "prometheus went away" in Cycle.objects.get(at=t0).error


def test_backfill_fills_the_missing_cycles_only(t0, simulator_source):
    pipeline.run_cycle(t0 - timedelta(minutes=1), simulator_source, publish=False, interval_s=15)
    results = pipeline.backfill(300, 15, now=t0, source=simulator_source)
    assert len(results) == 19  # 20 grid points in 5 minutes, one already stored
    assert Cycle.objects.filter(status="ok").count() == 20
    assert Cycle.objects.order_by("-at").first().at == t0 - timedelta(seconds=15)


def test_aligned_rounds_down_to_the_grid(t0):
    assert pipeline.aligned(t0 + timedelta(seconds=14.9), 15) == t0
    assert pipeline.aligned(t0 + timedelta(seconds=15), 15) == t0 + timedelta(seconds=15)


def test_prune_keeps_what_retention_keeps(t0):
    source = FixedSource(_records(t0))
    for minutes in (0, 30, 90):
        pipeline.run_cycle(t0 - timedelta(minutes=minutes), source, publish=False)
    assert prune(t0, retention_s=3600) == 1
    assert Cycle.objects.count() == 2 and EdgeSampleRow.objects.count() == 2
    assert prune(t0, retention_s=3600) == 0  # running it twice is harmless


def test_hostile_label_values_are_stored_safely(t0):
    huge = "x" * 1_000_000
    edge = EdgeSample(
        Peer("shop", huge, app="<script>alert(1)</script>"),
        Peer("shop", huge + "y", service=huge),
        "h" * 50,
        "m" * 50,
        15.0,
        requests=1.0,
    )
    records = CycleRecords(t0, "fixed", Inventory(namespaces=(NamespaceRecord("shop"),)), (edge,))
    assert pipeline.run_cycle(t0, FixedSource(records), publish=False).status == "ok"
    row = EdgeSampleRow.objects.get()
    assert len(row.source_workload) == 253 and row.source_workload != row.destination_workload
    assert row.source_app == "<script>alert(1)</script>"  # stored as is; escaping is the UI's
    assert len(row.protocol) <= 8 and len(row.mesh) <= 16
