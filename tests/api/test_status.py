"""GET /api/v1/status: the newest cycle, its lag, failures, and backfill progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors import pipeline
from webapp.traffic.models import Backfill

pytestmark = pytest.mark.django_db


def _status(client, token):
    response = client.get("/api/v1/status", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    return response.json()


def test_nothing_collected_yet_is_stale(client, alice_token):
    body = _status(client, alice_token)
    assert body["latest_cycle"] is None and body["stale"] is True and body["backfill"] is None


def test_a_fresh_cycle_is_not_stale(client, alice_token, simulator_source):
    now = pipeline.aligned(datetime.now(UTC), 15)
    pipeline.run_cycle(now, simulator_source, publish=False, interval_s=15)
    body = _status(client, alice_token)
    assert body["stale"] is False and body["latest_cycle"]["source"] == "simulator"
    assert body["lag_s"] < 40


def test_an_old_cycle_is_stale_and_failures_are_named(client, alice_token, simulator_source):
    old = pipeline.aligned(datetime.now(UTC) - timedelta(minutes=10), 15)
    pipeline.run_cycle(old, simulator_source, publish=False, interval_s=15)

    class Down:
        name = "prometheus"

        def fetch(self, at, interval_s):
            raise ConnectionError("connection refused")

    pipeline.run_cycle(old + timedelta(seconds=15), Down(), publish=False, interval_s=15)
    body = _status(client, alice_token)
    assert body["stale"] is True and "connection refused" in body["last_failure"]["error"]


def test_backfill_progress_is_recorded_and_finished(client, alice_token, simulator_source):
    seen = []
    results = pipeline.backfill(
        300,
        15,
        source=simulator_source,
        progress=lambda d, t: seen.append(_status(client, alice_token)["backfill"]),
    )
    run = Backfill.objects.get()
    assert run.total == len(results) == 20 and run.done == 20 and run.finished_at is not None
    assert seen[-1]["total"] == 20  # while it ran, status showed it
    assert _status(client, alice_token)["backfill"] is None  # and no more once finished


def test_it_needs_authentication(client):
    assert client.get("/api/v1/status").status_code == 401


def test_a_worker_start_backfills_only_against_prometheus(settings, monkeypatch):
    from webapp import celery

    sent = []
    monkeypatch.setattr(celery.app, "send_task", lambda name, **kw: sent.append(name))
    settings.PROMETHEUS_URL = ""
    celery._backfill_on_start(None)
    assert sent == []
    settings.PROMETHEUS_URL = "http://127.0.0.1:9090"
    celery._backfill_on_start(None)
    assert sent == ["collectors.tasks.backfill"]
