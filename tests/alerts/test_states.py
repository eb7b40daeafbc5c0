"""The state machine alone: inactive → pending → firing → resolved, as a pure function."""

from __future__ import annotations

from datetime import timedelta

from webapp.alerts import states
from webapp.alerts.states import Clock, notified_event, step


def test_a_breach_is_pending_until_it_has_held_for_the_duration(t0):
    pending = step(Clock(), True, 30, t0)
    assert pending.state == states.PENDING and pending.active_since == t0
    still = step(pending, True, 30, t0 + timedelta(seconds=15))
    assert still.state == states.PENDING
    firing = step(still, True, 30, t0 + timedelta(seconds=30))
    assert firing.state == states.FIRING and firing.firing_since == t0 + timedelta(seconds=30)
    assert notified_event(still, firing) == "firing"


def test_for_zero_fires_at_once(t0):
    assert step(Clock(), True, 0, t0).state == states.FIRING


def test_a_pending_alert_that_recovers_goes_quietly_inactive(t0):
    pending = step(Clock(), True, 60, t0)
    after = step(pending, False, 60, t0 + timedelta(seconds=15))
    assert after.state == states.INACTIVE and notified_event(pending, after) == ""


def test_a_firing_alert_resolves_and_a_new_breach_starts_a_new_episode(t0):
    firing = step(Clock(), True, 0, t0)
    resolved = step(firing, False, 0, t0 + timedelta(seconds=15))
    assert resolved.state == states.RESOLVED and notified_event(firing, resolved) == "resolved"
    again = step(resolved, True, 15, t0 + timedelta(seconds=30))
    assert again.state == states.PENDING and again.firing_since is None
