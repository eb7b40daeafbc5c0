"""`GET /metrics`: cycle duration, rows, skipped cycles, queue depth and deliveries, parsed
with prometheus_client's own parser, and never a cluster name in a label."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from webapp.alerts.models import Delivery, DeliveryAttempt, Receiver
from webapp.traffic.models import Cycle
from webapp.ui.metrics import quantile

BROKER = "redis://127.0.0.1:6379/8"  # this file's own Redis database

pytestmark = pytest.mark.django_db


def scrape(client) -> tuple[dict[tuple[str, tuple], float], dict[str, str]]:
    """The samples of one scrape by (name, sorted labels), and each family's type."""
    response = client.get("/metrics")
    assert response.status_code == 200
    families = list(text_string_to_metric_families(response.content.decode()))
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples
    }
    return samples, {f.name: f.type for f in families}


def cycles(durations_ms: list[float], status: str = "ok", edges: int = 10, back_s: int = 0):
    """Cycles of the last hour, 15 s apart, ending `back_s` seconds ago."""
    end = timezone.now().replace(microsecond=0) - timedelta(seconds=back_s)
    for n, ms in enumerate(durations_ms):
        Cycle.objects.create(
            at=end - timedelta(seconds=15 * n),
            interval_s=15.0,
            source="simulator",
            status=status,
            duration_ms=ms,
            edges=edges,
        )


def test_cycle_duration_is_a_summary_of_the_last_hour(client):
    cycles([float(ms) for ms in range(100, 1100, 10)])  # 100 good cycles: 0.10 s … 1.09 s
    Cycle.objects.create(
        at=timezone.now() - timedelta(hours=2),
        interval_s=15.0,
        source="simulator",
        duration_ms=60000.0,
    )  # older: not counted
    samples, types = scrape(client)
    assert types["meshwatch_cycle_duration_seconds"] == "summary"
    assert samples[("meshwatch_cycle_duration_seconds", (("quantile", "0.5"),))] == 0.59
    assert samples[("meshwatch_cycle_duration_seconds", (("quantile", "0.9"),))] == 0.99
    assert samples[("meshwatch_cycle_duration_seconds", (("quantile", "0.99"),))] == 1.08
    assert samples[("meshwatch_cycle_duration_seconds_count", ())] == 100
    assert samples[("meshwatch_cycle_duration_seconds_sum", ())] == pytest.approx(59.5)


def test_without_cycles_the_quantiles_are_nan_and_the_count_zero(client):
    samples, _ = scrape(client)
    assert math.isnan(samples[("meshwatch_cycle_duration_seconds", (("quantile", "0.5"),))])
    assert samples[("meshwatch_cycle_duration_seconds_count", ())] == 0


def test_rows_failed_and_skipped_cycles_of_the_last_hour(client):
    cycles([200.0] * 4, edges=25)
    cycles([50.0] * 2, status="failed", edges=0, back_s=600)
    cycles([0.0] * 3, status="skipped", edges=0, back_s=1200)
    samples, _ = scrape(client)
    assert samples[("meshwatch_rows_written_last_hour", ())] == 100
    assert samples[("meshwatch_cycles_failed_last_hour", ())] == 2
    assert samples[("meshwatch_cycles_skipped_last_hour", ())] == 3
    assert samples[("meshwatch_cycles_stored", (("status", "skipped"),))] == 3


def test_webhook_deliveries_by_status_and_attempts_by_outcome(client):
    receiver = Receiver.objects.create(
        name="team-bookinfo-pager",
        kind="webhook",
        url="https://hooks.example.org/bookinfo",
        secret="s",
    )
    now = timezone.now()
    for n, status in enumerate(["pending", "pending", "delivered", "dead"]):
        delivery = Delivery.objects.create(
            key=f"k{n}",
            receiver=receiver,
            event="firing",
            body="{}",
            status=status,
            next_attempt_at=now,
            expires_at=now + timedelta(hours=1),
        )
        for number, ok in enumerate([False, status == "delivered"], start=1):
            DeliveryAttempt.objects.create(
                delivery=delivery, number=number, started_at=now, latency_ms=5.0, ok=ok
            )
    old = DeliveryAttempt.objects.first()
    DeliveryAttempt.objects.filter(pk=old.pk).update(started_at=now - timedelta(hours=3))
    samples, text = scrape(client)[0], client.get("/metrics").content.decode()
    assert samples[("meshwatch_webhook_deliveries", (("status", "pending"),))] == 2
    assert samples[("meshwatch_webhook_deliveries", (("status", "delivered"),))] == 1
    assert samples[("meshwatch_webhook_deliveries", (("status", "dead"),))] == 1
    assert samples[("meshwatch_webhook_attempts_last_hour", (("outcome", "ok"),))] == 1
    assert samples[("meshwatch_webhook_attempts_last_hour", (("outcome", "failed"),))] == 6
    assert "bookinfo" not in text and "example.org" not in text  # receivers stay private


def test_no_queue_depth_without_a_broker(client, settings):
    settings.REDIS_URL = ""
    samples, _ = scrape(client)
    assert ("meshwatch_celery_queue_depth", ()) not in samples


@pytest.mark.redis
def test_queue_depth_counts_the_celery_lists_of_every_priority(client, settings):
    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()
    try:
        broker.rpush("celery", "a", "b", "c")
        broker.rpush("celery\x06\x163", "d")  # kombu's list for priority 3
        broker.rpush("other-queue", "e")
        settings.REDIS_URL = BROKER
        samples, _ = scrape(client)
        assert samples[("meshwatch_celery_queue_depth", ())] == 4
    finally:
        broker.flushdb()


def test_an_unreachable_broker_reports_minus_one_and_the_scrape_still_answers(
    client, settings, caplog
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    samples, _ = scrape(client)
    assert samples[("meshwatch_celery_queue_depth", ())] == -1
    assert ("meshwatch_websocket_clients", ()) in samples
    assert "queue depth" in caplog.text


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1.0], 0.99, 1.0), ([1.0, 2.0], 0.5, 1.0), ([1.0, 2.0, 3.0, 4.0], 0.9, 4.0)],
)
def test_quantile_is_nearest_rank(values, q, expected):
    assert quantile(values, q) == expected
