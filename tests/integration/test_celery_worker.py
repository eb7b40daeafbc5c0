"""A real Celery worker on the real Redis broker runs the cycle task against PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from webapp.traffic.models import Cycle, EdgeSample

REPO = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/13"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue():
    """A worker subprocess consuming a queue of its own; stopped after the test."""
    if connection.vendor != "postgresql":
        pytest.fail("this test needs DATABASE_URL to name PostgreSQL (make test does)")
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=BROKER,
        DJANGO_SETTINGS_MODULE="webapp.settings",
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "webapp",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    proc.terminate()
    try:
        output, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
    print(output[-4000:])


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_runs_each_cycle_once(worker_queue, t0):
    client = Celery(broker=BROKER)
    for _ in range(2):  # the second delivery of the same cycle must be a no-op
        client.send_task("collectors.tasks.run_cycle", args=[t0.timestamp()], queue=worker_queue)
    assert _wait_for(lambda: Cycle.objects.filter(at=t0, status="ok").exists()), "no cycle ran"
    cycle = Cycle.objects.get(at=t0)
    assert cycle.source == "simulator" and cycle.edges > 10
    assert EdgeSample.objects.filter(cycle=cycle).count() == cycle.edges
    time.sleep(1.0)  # let the duplicate arrive; it must not add a second cycle
    assert Cycle.objects.count() == 1
