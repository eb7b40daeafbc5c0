"""`python manage.py rebuild_rollups --since TIME [--until TIME]`: roll buckets up again.

For when rollups are wrong and the raw rows behind them are still kept (within
MESHWATCH_RAW_RETENTION): after a fix to the roll-up, or a repair of raw rows. Every rolled
5-minute bucket that holds a time in (since, until] (until: now) is rebuilt in one
transaction of its own: lock its row, check its raw rows were not pruned, delete its
EdgeRollup rows and the bucket, and roll it again (rollups.roll_bucket). A reader therefore
sees the old rollup or the new one, never none; a failure leaves the bucket as it was.

Buckets whose raw rows are gone are refused, by name, and keep their rollups: rebuilding
them would replace history with nothing. Buckets not rolled yet are left to the retention
job, which rolls them once they are complete. The exit status is non-zero when any bucket
was refused.
"""

from __future__ import annotations

from argparse import ArgumentParser
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from webapp.timeparse import parse_time
from webapp.traffic.models import ROLLUP_RESOLUTION_S, Cycle, EdgeRollup, RollupBucket
from webapp.traffic.rollups import bucket_start, roll_bucket


@dataclass
class Rebuilt:
    """What a rebuild did: bucket starts rebuilt, refused (raw rows gone) and not rolled yet."""

    rebuilt: list[tuple[datetime, int]] = field(default_factory=list)  # (start, edge rows)
    refused: list[datetime] = field(default_factory=list)
    unrolled: list[datetime] = field(default_factory=list)


class Command(BaseCommand):
    help = "Re-roll the rollup buckets of a time range whose raw rows are still kept."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--since", required=True, help="Unix seconds or ISO 8601")
        parser.add_argument("--until", help="Unix seconds or ISO 8601 (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _time(options["since"], "--since")
        until = _time(options["until"], "--until") if options["until"] else datetime.now(UTC)
        if until <= since:
            raise CommandError("--until must be later than --since")
        result = rebuild(since, until)
        for start, edges in result.rebuilt:
            self.stdout.write(f"rebuilt bucket {start.isoformat()}: {edges} edge rows")
        for start in result.unrolled:
            self.stdout.write(
                f"bucket {start.isoformat()} is not rolled up yet: the retention job will"
            )
        for start in result.refused:
            self.stderr.write(
                f"refused bucket {start.isoformat()}: its raw rows were pruned "
                "(MESHWATCH_RAW_RETENTION), so its rollup is kept as it is"
            )
        self.stdout.write(f"{len(result.rebuilt)} rebuilt, {len(result.refused)} refused")
        if result.refused:
            raise CommandError(f"{len(result.refused)} buckets could not be rebuilt")


def _time(text: str, flag: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise CommandError(f"{flag}: {exc}") from exc


def rebuild(since: datetime, until: datetime, resolution_s: int = ROLLUP_RESOLUTION_S) -> Rebuilt:
    """Rebuild every rolled bucket holding a time in (since, until], oldest first."""
    first, last = bucket_start(since, resolution_s), bucket_start(until, resolution_s)
    buckets = RollupBucket.objects.filter(
        resolution_s=resolution_s, start__gte=first, start__lte=last
    )
    result = Rebuilt()
    for start in buckets.order_by("start").values_list("start", flat=True):
        edges = rebuild_bucket(start, resolution_s)
        if edges is None:
            result.refused.append(start)
        else:
            result.rebuilt.append((start, edges))
    rolled = {start for start, _ in result.rebuilt} | set(result.refused)
    end = last + timedelta(seconds=resolution_s)
    for at in Cycle.objects.filter(at__gt=first, at__lte=end).values_list("at", flat=True):
        start = bucket_start(at, resolution_s)
        if start not in rolled and start not in result.unrolled:
            result.unrolled.append(start)
    result.unrolled.sort()
    return result


def rebuild_bucket(start: datetime, resolution_s: int = ROLLUP_RESOLUTION_S) -> int | None:
    """Delete and re-roll one bucket in one transaction; its edge rows, or None if refused.

    1. Lock the bucket's row, so raw pruning (which claims it by an UPDATE) waits for us
       and then finds the row replaced, and re-check it still has its raw rows.
    2. Delete its edge rows and itself; 3. roll it again, claiming it anew inside our
       transaction (roll_bucket's own transaction becomes a savepoint of this one).
    """
    with transaction.atomic():
        bucket = (
            RollupBucket.objects.select_for_update()
            .filter(start=start, resolution_s=resolution_s)
            .first()
        )
        if bucket is None or bucket.raw_pruned:
            return None
        EdgeRollup.objects.filter(bucket=bucket).delete()
        bucket.delete()
        if not roll_bucket(start, resolution_s):
            raise RuntimeError(f"bucket {start.isoformat()} was claimed during its rebuild")
        return EdgeRollup.objects.filter(start=start, resolution_s=resolution_s).count()
