"""What the rest of meshwatch calls: the after-cycle hook and the open findings.

The pipeline evaluates insights inline, right after a cycle commits and before it publishes
the live views and judges alert rules, so both see this cycle's findings.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import QuerySet

from webapp.insights.engine import Report, evaluate
from webapp.insights.models import Finding

log = logging.getLogger("meshwatch.insights")


def after_cycle(at: datetime) -> Report | None:
    """Evaluate every check for cycle `at`; a failure is logged and never raised."""
    try:
        return evaluate(at)
    except Exception:  # noqa: BLE001 - insights trouble must not fail the cycle
        log.exception("insights: evaluation for cycle %s failed", at.isoformat())
        return None


def open_findings() -> QuerySet[Finding]:
    """Every open finding, most severe first."""
    return Finding.objects.filter(state=Finding.State.OPEN).order_by("-severity_rank", "id")
