"""What the collection is doing now: the newest cycles and any history backfill in progress."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from webapp.traffic.models import Backfill, Cycle

# A backfill row not updated for this long belongs to a process that died.
_BACKFILL_ALIVE = timedelta(minutes=5)


def backfill_in_progress() -> dict[str, Any] | None:
    """The running backfill's progress ({source, done, total, failed, started_at}), or None."""
    run = (
        Backfill.objects.filter(finished_at=None, updated_at__gte=timezone.now() - _BACKFILL_ALIVE)
        .order_by("-started_at")
        .first()
    )
    if run is None:
        return None
    return {
        "source": run.source,
        "done": run.done,
        "total": run.total,
        "failed": run.failed,
        "started_at": run.started_at.isoformat(),
    }


def collection_status() -> dict[str, Any]:
    """The newest good cycle, how late it is against the interval, and the backfill."""
    latest = Cycle.objects.filter(status=Cycle.Status.OK).order_by("-at").first()
    now = timezone.now()
    interval = settings.MESHWATCH_INTERVAL_S
    lag = (now - latest.at).total_seconds() if latest else None
    last_failed = Cycle.objects.filter(status=Cycle.Status.FAILED).order_by("-at").first()
    return {
        "interval_s": interval,
        "latest_cycle": {
            "at": latest.at.isoformat(),
            "source": latest.source,
            "edges": latest.edges,
            "duration_ms": latest.duration_ms,
            "gaps": latest.gaps,
        }
        if latest
        else None,
        "lag_s": round(lag, 1) if lag is not None else None,
        # Two missed intervals: the collectors lag or a source is down.
        "stale": lag is None or lag > 2 * interval + 5,
        "last_failure": {"at": last_failed.at.isoformat(), "error": last_failed.error}
        if last_failed
        else None,
        "backfill": backfill_in_progress(),
    }
