"""A cycle stores a source's records in one transaction, once, and survives a bad source."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from collectors import pipeline
from collectors.records import CycleRecords, EdgeSample, Inventory, NamespaceRecord, Peer
from webapp.inventory.models import Namespace, Workload
from webapp.traffic.models import Cycle
from webapp.traffic.models import EdgeSample as EdgeSampleRow
from webapp.traffic.services import store_samples

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


def test_a_cycle_starting_while_the_previous_one_runs_is_skipped_and_counted():
    now = pipeline.aligned(datetime.now(UTC), 15)
    source = FixedSource(_records(now))
    Cycle.objects.create(at=now - timedelta(seconds=15), interval_s=15, source="fixed")
    result = pipeline.run_cycle(now, source, publish=False, interval_s=15, scheduled=True)
    assert result.status == "skipped" and "still running" in result.error
    skipped = Cycle.objects.get(at=now)
    assert skipped.status == "skipped" and "still running" in skipped.error
    assert not EdgeSampleRow.objects.exists()


def test_a_dead_running_cycle_does_not_block_the_next_one():
    now = pipeline.aligned(datetime.now(UTC), 15)
    dead = Cycle.objects.create(at=now - timedelta(seconds=15), interval_s=15, source="fixed")
    Cycle.objects.filter(pk=dead.pk).update(started_at=datetime.now(UTC) - timedelta(minutes=1))
    result = pipeline.run_cycle(now, FixedSource(_records(now)), publish=False, scheduled=True)
    assert result.status == "ok"


def test_a_scheduled_cycle_that_starts_an_interval_late_is_skipped_and_counted():
    late = pipeline.aligned(datetime.now(UTC), 15) - timedelta(seconds=30)
    result = pipeline.run_cycle(late, FixedSource(_records(late)), publish=False, scheduled=True)
    assert result.status == "skipped" and "after its time" in result.error
    assert Cycle.objects.get(at=late).status == "skipped"
    assert Cycle.objects.filter(status="skipped").count() == 1


def test_replays_and_backfills_are_not_guarded(t0):
    """An explicit past `at` is a replay (collect --at, backfill): it runs, late or not."""
    Cycle.objects.create(at=t0 - timedelta(seconds=15), interval_s=15, source="fixed")
    assert pipeline.run_cycle(t0, FixedSource(_records(t0)), publish=False).status == "ok"


def test_the_current_cycle_is_guarded_by_default():
    now = datetime.now(UTC)
    Cycle.objects.create(
        at=pipeline.aligned(now, 15) - timedelta(seconds=15), interval_s=15, source="fixed"
    )
    result = pipeline.run_cycle(source=FixedSource(_records(now)), publish=False, interval_s=15)
    assert result.status == "skipped" and result.error


def test_rows_read_back_the_same_whichever_way_they_were_written(t0, simulator_source):
    """PostgreSQL stores by COPY, SQLite by bulk INSERT; both must give the same rows."""
    from webapp.traffic.convert import from_row

    records = simulator_source.fetch(t0, 15.0)
    pipeline.run_cycle(t0, simulator_source, publish=False, interval_s=15.0)
    stored = sorted(
        (from_row(row) for row in EdgeSampleRow.objects.all()),
        key=lambda e: (e.source.workload, e.destination.workload, e.protocol),
    )
    expected = sorted(
        records.edges, key=lambda e: (e.source.workload, e.destination.workload, e.protocol)
    )
    assert stored == expected
