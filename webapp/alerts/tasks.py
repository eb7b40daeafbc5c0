"""Celery tasks: a few lines around services and deliveries, each safe to run twice.

A second `evaluate` for the same cycle finds its rules claimed and skips; a second `deliver`
for the same delivery loses the claim (or finds it delivered) and does nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task

from webapp.alerts import deliveries, services


@shared_task(name="webapp.alerts.tasks.evaluate")
def evaluate(at: float) -> dict[str, int]:
    """Evaluate every rule at cycle time `at` (Unix seconds) and fan out the deliveries."""
    report = services.evaluate_and_dispatch(datetime.fromtimestamp(at, tz=UTC))
    return {"evaluated": report.evaluated, "changes": len(report.changes)}


@shared_task(name="webapp.alerts.tasks.deliver")
def deliver(delivery_id: int) -> str:
    """One attempt of one delivery, if it is still due and nobody else holds it."""
    outcome = deliveries.attempt(delivery_id)
    return "skipped" if outcome is None else ("ok" if outcome.ok else outcome.error)


@shared_task(name="webapp.alerts.tasks.sweep")
def sweep() -> int:
    """Judge stalls and hand every due delivery a task (Celery beat runs it periodically)."""
    return services.sweep()
