"""Writing traffic: storing a cycle's samples.

Retention (rolling up, then pruning what is no longer kept) lives in webapp/traffic/rollups.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from collectors.records import EdgeSample
from webapp.traffic import models
from webapp.traffic.convert import to_row
from webapp.traffic.rollups import bucket_start

_BATCH = 1000


class HistoryClosed(Exception):
    """The cycle falls in a 5-minute bucket that is already rolled up: that history is final."""


def store_samples(cycle: models.Cycle, samples: Sequence[EdgeSample]) -> int:
    """Insert `samples` as rows of `cycle`; returns how many were written.

    A cycle whose bucket is already rolled up (a replay or backfill of old time) is refused
    with HistoryClosed: its rows would be counted twice once the bucket's raw rows are pruned
    (pruning deletes the cycle claims that would otherwise stop a second backfill), or lost.
    """
    rolled = models.RollupBucket.objects.filter(
        start=bucket_start(cycle.at), resolution_s=models.ROLLUP_RESOLUTION_S
    )
    if rolled.exists():
        raise HistoryClosed(f"{cycle.at.isoformat()} is in a bucket already rolled up")
    rows = [to_row(sample, cycle) for sample in samples]
    models.EdgeSample.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)
