"""History: 5-minute rollups equal the raw sums, roll once, and windows read them seamlessly."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from collectors import pipeline
from collectors.records import CycleRecords, EdgeSample, Histogram, Inventory, Peer
from webapp.traffic import rollups
from webapp.traffic.models import Cycle, EdgeRollup, RollupBucket
from webapp.traffic.models import EdgeSample as EdgeSampleRow
from webapp.traffic.queries import latest_cycle_at, window_traffic

pytestmark = pytest.mark.django_db

BOUNDS = (10.0, 100.0, math.inf)
WIDER = (5.0, 10.0, 100.0, math.inf)  # a mesh upgrade's new layout
M = timedelta(minutes=1)
BUCKET = timedelta(minutes=5)


class Wavy:
    """Two edges whose counts and latencies change every minute; some minutes fail."""

    name = "wavy"

    def __init__(self, failing: set[int] = frozenset()) -> None:
        self.failing = failing

    def fetch(self, at, interval_s):
        minute = int(at.timestamp() // 60)
        if minute % 60 in self.failing:
            raise ConnectionError("prometheus went away")
        web = EdgeSample(
            Peer("shop", "web", "web", "v1"),
            Peer("shop", "api", "api", "v1", "api"),
            "http",
            "istio",
            interval_s,
            requests=10.0 + minute % 7,
            errors_5xx=float(minute % 3),
            errors_4xx=0.5,
            mtls_requests=None if minute % 5 == 0 else 5.0,
            bytes_sent=100.0,
            bytes_received=2.0,
            latency=Histogram(BOUNDS, (1.0 + minute % 4, 2.0, float(minute % 2))),
        )
        layout = WIDER if minute % 60 >= 50 else BOUNDS
        pay = EdgeSample(
            Peer("pay", "checkout"),
            Peer("pay", "ledger", service="ledger"),
            "grpc",
            "linkerd",
            interval_s,
            requests=3.0,
            errors_grpc=1.0,
            latency=Histogram(layout, tuple(1.0 for _ in layout)),
        )
        return CycleRecords(at, self.name, Inventory(), (web, pay))


def _history(end, minutes: int, source=None, interval_s: float = 15.0) -> None:
    source = source or Wavy(failing={42})
    steps = int(minutes * 60 // interval_s)
    for i in range(steps):
        at = end - timedelta(seconds=interval_s * i)
        pipeline.run_cycle(at, source, publish=False, interval_s=interval_s)


def _totals(traffic):
    """A comparable view of a window: covered seconds, cycles and each edge's sums (rounded,
    as raw and rollup sums add the same numbers in different orders)."""

    def r(value):
        return None if value is None else round(value, 6)

    def key(e):
        return (e.source, e.destination, e.protocol, e.mesh)

    edges = {
        key(e): (
            [
                r(e.requests),
                r(e.errors_4xx),
                r(e.errors_5xx),
                r(e.errors_grpc),
                r(e.no_response),
                r(e.mtls_requests),
                r(e.bytes_sent),
                r(e.bytes_received),
                r(e.interval_s),
            ],
            e.latency and (e.latency.bounds_ms, [r(c) for c in e.latency.counts]),
        )
        for e in traffic.edges
    }
    return r(traffic.covered_s), traffic.cycles, edges


def test_a_rollup_holds_the_raw_sums(t0):
    """t0 is on the 5-minute grid: 40 cycles fill the buckets (t0-10m, t0-5m] and (.., t0]."""
    _history(t0, 10, Wavy(failing={57}))  # minute 57 of the hour before t0 fails
    assert rollups.roll_up(t0 + M, 15.0) == 2
    for bucket in RollupBucket.objects.all():
        end = bucket.start + BUCKET
        good = Cycle.objects.filter(at__gt=bucket.start, at__lte=end, status="ok")
        assert bucket.covered_s == 15.0 * good.count() and bucket.cycles == good.count()
        bad = Cycle.objects.filter(at__gt=bucket.start, at__lte=end).exclude(status="ok")
        assert bucket.failed_cycles == bad.count()
        raw = window_traffic(bucket.start, end)
        for rolled in EdgeRollup.objects.filter(bucket=bucket):
            (edge,) = [e for e in raw.edges if e.source.workload == rolled.source_workload]
            assert rolled.requests == pytest.approx(edge.requests)
            assert rolled.errors_5xx == pytest.approx(edge.errors_5xx)
            assert rolled.errors_grpc == pytest.approx(edge.errors_grpc)
            assert rolled.mtls_requests == edge.mtls_requests
            assert rolled.bytes_sent == pytest.approx(edge.bytes_sent)
            assert rolled.interval_s == bucket.covered_s
            assert rolled.samples == good.count()
            assert sum(rolled.latency_counts) == pytest.approx(sum(edge.latency.counts))
    failed_bucket = RollupBucket.objects.get(start=t0 - BUCKET)
    assert failed_bucket.failed_cycles == 4 and failed_bucket.covered_s == 16 * 15.0


def test_a_layout_change_inside_a_bucket_is_merged_by_bound(t0):
    _history(t0 - timedelta(minutes=5), 10)  # the hour's minute 50 is the upgrade
    rollups.roll_up(t0, 15.0)
    # (13:45, 13:50]: 19 cycles in the old layout, then 13:50:00 in the new one.
    rolled = EdgeRollup.objects.get(start=t0 - 3 * BUCKET, destination_workload="ledger")
    assert rolled.latency_bounds == [5.0, 10.0, 100.0, "+Inf"]
    assert rolled.latency_counts == [1.0, 20.0, 20.0, 20.0]


def test_running_again_changes_nothing(t0):
    _history(t0, 10)
    assert rollups.roll_up(t0 + M, 15.0) == 2
    before = list(EdgeRollup.objects.order_by("pk").values())
    assert rollups.roll_up(t0 + M, 15.0) == 0
    assert rollups.apply_retention(t0 + M, interval_s=15.0).rolled == 0
    assert list(EdgeRollup.objects.order_by("pk").values()) == before


def test_incomplete_buckets_wait(t0):
    _history(t0 + M, 11)
    # (t0, t0+5m] has only begun; (t0-5m, t0] ended, but not one interval ago yet.
    assert rollups.roll_up(t0 + timedelta(seconds=10), 15.0) == 1
    assert list(RollupBucket.objects.values_list("start", flat=True)) == [t0 - 2 * BUCKET]
    # A cycle still running holds its bucket open, however late it is.
    Cycle.objects.create(at=t0 - timedelta(seconds=7), interval_s=15, source="x")
    assert Cycle.objects.filter(status="running").count() == 1
    assert rollups.roll_up(t0 + M, 15.0) == 0
    Cycle.objects.filter(status="running").update(status="ok")
    assert rollups.roll_up(t0 + M, 15.0) == 1


def test_raw_rows_go_only_after_their_bucket_is_rolled_and_old(t0):
    _history(t0, 10)
    assert rollups.prune_raw(t0 + timedelta(days=2)) == 0  # nothing rolled yet: nothing goes
    assert EdgeSampleRow.objects.count() == 80
    # Rolled, but both buckets are younger than the raw retention: raw rows stay.
    result = rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=3600)
    assert (result.rolled, result.raw_pruned) == (2, 0) and EdgeSampleRow.objects.count() == 80
    # 57 min later the older bucket's raw rows (and cycles) go; the newer one's stay.
    result = rollups.apply_retention(
        t0 + timedelta(minutes=57), interval_s=15.0, raw_retention_s=3600
    )
    assert result.raw_pruned == 1
    assert not EdgeSampleRow.objects.filter(at__lte=t0 - BUCKET).exists()
    assert not Cycle.objects.filter(at__lte=t0 - BUCKET).exists()
    assert EdgeSampleRow.objects.count() == 40
    assert RollupBucket.objects.get(start=t0 - 2 * BUCKET).raw_pruned
    assert EdgeRollup.objects.count() == 4  # the rollups themselves stay


WINDOWS = [
    ("all in rollups", -60, -40),
    ("all raw", -20, 0),
    ("straddling", -45, -5),
    ("everything", -60, 0),
]


@pytest.mark.parametrize("name, start_min, end_min", WINDOWS)
def test_a_window_answers_the_same_after_raw_rows_are_pruned(t0, name, start_min, end_min):
    _history(t0, 60)
    start, end = t0 + start_min * M, t0 + end_min * M
    before = _totals(window_traffic(start, end))
    before_ns = _totals(window_traffic(start, end, ["pay"]))
    # Raw retention of 30 min at t0+1m: the buckets that ended before t0-29m lose raw rows.
    rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=1800)
    assert RollupBucket.objects.filter(raw_pruned=True).count() == 6
    assert not EdgeSampleRow.objects.filter(at__lte=t0 - 30 * M).exists()
    assert _totals(window_traffic(start, end)) == before
    assert _totals(window_traffic(start, end, ["pay"])) == before_ns


def test_a_short_window_in_a_pruned_bucket_reads_the_whole_bucket(t0):
    _history(t0, 60)
    rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=1800)
    bucket_end = t0 - 50 * M
    whole = window_traffic(bucket_end - BUCKET, bucket_end)
    short = window_traffic(bucket_end - 2 * M, bucket_end - M)
    assert short.covered_s == whole.covered_s == 300.0
    assert _totals(short)[2] == _totals(whole)[2]


def test_window_reads_stay_a_few_queries(t0, django_assert_max_num_queries):
    _history(t0, 60)
    rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=1800)
    with django_assert_max_num_queries(6):  # per resolution: coverage, sums, histograms
        traffic = window_traffic(t0 - 60 * M, t0)
    assert len(traffic.edges) == 2
    with django_assert_max_num_queries(4):  # no pruned bucket in the window: raw only
        window_traffic(t0 - 10 * M, t0)


def test_latest_cycle_falls_back_to_the_newest_rolled_bucket(t0):
    _history(t0, 60)
    rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=1800)
    assert latest_cycle_at() == t0
    assert latest_cycle_at(before=t0 - 32 * M) == t0 - 35 * M
    assert latest_cycle_at(before=t0 - 61 * M) is None


def test_retention_deletes_old_rollups_and_anything_older(t0):
    _history(t0, 20)
    rollups.apply_retention(t0 + M, interval_s=15.0, raw_retention_s=300)
    assert RollupBucket.objects.count() == 4
    # A stray raw row past all retention (its bucket never rolled) goes as well.
    stray = t0 - timedelta(days=3)
    pipeline.run_cycle(stray, Wavy(), publish=False, interval_s=15.0)
    result = rollups.apply_retention(
        t0 + 11 * M, interval_s=15.0, raw_retention_s=300, rollup_retention_s=1200
    )
    assert result.rollups_pruned == 2
    assert sorted(RollupBucket.objects.values_list("start", flat=True)) == [
        t0 - 2 * BUCKET,
        t0 - BUCKET,
    ]
    assert not EdgeRollup.objects.filter(start__lt=t0 - 2 * BUCKET).exists()
    assert not Cycle.objects.filter(at=stray).exists()


def test_the_demo_scheduler_and_beat_run_the_same_job():
    from webapp.celery import app

    app.finalize()
    assert any(
        entry["task"] == "collectors.tasks.retention" and entry["schedule"] == rollups.RUN_EVERY_S
        for entry in app.conf.beat_schedule.values()
    )


def test_bucket_start_puts_a_boundary_cycle_in_the_bucket_it_closes(t0):
    assert rollups.bucket_start(t0) == t0 - BUCKET
    assert rollups.bucket_start(t0 + timedelta(seconds=15)) == t0
    assert rollups.bucket_start(t0 + timedelta(seconds=300)) == t0


def test_a_backfill_into_a_rolled_bucket_is_refused_not_counted_twice(t0):
    _history(t0, 10)
    rollups.apply_retention(t0 + 10 * M, interval_s=15.0, raw_retention_s=60)
    assert not Cycle.objects.exists()  # pruned with their raw rows: no claim stops a re-run
    before = _totals(window_traffic(t0 - 10 * M, t0))
    results = pipeline.backfill(585, 15, now=t0, source=Wavy())  # t0-9m45s … t0-15s
    assert {r.status for r in results} == {"failed"}
    assert "rolled up" in Cycle.objects.first().error
    assert _totals(window_traffic(t0 - 10 * M, t0)) == before
