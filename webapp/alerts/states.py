"""The alert state machine, as a pure function: inactive → pending → firing → resolved.

A breach makes an alert pending; once it has held for the rule's `for` duration it fires
(at once when `for` is 0). A pending alert whose breach ends goes back to inactive without a
word; a firing one resolves, and that is notified. A resolved alert that breaches again
starts a new episode as pending. Times are evaluation times, so replays behave like live runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

INACTIVE, PENDING, FIRING, RESOLVED = "inactive", "pending", "firing", "resolved"


@dataclass(frozen=True)
class Clock:
    """An alert's state and the times that go with it."""

    state: str = INACTIVE
    active_since: datetime | None = None
    firing_since: datetime | None = None
    resolved_at: datetime | None = None


def step(clock: Clock, breached: bool, for_seconds: float, at: datetime) -> Clock:
    """The clock after one evaluation at `at`."""
    if not breached:
        if clock.state == PENDING:
            return Clock(INACTIVE)
        if clock.state == FIRING:
            return replace(clock, state=RESOLVED, resolved_at=at)
        return clock
    if clock.state in (INACTIVE, RESOLVED):
        clock = Clock(PENDING, active_since=at)
    held = clock.active_since is not None and at - clock.active_since >= timedelta(
        seconds=for_seconds)
    if clock.state == PENDING and held:
        return replace(clock, state=FIRING, firing_since=at)
    return clock


def notified_event(before: Clock, after: Clock) -> str:
    """"firing" or "resolved" when the change is one receivers hear of, else ""."""
    if after.state == FIRING and before.state != FIRING:
        return "firing"
    if after.state == RESOLVED and before.state == FIRING:
        return "resolved"
    return ""
