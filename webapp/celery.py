"""The Celery app: `celery -A webapp worker` and `celery -A webapp beat`.

Beat holds the one schedule: a collection cycle every MESHWATCH_INTERVAL and a retention
prune every hour. The tasks are thin wrappers around collectors.pipeline functions.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

app = Celery("meshwatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["collectors"])


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(
        settings.MESHWATCH_INTERVAL_S, sender.signature("collectors.tasks.run_cycle")
    )
    sender.add_periodic_task(3600.0, sender.signature("collectors.tasks.prune"))
