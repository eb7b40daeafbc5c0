"""History: complete 5-minute buckets rolled up once, then raw rows and old rollups pruned.

`apply_retention` is the one job (Celery beat every few minutes, the demo's scheduler):
1. Roll up every complete bucket not rolled yet. A bucket (start, start + 5 min] is complete
   when its end is at least one interval old and none of its cycles is still running.
2. Delete the raw rows (samples and cycles) of rolled buckets older than
   MESHWATCH_RAW_RETENTION, marking the bucket `raw_pruned` in the same transaction.
3. Delete rollups older than MESHWATCH_ROLLUP_RETENTION.

Why it is idempotent and safe with several workers: a bucket is rolled in one transaction
that first inserts its `RollupBucket` row, whose (start, resolution) is unique. The winner
writes the edge rows and commits them together with that row; a concurrent worker's insert
waits on the winner's uncommitted key (PostgreSQL) or lock (SQLite), then fails with an
IntegrityError inside a savepoint and skips the bucket; if the winner rolled back, the
waiter's insert succeeds and it does the work. A bucket is therefore never rolled twice,
and never re-rolled once its raw rows may be gone. Raw pruning claims each bucket with a
conditional UPDATE of `raw_pruned`, so it too happens once.

A bucket's history is final once rolled: services.store_samples refuses a later cycle in it
(a replay or backfill of old time), which would otherwise be lost at raw pruning or, once
pruning deleted the bucket's cycle claims, counted in both raw rows and the rollup.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum

from collectors.records import Histogram
from webapp.traffic import models
from webapp.traffic.convert import histogram_to_json
from webapp.traffic.models import ROLLUP_RESOLUTION_S
from webapp.traffic.queries import COUNTERS, IDENTITY, summed_edges

log = logging.getLogger("meshwatch.rollups")
# How often beat and the demo run the job: a bucket is rolled minutes after it completes, and
# a run with nothing to do costs two small queries.
RUN_EVERY_S = 120.0
_BATCH = 1000
# A running cycle older than this many intervals crashed: it no longer holds its bucket open.
_RUNNING_FOR_INTERVALS = 3


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run did, in buckets."""

    rolled: int
    raw_pruned: int
    rollups_pruned: int


def apply_retention(
    now: datetime | None = None,
    *,
    interval_s: float | None = None,
    raw_retention_s: float | None = None,
    rollup_retention_s: float | None = None,
) -> RetentionResult:
    """Roll up, then prune raw rows, then prune rollups (module docstring); safe to re-run."""
    now = now or datetime.now(UTC)
    interval = interval_s or settings.MESHWATCH_INTERVAL_S
    raw_keep = raw_retention_s or settings.MESHWATCH_RAW_RETENTION_S
    rollup_keep = rollup_retention_s or settings.MESHWATCH_ROLLUP_RETENTION_S
    oldest = now - timedelta(seconds=rollup_keep)
    result = RetentionResult(
        rolled=roll_up(now, interval, not_before=oldest),
        raw_pruned=prune_raw(now - timedelta(seconds=raw_keep)),
        rollups_pruned=prune_rollups(oldest),
    )
    if any((result.rolled, result.raw_pruned, result.rollups_pruned)):
        log.info(
            "history: %d buckets rolled up, %d pruned of raw rows, %d rollups deleted",
            result.rolled,
            result.raw_pruned,
            result.rollups_pruned,
        )
    return result


def bucket_start(at: datetime, resolution_s: int = ROLLUP_RESOLUTION_S) -> datetime:
    """The start of the bucket (start, start + resolution_s] that holds a cycle at `at`."""
    # Cycles name the end of their interval, so a cycle on a boundary closes that bucket.
    end = math.ceil(at.timestamp() / resolution_s) * resolution_s
    return datetime.fromtimestamp(end - resolution_s, tz=UTC)


def roll_up(
    now: datetime,
    interval_s: float,
    *,
    not_before: datetime | None = None,
    resolution_s: int = ROLLUP_RESOLUTION_S,
) -> int:
    """Roll up every complete bucket not rolled yet, oldest first; returns buckets rolled.

    Buckets starting before `not_before` (past rollup retention) are left to pruning.
    """
    rolled = 0
    for start in pending_buckets(now, interval_s, resolution_s):
        if not_before is not None and start < not_before:
            continue
        rolled += roll_bucket(start, resolution_s)
    return rolled


def pending_buckets(now: datetime, interval_s: float, resolution_s: int) -> list[datetime]:
    """Starts of the complete buckets that hold cycles but no rollup yet, oldest first.

    1. Place every stored cycle that ended at least one interval ago into its bucket; only
       buckets whose end is that old too are complete.
    2. A cycle still running (and young enough to be alive) holds its bucket open.
    3. Drop the buckets already rolled.
    """
    complete_until = now - timedelta(seconds=interval_s)
    alive_since = datetime.now(UTC) - timedelta(seconds=_RUNNING_FOR_INTERVALS * interval_s)
    cycles = models.Cycle.objects.filter(at__lte=complete_until)
    starts: set[datetime] = set()
    open_: set[datetime] = set()
    for at, status, started_at in cycles.values_list("at", "status", "started_at"):
        start = bucket_start(at, resolution_s)
        if start + timedelta(seconds=resolution_s) > complete_until:
            continue
        starts.add(start)
        if status == models.Cycle.Status.RUNNING and started_at > alive_since:
            open_.add(start)
    starts -= open_
    if not starts:
        return []
    done = models.RollupBucket.objects.filter(resolution_s=resolution_s, start__gte=min(starts))
    return sorted(starts - set(done.values_list("start", flat=True)))


def roll_bucket(start: datetime, resolution_s: int = ROLLUP_RESOLUTION_S) -> bool:
    """Roll up one bucket in one transaction; False when another worker has claimed it.

    1. Claim: insert the bucket's row (unique start and resolution) in a savepoint.
    2. Sum its good cycles' coverage, and count good and failed cycles.
    3. Sum each edge's raw rows (counters in SQL, histograms here) into one EdgeRollup.
    """
    end = start + timedelta(seconds=resolution_s)
    with transaction.atomic():
        try:
            with transaction.atomic():
                bucket = models.RollupBucket.objects.create(start=start, resolution_s=resolution_s)
        except IntegrityError:
            return False  # rolled, or being rolled, by another worker
        cycles = models.Cycle.objects.filter(at__gt=start, at__lte=end)
        good = Q(status=models.Cycle.Status.OK)
        totals = cycles.aggregate(
            covered=Sum("interval_s", filter=good),
            good=Count("id", filter=good),
            failed=Count("id", filter=~good),
        )
        bucket.covered_s = float(totals["covered"] or 0.0)
        bucket.cycles = totals["good"]
        bucket.failed_cycles = totals["failed"]
        bucket.save(update_fields=["covered_s", "cycles", "failed_cycles"])
        rows = models.EdgeSample.objects.filter(
            at__gt=start, at__lte=end, cycle__status=models.Cycle.Status.OK
        )
        summed = summed_edges(rows, []).values()
        edges = [_rollup_row(bucket, row, latency) for row, latency in summed]
        models.EdgeRollup.objects.bulk_create(edges, batch_size=_BATCH)
    return True


def _rollup_row(
    bucket: models.RollupBucket, row: dict[str, Any], latency: Histogram | None
) -> models.EdgeRollup:
    """An unsaved rollup row from one edge's sums over `bucket` (see queries.summed_edges)."""
    bounds, counts = histogram_to_json(latency) if latency is not None else (None, None)
    return models.EdgeRollup(
        bucket=bucket,
        start=bucket.start,
        resolution_s=bucket.resolution_s,
        interval_s=bucket.covered_s,
        samples=row["rows"],
        latency_bounds=bounds,
        latency_counts=counts,
        response_flags=row.get("sum_response_flags") or None,
        **{name: row[name] for name in IDENTITY},
        **{name: row[f"sum_{name}"] for name in COUNTERS},
    )


def prune_raw(cutoff: datetime, resolution_s: int = ROLLUP_RESOLUTION_S) -> int:
    """Delete the raw rows of rolled buckets that ended before `cutoff`; returns buckets.

    Each bucket in one transaction that first claims it (raw_pruned false → true), so a
    concurrent run skips it and a reader finds the bucket either in raw rows or in rollups.
    Unrolled buckets keep their raw rows whatever their age.
    """
    due = models.RollupBucket.objects.filter(
        raw_pruned=False,
        resolution_s=resolution_s,
        start__lt=cutoff - timedelta(seconds=resolution_s),
    )
    pruned = 0
    for pk, start in due.order_by("start").values_list("pk", "start"):
        end = start + timedelta(seconds=resolution_s)
        with transaction.atomic():
            claimed = models.RollupBucket.objects.filter(pk=pk, raw_pruned=False)
            if not claimed.update(raw_pruned=True):
                continue
            # Samples first, in one statement, so the cascade from Cycle finds nothing left.
            models.EdgeSample.objects.filter(at__gt=start, at__lte=end).delete()
            models.Cycle.objects.filter(at__gt=start, at__lte=end).delete()
        pruned += 1
    return pruned


def prune_rollups(cutoff: datetime, resolution_s: int = ROLLUP_RESOLUTION_S) -> int:
    """Delete rollups of buckets that ended before `cutoff`, and any raw row older than it.

    Beyond rollup retention nothing is kept, so raw rows of a bucket that never got rolled
    (a roll-up that kept failing) go too rather than linger forever.
    """
    ended = cutoff - timedelta(seconds=resolution_s)
    # Edge rows first, in one statement, so the cascade from the bucket finds nothing left.
    models.EdgeRollup.objects.filter(start__lt=ended).delete()
    _, deleted = models.RollupBucket.objects.filter(start__lt=ended).delete()
    models.EdgeSample.objects.filter(at__lt=cutoff).delete()
    models.Cycle.objects.filter(at__lt=cutoff).delete()
    return deleted.get(models.RollupBucket._meta.label, 0)
