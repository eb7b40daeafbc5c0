"""The live `alerts` topic: a snapshot of current alerts, and a delta after each evaluation.

The pipeline publishes every topic right after a cycle commits, before the alert rules have
run on it; so after an evaluation the alerts views are advanced once more here, and their
delta carries the new states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from webapp.alerts.models import Alert, InboundAlert
from webapp.graph.options import parse_namespaces

STATES = ("pending", "firing", "resolved")
_DEFAULT_STATES = ("firing", "pending")  # sorted, as parsed states are


@dataclass(frozen=True)
class AlertsOptions:
    """What an alerts view shows: the states asked for (default pending and firing), and
    when `namespaces` are named, only alerts all of whose namespaces are among them (how a
    viewer limited to some namespaces watches; views are shared by their params)."""

    states: tuple[str, ...] = _DEFAULT_STATES
    namespaces: tuple[str, ...] = ()
    at: None = None  # never pinned: alerts are "now"

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> AlertsOptions:
        """Parse `{"state": "firing,pending", "namespaces": "a,b"}`; ValueError names a bad
        state or namespace."""
        namespaces = parse_namespaces(params.get("namespaces"))
        raw = params.get("state") or params.get("states")
        if not raw:
            return cls(namespaces=namespaces)
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        wanted = tuple(sorted({str(i).strip() for i in items if str(i).strip()}))
        for state in wanted:
            if state not in STATES:
                raise ValueError(f"state must be among {', '.join(STATES)}")
        return cls(wanted or _DEFAULT_STATES, namespaces)

    def as_params(self) -> dict[str, object]:
        return {"state": ",".join(self.states), "namespaces": ",".join(self.namespaces)}


def alert_item(alert: Alert) -> dict[str, Any]:
    """One alert as the topic (and the overlay) shows it."""
    return {
        "id": f"alert:{alert.pk}",
        "source": "meshwatch",
        "rule": alert.rule_id,
        "name": alert.rule.name,
        "subject": alert.subject,
        "state": alert.state,
        "severity": alert.rule.severity,
        "value": alert.value,
        "labels": alert.labels,
        "summary": alert.annotations.get("summary", ""),
        "firing_since": alert.firing_since.isoformat() if alert.firing_since else None,
    }


def inbound_item(row: InboundAlert) -> dict[str, Any]:
    """One firing Alertmanager alert as the topic shows it."""
    return {
        "id": f"inbound:{row.fingerprint}",
        "source": "alertmanager",
        "name": row.labels.get("alertname", ""),
        "state": row.status,
        "severity": row.labels.get("severity", ""),
        "labels": row.labels,
        "summary": row.annotations.get("summary", ""),
        "firing_since": row.starts_at.isoformat() if row.starts_at else None,
    }


def build_alerts(options: AlertsOptions) -> dict[str, Any]:
    """The snapshot: meshwatch's alerts in the asked states, plus firing inbound alerts."""
    from webapp.alerts.api.views import alert_visible
    from webapp.alerts.inbound import firing_inbound

    own = Alert.objects.filter(state__in=options.states).select_related("rule").order_by("pk")
    items = [alert_item(a) for a in own]
    if "firing" in options.states:
        items += [inbound_item(row) for row in firing_inbound()]
    if options.namespaces:
        wanted = set(options.namespaces)
        items = [item for item in items if alert_visible(item["labels"], wanted)]
    return {"generated_at": timezone.now().isoformat(), "alerts": items}


def publish_alert_views() -> None:
    """Advance every active alerts view now (a delta even when nothing changed)."""
    from webapp.live.broadcast import ACTIVE_FOR, advance
    from webapp.live.models import TopicState

    active = TopicState.objects.filter(
        topic="alerts", pinned=False, last_seen_at__gte=timezone.now() - ACTIVE_FOR
    )
    for pk in active.order_by("pk").values_list("pk", flat=True):
        advance(pk, None)
