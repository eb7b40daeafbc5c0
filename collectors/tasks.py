"""Celery tasks: a few lines around the pipeline functions, each safe to run twice.

A second `run_cycle` for the same grid point finds the cycle claimed and skips; `retention`
rolls each complete bucket up once (its claim is a unique row) and deletes only what is
already past retention.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task
from django.conf import settings

from collectors import pipeline
from webapp.traffic.rollups import apply_retention


@shared_task(name="collectors.tasks.run_cycle")
def run_cycle(at: float | None = None) -> dict[str, object]:
    """One collection cycle; `at` is Unix seconds (default: the current grid point)."""
    when = datetime.fromtimestamp(at, tz=UTC) if at is not None else None
    result = pipeline.run_cycle(when)
    return {"at": result.at.isoformat(), "status": result.status, "edges": result.edges}


@shared_task(name="collectors.tasks.retention")
def retention() -> dict[str, int]:
    """Roll up complete buckets, then prune past MESHWATCH_RAW/ROLLUP_RETENTION."""
    result = apply_retention()
    return {
        "rolled": result.rolled,
        "raw_pruned": result.raw_pruned,
        "rollups_pruned": result.rollups_pruned,
    }


@shared_task(name="collectors.tasks.evaluate_insights")
def evaluate_insights(at: float) -> dict[str, object]:
    """Judge the insights again for cycle `at` (Unix seconds); the same cycle twice is a no-op.

    Cycles evaluate inline after commit; this is for re-running by hand or from automation.
    """
    from webapp.insights.services import after_cycle

    report = after_cycle(datetime.fromtimestamp(at, tz=UTC))
    if report is None:
        return {"status": "failed"}
    return {"status": "ok", "opened": report.opened, "resolved": report.resolved,
            "failed_checks": report.failed}


@shared_task(name="collectors.tasks.backfill")
def backfill() -> dict[str, int]:
    """Fill the missing cycles of the last MESHWATCH_BACKFILL (run when a worker starts).

    Every cycle is claimed on its own, so several workers starting at once share the work.
    """
    results = pipeline.backfill(settings.MESHWATCH_BACKFILL_S)
    return {"cycles": len(results), "failed": sum(1 for r in results if r.status == "failed")}
