"""The no_data kind: a source down or the collectors stalled."""

from __future__ import annotations

from webapp.alerts.rules.base import Context, KindResult, Observation, RuleSpec

DEFAULT_INTERVALS = 3.0


def no_data(spec: RuleSpec, context: Context) -> KindResult:
    """Fires when the newest good cycle is older than `threshold` intervals (default 3), or
    when the last `params.failed_cycles` (default 3) cycles all failed.

    The value is the age of the newest good cycle in intervals. With no cycle at all yet
    there is nothing to judge: a fresh install is not an outage.
    """
    health = context.cycle_health()
    limit = spec.threshold if spec.threshold > 0 else DEFAULT_INTERVALS
    failed_run = int(spec.params.get("failed_cycles", 3))
    recent = health.recent_statuses[:failed_run]
    all_failed = len(recent) == failed_run > 0 and all(s == "failed" for s in recent)
    if health.latest_ok_at is None and not all_failed:
        return KindResult(note="no cycle has run yet")
    age = None
    if health.latest_ok_at is not None:
        age = (context.at - health.latest_ok_at).total_seconds() / health.interval_s
    breached = all_failed or (age is not None and age > limit)
    evidence = {
        "latest_ok_at": health.latest_ok_at.isoformat() if health.latest_ok_at else None,
        "intervals_since": None if age is None else round(age, 2),
        "recent_cycles": list(health.recent_statuses[:5]),
    }
    labels = {"collector": health.source or "meshwatch"}
    value = None if age is None else round(age, 2)
    return KindResult((Observation("collector", labels, value, breached, evidence),))
