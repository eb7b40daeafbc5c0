"""Without REDIS_URL, `collect --once` alone evaluates and delivers: the whole path in-process.

The planted fault is the simulator's own: ratings answers 35 % 5xx while
(t - 300) mod 1380 < 120 (collectors/simulator/__init__.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from tests.alerts.conftest import SECRET
from webapp.alerts.models import Alert, Delivery
from webapp.alerts.receivers.signing import verify

pytestmark = pytest.mark.django_db(transaction=True)


def outage_times(near: datetime) -> tuple[int, int]:
    """A cycle time 60 s into a ratings outage near `near`, and one after it ended."""
    base = int(near.timestamp())
    start = base - (base - 300) % 1380  # the start of the outage period at or before `near`
    inside = start + 60 - (start + 60) % 15
    return inside, inside + 300


def test_a_simulator_fault_fires_and_resolves_through_collect_once(serve, make_rule,
                                                                   make_receiver, t0):
    hook = serve()
    make_rule([make_receiver(hook.url)], name="ratings 5xx", threshold=0.2, window_seconds=30,
              scope={"namespaces": ["bookinfo"]}, severity="critical")
    during, after = outage_times(t0)
    call_command("collect", "--once", "--at", str(during - 15))
    call_command("collect", "--once", "--at", str(during))
    firing = Alert.objects.filter(state="firing")
    assert firing.exists() and all("ratings" in a.subject for a in firing)
    call_command("collect", "--once", "--at", str(after))
    assert not Alert.objects.filter(state="firing").exists()
    events = [r.json()["event"] for r in hook.received]
    assert events == ["firing", "resolved"]
    for request in hook.received:
        assert verify(SECRET, request.headers["X-Meshwatch-Timestamp"], request.body,
                      request.headers["X-Meshwatch-Signature"])
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    fired_at = datetime.fromisoformat(hook.received[0].json()["alerts"][0]["starts_at"])
    assert fired_at == datetime.fromtimestamp(during - 15, tz=UTC)  # already in the outage
