"""Celery tasks: a few lines around the pipeline functions, each safe to run twice.

A second `run_cycle` for the same grid point finds the cycle claimed and skips; `prune`
deletes only what is already past retention.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task
from django.conf import settings

from collectors import pipeline
from webapp.traffic.services import prune as prune_traffic


@shared_task(name="collectors.tasks.run_cycle")
def run_cycle(at: float | None = None) -> dict[str, object]:
    """One collection cycle; `at` is Unix seconds (default: the current grid point)."""
    when = datetime.fromtimestamp(at, tz=UTC) if at is not None else None
    result = pipeline.run_cycle(when)
    return {"at": result.at.isoformat(), "status": result.status, "edges": result.edges}


@shared_task(name="collectors.tasks.prune")
def prune() -> int:
    """Delete traffic older than MESHWATCH_RETENTION."""
    return prune_traffic(datetime.now(UTC), settings.MESHWATCH_RETENTION_S)
