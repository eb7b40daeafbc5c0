"""The generic JSON webhook: every field meshwatch knows, evidence included."""

from __future__ import annotations

from typing import Any

from webapp.alerts.receivers.notification import AlertView, Notification, iso

VERSION = "1"


def render(notification: Notification) -> dict[str, Any]:
    """The meshwatch payload of `notification`."""
    return {
        "version": VERSION,
        "delivery": notification.key,
        "event": notification.event,
        "receiver": notification.receiver,
        "group_key": notification.group_key,
        "group_labels": notification.group_labels,
        "external_url": notification.external_url,
        "alerts": [_alert(alert) for alert in notification.alerts],
    }


def _alert(alert: AlertView) -> dict[str, Any]:
    return {
        "fingerprint": alert.fingerprint,
        "rule": alert.rule,
        "subject": alert.subject,
        "status": alert.status,
        "severity": alert.severity,
        "value": alert.value,
        "starts_at": iso(alert.starts_at),
        "ends_at": iso(alert.ends_at),
        "labels": alert.labels,
        "annotations": alert.annotations,
        "evidence": alert.evidence,
        "url": alert.url,
    }
