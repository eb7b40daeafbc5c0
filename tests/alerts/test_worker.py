"""Real Celery workers on Redis: a planted fault reaches every receiver exactly as due,
through failures, hangs, dropped connections and a worker killed mid-retry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection

from tests.alerts.conftest import FAULTY, HEALTHY, SECRET, Behaviour, wait_for
from webapp.alerts.models import Delivery, DeliveryAttempt
from webapp.alerts.receivers.signing import verify

REPO = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/11"  # this suite's own Redis database
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_worker() -> Iterator[Callable[[], subprocess.Popen]]:
    """`start_worker()` runs a worker subprocess on the test database; all end after the test."""
    if connection.vendor != "postgresql":
        # The worker is another process: it needs a database server both can reach.
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgresql://...)")
    redis.Redis.from_url(BROKER).flushdb()
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=BROKER, DJANGO_SETTINGS_MODULE="webapp.settings",
        MESHWATCH_WEBHOOK_ALLOW="127.0.0.1/32", MESHWATCH_WEBHOOK_TIMEOUT="500ms",
        MESHWATCH_WEBHOOK_BACKOFF="100ms", MESHWATCH_WEBHOOK_BACKOFF_MAX="400ms",
    )
    procs: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "webapp", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        print(output[-3000:])


def _keys(receiving) -> list[tuple[str, str]]:
    """The distinct (delivery key, event) pairs a receiver got, after dropping retries."""
    seen: dict[str, str] = {}
    for request in receiving.received:
        assert verify(SECRET, request.headers["X-Meshwatch-Timestamp"], request.body,
                      request.headers["X-Meshwatch-Signature"])
        seen.setdefault(request.headers["X-Meshwatch-Delivery"], request.json()["event"])
    return sorted(seen.items(), key=lambda item: item[1])


def test_every_receiver_gets_firing_then_resolved_across_a_worker_restart(
        start_worker, serve, source, cycles, make_rule, make_receiver):
    hooks = {"ok": serve(), "flaky": serve(Behaviour(plan=["fail"] * 3)),
             "hang": serve(Behaviour(plan=["hang", "hang"], hang_s=1.5)),
             "close": serve(Behaviour(plan=["close", "close"]))}
    make_rule([make_receiver(h.url, name=n) for n, h in hooks.items()], for_seconds=15)
    client = Celery(broker=BROKER)

    def evaluate(at) -> None:
        client.send_task("webapp.alerts.tasks.evaluate", args=[at.timestamp()])

    def sweep_until(predicate: Callable[[], bool], timeout: float = 90.0) -> bool:
        """Stand in for beat: a sweep a second until `predicate` holds."""
        last = [0.0]

        def tick() -> bool:
            if time.monotonic() - last[0] >= 1.0:
                client.send_task("webapp.alerts.tasks.sweep")
                last[0] = time.monotonic()
            return predicate()
        return wait_for(tick, timeout)

    worker = start_worker()
    source.edges = FAULTY
    for _ in range(3):  # breach, hold for 15 s, fire
        evaluate(cycles(1))
    assert wait_for(lambda: Delivery.objects.filter(event="firing").count() == 4, 60)
    assert wait_for(lambda: DeliveryAttempt.objects.filter(ok=False).count() >= 2, 30)
    worker.send_signal(signal.SIGKILL)  # mid-retry: nothing may be lost
    worker.wait(10)
    start_worker()
    assert sweep_until(lambda: not Delivery.objects.exclude(status="delivered").exists())
    source.edges = HEALTHY
    for _ in range(5):
        evaluate(cycles(1))
    assert wait_for(lambda: Delivery.objects.filter(event="resolved").count() == 4, 60)
    assert sweep_until(lambda: not Delivery.objects.exclude(status="delivered").exists())
    for name, hook in hooks.items():
        assert [event for _, event in _keys(hook)] == ["firing", "resolved"], name
    assert len(hooks["flaky"].received) >= 4  # three failures, then the answer
