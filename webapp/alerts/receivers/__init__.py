"""Receivers: one payload format per file, all signed the same way (signing.py).

A notifier turns a `Notification` into the JSON its kind of consumer expects; the delivery
code does the rest (headers, SSRF check, attempts) the same way for every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webapp.alerts.receivers import alertmanager, slack, webhook
from webapp.alerts.receivers.notification import AlertView, Notification

Renderer = Callable[[Notification], dict[str, Any]]

RENDERERS: dict[str, Renderer] = {
    "webhook": webhook.render,
    "alertmanager": alertmanager.render,
    "slack": slack.render,
}

__all__ = ["RENDERERS", "AlertView", "Notification", "render"]


def render(kind: str, notification: Notification) -> dict[str, Any]:
    """The payload of `notification` for a receiver of `kind`."""
    return RENDERERS[kind](notification)
