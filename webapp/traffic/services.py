"""Writing traffic: storing a cycle's samples and pruning what retention no longer keeps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from collectors.records import EdgeSample
from webapp.traffic import models
from webapp.traffic.convert import to_row

_BATCH = 1000


def store_samples(cycle: models.Cycle, samples: Sequence[EdgeSample]) -> int:
    """Insert `samples` as rows of `cycle`; returns how many were written."""
    rows = [to_row(sample, cycle) for sample in samples]
    models.EdgeSample.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)


def prune(now: datetime, retention_s: float) -> int:
    """Delete cycles (and their samples) older than the retention; returns cycles deleted.

    Samples go first in one statement, so the cascade from Cycle has nothing left to do row
    by row. Safe to run twice or from several workers at once.
    """
    cutoff = now - timedelta(seconds=retention_s)
    models.EdgeSample.objects.filter(at__lt=cutoff).delete()
    deleted, _ = models.Cycle.objects.filter(at__lt=cutoff).delete()
    return deleted
