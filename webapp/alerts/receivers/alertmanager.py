"""Alertmanager's webhook format, version "4": any Alertmanager webhook consumer reads it.

Field names and the zero time for "no end" follow Alertmanager's own serialization
(docs/configuration.md, <webhook_config>).
"""

from __future__ import annotations

from typing import Any

from webapp.alerts.receivers.notification import AlertView, Notification, iso

ZERO_TIME = "0001-01-01T00:00:00Z"


def render(notification: Notification) -> dict[str, Any]:
    """The version 4 payload of `notification` (a test notification reads as firing)."""
    status = "resolved" if notification.event == "resolved" else "firing"
    return {
        "version": "4",
        "groupKey": notification.group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": notification.receiver,
        "groupLabels": notification.group_labels,
        "commonLabels": notification.common("labels"),
        "commonAnnotations": notification.common("annotations"),
        "externalURL": notification.external_url,
        "alerts": [_alert(alert) for alert in notification.alerts],
    }


def _alert(alert: AlertView) -> dict[str, Any]:
    return {
        "status": alert.status,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "startsAt": iso(alert.starts_at) or ZERO_TIME,
        "endsAt": iso(alert.ends_at) or ZERO_TIME,
        "generatorURL": alert.url,
        "fingerprint": alert.fingerprint[:16],
    }
