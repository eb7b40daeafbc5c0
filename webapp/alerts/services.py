"""What the rest of meshwatch calls: the after-cycle hook, the sweep, test sends and retries.

With REDIS_URL set the work goes to Celery workers (tasks.py); without it, it runs right here
in the calling process, so `manage.py collect --once` alone exercises the whole path.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webapp.alerts import deliveries
from webapp.alerts.evaluation import Report, evaluate_rules
from webapp.alerts.models import AlertRule, Delivery, Receiver
from webapp.alerts.receivers import AlertView, Notification

log = logging.getLogger("meshwatch.alerts")
TASK_EVALUATE = "webapp.alerts.tasks.evaluate"
TASK_DELIVER = "webapp.alerts.tasks.deliver"


def has_work() -> bool:
    """Whether any rule is enabled or any delivery waits: without either a cycle costs nothing."""
    return (
        AlertRule.objects.filter(enabled=True).exists()
        or Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    )


def after_cycle(at: datetime) -> None:
    """The pipeline's hook, after a cycle is stored and published: evaluate, then deliver."""
    if not has_work():
        return
    if settings.REDIS_URL and _send_task(TASK_EVALUATE, at.timestamp()):
        return
    run_after_cycle(at)


def run_after_cycle(at: datetime) -> Report:
    """Evaluate every rule at `at`, push the alerts topic, and attempt what is due, here."""
    report = evaluate_rules(at)
    publish_alerts()
    deliveries.deliver_due()
    return report


def evaluate_and_dispatch(at: datetime) -> Report:
    """The Celery path: evaluate at `at`, push the alerts topic, fan the deliveries out."""
    report = evaluate_rules(at)
    publish_alerts()
    dispatch(deliveries.due_ids())
    return report


def sweep(now: datetime | None = None) -> int:
    """The periodic job: judge stalls (no_data) at now and hand every due delivery a task.

    This is what makes worker restarts lose nothing: whatever a dead worker held is due
    again once its claim lapses, and the next sweep finds it in the database.
    """
    now = now or timezone.now()
    if evaluate_rules(now, kinds=["no_data"]).changes:
        publish_alerts()
    due = deliveries.due_ids(now)
    dispatch(due)
    return len(due)


def dispatch(ids: list[int]) -> None:
    """One Celery task per delivery, so a slow receiver holds one worker slot, not all."""
    for pk in ids:
        if not settings.REDIS_URL or not _send_task(TASK_DELIVER, pk):
            deliveries.attempt(pk)  # no broker: try here rather than wait for the sweep


def _send_task(name: str, *args: object) -> bool:
    """Enqueue task `name`; False (logged) when the broker cannot be reached."""
    from webapp.celery import app

    try:
        app.send_task(name, args=list(args), retry=False)
    except Exception:  # noqa: BLE001 - fall back to running in-process
        log.exception("alerts: cannot enqueue %s; running it here", name)
        return False
    return True


def publish_alerts() -> None:
    """Push the current alerts to every watched `alerts` view (after the evaluation)."""
    from webapp.alerts.live import publish_alert_views

    try:
        publish_alert_views()
    except Exception:  # noqa: BLE001 - stored anyway; viewers catch up on resubscribe
        log.exception("alerts: publishing the alerts topic failed")


def new_secret() -> str:
    """A signing secret for a receiver created without one."""
    return secrets.token_urlsafe(32)


def send_test(receiver: Receiver) -> Delivery:
    """Queue (and, without Celery, attempt) a test notification to `receiver`."""
    now = timezone.now()
    key = secrets.token_hex(32)
    view = AlertView(
        fingerprint="0" * 64, rule="meshwatch test", subject="test", status="firing",
        severity="info", value=None, starts_at=now,
        labels={"alertname": "meshwatch test", "severity": "info"},
        annotations={"summary": "A test notification from meshwatch"},
    )
    note = Notification(key, "test", receiver.name, "test", {}, (view,),
                        settings.MESHWATCH_EXTERNAL_URL)
    delivery = deliveries.create_delivery(receiver, note)
    assert delivery is not None  # a fresh random key cannot collide
    transaction.on_commit(lambda: dispatch([delivery.pk]))
    return delivery


def retry_delivery(delivery: Delivery) -> None:
    """Make a dead letter pending again and send it now."""
    deliveries.retry(delivery)
    transaction.on_commit(lambda: dispatch([delivery.pk]))
