"""The Celery app: `celery -A webapp worker` and `celery -A webapp beat`.

Beat holds the one schedule: a collection cycle every MESHWATCH_INTERVAL and the history job
(roll up complete 5-minute buckets, then prune past retention) every few minutes. The tasks
are thin wrappers around plain functions (collectors.pipeline, webapp.traffic.rollups).
"""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

app = Celery("meshwatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["collectors", "webapp.alerts"])


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    from webapp.traffic.rollups import RUN_EVERY_S

    sender.add_periodic_task(
        settings.MESHWATCH_INTERVAL_S, sender.signature("collectors.tasks.run_cycle")
    )
    sender.add_periodic_task(RUN_EVERY_S, sender.signature("collectors.tasks.retention"))
    # Alerts: hand due webhook deliveries to workers (retries, and whatever a dead worker
    # held) and judge collector stalls, which no cycle would report.
    sender.add_periodic_task(
        settings.MESHWATCH_WEBHOOK_SWEEP_S, sender.signature("webapp.alerts.tasks.sweep")
    )


@worker_ready.connect
def _backfill_on_start(sender: object, **_: object) -> None:
    """A worker that starts against a Prometheus fills the history the schedule missed,
    the first start included. (The simulator needs none: it has no past to read.)"""
    from django.conf import settings

    if settings.PROMETHEUS_URL:
        app.send_task("collectors.tasks.backfill")
