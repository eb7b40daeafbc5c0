"""Delivery to real local receivers: signatures, retries, timeouts, dead letters, claims."""

from __future__ import annotations

import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.alerts.conftest import FAULTY, SECRET, Behaviour, wait_for
from webapp.alerts import deliveries
from webapp.alerts.evaluation import evaluate_rules
from webapp.alerts.models import Delivery
from webapp.alerts.receivers.signing import verify

pytestmark = pytest.mark.django_db


def _fire(source, cycles, make_rule, receivers) -> None:
    make_rule(receivers)
    source.edges = FAULTY
    evaluate_rules(cycles(2))


def _drain(rounds: int = 40) -> None:
    """Attempt due deliveries until none is pending (retries are milliseconds apart here)."""
    for _ in range(rounds):
        deliveries.deliver_due()
        if not Delivery.objects.filter(status="pending").exists():
            return
        wait_for(lambda: bool(deliveries.due_ids()), timeout=0.2)


def test_a_receiver_gets_a_signed_payload(serve, source, cycles, make_rule, make_receiver):
    hook = serve()
    _fire(source, cycles, make_rule, [make_receiver(hook.url)])
    _drain()
    (got,) = hook.received
    stamp, sig = got.headers["X-Meshwatch-Timestamp"], got.headers["X-Meshwatch-Signature"]
    assert verify(SECRET, stamp, got.body, sig)
    expected = "sha256=" + hmac.new(SECRET.encode(), f"{stamp}.".encode() + got.body,
                                    "sha256").hexdigest()
    assert sig == expected
    body = got.json()
    assert body["event"] == "firing"
    assert body["alerts"][0]["labels"]["destination_workload"] == "api"
    delivery = Delivery.objects.get()
    assert got.headers["X-Meshwatch-Delivery"] == delivery.key == body["delivery"]
    assert delivery.status == "delivered" and delivery.attempt_log.get().status_code == 200


def test_failures_are_retried_with_the_same_key_until_delivered(serve, source, cycles,
                                                                make_rule, make_receiver):
    flaky = serve(Behaviour(plan=["fail", "fail", "fail"]))
    _fire(source, cycles, make_rule, [make_receiver(flaky.url)])
    _drain()
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 4
    log = list(delivery.attempt_log.values_list("status_code", "ok"))
    assert log == [(500, False), (500, False), (500, False), (200, True)]
    assert delivery.attempt_log.first().response_excerpt == "receiver is down"
    assert len({r.headers["X-Meshwatch-Delivery"] for r in flaky.received}) == 1
    assert len({r.body for r in flaky.received}) == 1  # the same bytes on every retry


def test_a_hanging_or_closing_receiver_is_recorded_and_blocks_nobody(
        serve, source, cycles, make_rule, make_receiver):
    hang, close, ok = serve(Behaviour(default="hang", hang_s=2)), serve(
        Behaviour(default="close")), serve()
    _fire(source, cycles, make_rule, [make_receiver(u.url) for u in (hang, close, ok)])
    deliveries.deliver_due()
    assert len(ok.received) == 1
    by_url = {d.receiver.url: d for d in Delivery.objects.select_related("receiver")}
    hang_attempt = by_url[hang.url].attempt_log.get()
    assert hang_attempt.error == "timeout" and hang_attempt.latency_ms < 1500
    assert by_url[close.url].attempt_log.get().error.startswith("connection failed")
    assert by_url[hang.url].status == by_url[close.url].status == "pending"
    assert by_url[ok.url].status == "delivered"


def test_a_delivery_older_than_the_max_age_becomes_a_dead_letter(
        serve, source, cycles, make_rule, make_receiver, settings):
    settings.MESHWATCH_WEBHOOK_MAX_AGE_S = 0.001
    down = serve(Behaviour(default="fail"))
    _fire(source, cycles, make_rule, [make_receiver(down.url)])
    deliveries.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "dead" and delivery.last_error == "HTTP 500"
    down.server.behaviour.default = "ok"
    settings.MESHWATCH_WEBHOOK_MAX_AGE_S = 3600
    deliveries.retry(delivery)
    deliveries.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2


def test_a_delivery_is_claimed_by_one_worker_only(source, cycles, make_rule, make_receiver):
    _fire(source, cycles, make_rule, [make_receiver("http://127.0.0.1:9/hook")])
    pk = Delivery.objects.get().pk
    now = timezone.now()
    assert deliveries.claim(pk, now) is True
    assert deliveries.claim(pk, now) is False  # held: a second worker must not send it
    assert deliveries.due_ids(now) == []
    later = now + timedelta(minutes=5)  # the first worker died; its claim lapsed
    assert deliveries.due_ids(later) == [pk] and deliveries.claim(pk, later) is True


def test_backoff_doubles_with_jitter_and_is_capped():
    delays = [deliveries.backoff_s(n, base_s=10, cap_s=60) for n in range(1, 6)]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20 and 20 <= delays[2] <= 40
    assert all(30 <= d <= 60 for d in delays[3:])


@pytest.mark.parametrize("kind", ["alertmanager", "slack"])
def test_other_payload_formats(serve, source, cycles, make_rule, make_receiver, kind):
    hook = serve()
    _fire(source, cycles, make_rule, [make_receiver(hook.url, kind=kind)])
    _drain()
    body = json.loads(hook.received[0].body)
    if kind == "alertmanager":
        assert body["version"] == "4" and body["status"] == "firing"
        assert body["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z"
        assert set(body) >= {"groupKey", "groupLabels", "commonLabels", "commonAnnotations",
                             "externalURL", "receiver", "truncatedAlerts"}
    else:
        assert body["text"].startswith("[FIRING]") and body["attachments"][0]["color"]
    assert verify(SECRET, hook.received[0].headers["X-Meshwatch-Timestamp"],
                  hook.received[0].body, hook.received[0].headers["X-Meshwatch-Signature"])
