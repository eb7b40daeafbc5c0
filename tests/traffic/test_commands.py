"""`manage.py retention` and `manage.py rebuild_rollups`: what they do, say and refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from collectors import pipeline
from collectors.records import CycleRecords, EdgeSample, Histogram, Inventory, Peer
from webapp.traffic.models import Cycle, EdgeRollup, RollupBucket
from webapp.traffic.rollups import bucket_start

pytestmark = pytest.mark.django_db

INTERVAL = timedelta(seconds=15)
BUCKET = timedelta(minutes=5)


class Steady:
    """One edge whose request count is the cycle's minute of the hour."""

    name = "steady"

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        edge = EdgeSample(
            Peer("shop", "web"),
            Peer("shop", "api", service="api"),
            "http",
            "istio",
            interval_s,
            requests=float(at.minute),
            latency=Histogram((10.0, float("inf")), (1.0, 1.0)),
        )
        return CycleRecords(at, self.name, Inventory(), (edge,))


@pytest.fixture
def history() -> datetime:
    """Twenty minutes of cycles ending on a bucket boundary an hour ago; returns the start."""
    end = bucket_start(datetime.now(UTC) - timedelta(hours=1)) + BUCKET
    start = end - 4 * BUCKET
    at = start + INTERVAL
    while at <= end:
        assert pipeline.run_cycle(at, Steady(), publish=False, interval_s=15.0).status == "ok"
        at += INTERVAL
    return start


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sums() -> dict[datetime, float]:
    return dict(EdgeRollup.objects.values_list("start", "requests"))


def test_retention_rolls_up_once_and_says_so(history):
    out, _ = run("retention")
    assert out.startswith("rolled up 4 buckets; pruned the raw rows of 0 buckets (older than 24h)")
    assert "deleted 0 rollup buckets (older than 30d)" in out
    assert RollupBucket.objects.count() == 4
    out, _ = run("retention")
    assert out.startswith("rolled up 0 buckets")


def test_retention_prunes_raw_rows_past_the_raw_retention(history, settings):
    run("retention")
    settings.MESHWATCH_RAW_RETENTION_S = 2400.0  # the history ended about an hour ago
    out, _ = run("retention")
    assert "pruned the raw rows of 4 buckets (older than 40m)" in out
    assert not Cycle.objects.exists()


def test_rebuild_restores_rollups_from_raw_rows(history):
    run("retention")
    expected = sums()
    ids = set(RollupBucket.objects.values_list("pk", flat=True))
    EdgeRollup.objects.update(requests=0.0)  # a roll-up bug wrote wrong sums
    out, err = run("rebuild_rollups", "--since", history.isoformat())
    assert sums() == expected
    assert out.count("rebuilt bucket ") == 4 and "4 rebuilt, 0 refused" in out and err == ""
    assert ids.isdisjoint(RollupBucket.objects.values_list("pk", flat=True))  # new rows
    assert RollupBucket.objects.count() == 4 and EdgeRollup.objects.count() == 4


def test_rebuild_touches_only_the_buckets_of_its_range(history):
    run("retention")
    EdgeRollup.objects.update(requests=0.0)
    second = history + BUCKET
    out, _ = run("rebuild_rollups", "--since", str(int((second + INTERVAL).timestamp())),
                 "--until", (second + BUCKET).isoformat())  # fmt: skip
    assert out.splitlines()[0] == f"rebuilt bucket {second.isoformat()}: 1 edge rows"
    assert [start for start, requests in sorted(sums().items()) if requests] == [second]


def test_rebuild_refuses_buckets_whose_raw_rows_are_gone(history, settings):
    run("retention")
    before = sums()
    pruned = RollupBucket.objects.filter(start__lt=history + 2 * BUCKET)
    for bucket in pruned:  # as prune_raw leaves them: marked, raw rows deleted
        Cycle.objects.filter(at__gt=bucket.start, at__lte=bucket.start + BUCKET).delete()
    pruned.update(raw_pruned=True)
    EdgeRollup.objects.update(requests=0.0)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 buckets could not be rebuilt"):
        call_command("rebuild_rollups", "--since", history.isoformat(), stdout=out, stderr=err)
    assert err.getvalue().count("its raw rows were pruned") == 2
    assert f"refused bucket {history.isoformat()}" in err.getvalue()
    assert "2 rebuilt, 2 refused" in out.getvalue()
    after = sums()
    assert [after[s] for s in sorted(after)][:2] == [0.0, 0.0]  # left exactly as they were
    assert [after[s] for s in sorted(after)][2:] == [before[s] for s in sorted(before)][2:]


def test_buckets_not_rolled_yet_are_left_to_retention(history):
    out, _ = run("rebuild_rollups", "--since", history.isoformat())
    assert out.count("is not rolled up yet") == 4 and "0 rebuilt" in out
    assert not RollupBucket.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since"),
        (["--since", "2026-11-02T14:00:00Z", "--until", "2026-11-02T13:00:00Z"], "later than"),
    ],
)
def test_bad_times_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_rollups", *args)
