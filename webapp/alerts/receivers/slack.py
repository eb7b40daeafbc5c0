"""Slack-compatible incoming-webhook JSON: a text line plus one attachment per alert."""

from __future__ import annotations

from typing import Any

from webapp.alerts.receivers.notification import AlertView, Notification

_COLOURS = {"critical": "#d9534f", "warning": "#f0ad4e", "info": "#5bc0de"}
_RESOLVED = "#5cb85c"
MAX_ATTACHMENTS = 20  # Slack truncates long messages; the rest is counted in the text


def render(notification: Notification) -> dict[str, Any]:
    """The Slack message of `notification`."""
    alerts = notification.alerts
    title = alerts[0].rule if alerts else "meshwatch"
    text = f"[{notification.event.upper()}] {title}: {len(alerts)} alert(s)"
    if len(alerts) > MAX_ATTACHMENTS:
        text += f" (first {MAX_ATTACHMENTS} shown)"
    return {
        "text": text,
        "attachments": [_attachment(alert) for alert in alerts[:MAX_ATTACHMENTS]],
    }


def _attachment(alert: AlertView) -> dict[str, Any]:
    colour = _RESOLVED if alert.status == "resolved" else _COLOURS.get(alert.severity, "#777777")
    summary = alert.annotations.get("summary") or alert.subject
    value = "" if alert.value is None else f"{alert.value:g}"
    return {
        "color": colour,
        "title": f"{alert.status}: {summary}",
        "title_link": alert.url or None,
        "text": alert.annotations.get("description", ""),
        "fields": [
            {"title": "severity", "value": alert.severity, "short": True},
            {"title": "value", "value": value, "short": True},
            {"title": "subject", "value": alert.subject, "short": False},
        ],
    }
