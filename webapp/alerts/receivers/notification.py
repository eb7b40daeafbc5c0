"""What a notification says, independent of the receiver's payload format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC, or None."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


@dataclass(frozen=True)
class AlertView:
    """One alert as a notification reports it."""

    fingerprint: str
    rule: str
    subject: str
    status: str  # firing or resolved
    severity: str
    value: float | None
    starts_at: datetime | None
    ends_at: datetime | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class Notification:
    """A group of alerts changing together, for one receiver.

    `event` is firing, resolved or test; `key` is the delivery's idempotency key.
    """

    key: str
    event: str
    receiver: str
    group_key: str
    group_labels: dict[str, str]
    alerts: tuple[AlertView, ...]
    external_url: str = ""

    def common(self, attribute: str) -> dict[str, str]:
        """The labels (or annotations) every alert shares with the same value."""
        maps: list[dict[str, str]] = [getattr(a, attribute) for a in self.alerts]
        if not maps:
            return {}
        first = maps[0]
        return {k: v for k, v in first.items() if all(m.get(k) == v for m in maps[1:])}
