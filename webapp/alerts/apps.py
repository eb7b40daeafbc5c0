"""The alerts app: rules over stored mesh data, signed webhooks, inbound Alertmanager alerts."""

from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "webapp.alerts"
    label = "alerts"

    def ready(self) -> None:
        # A typo in MESHWATCH_WEBHOOK_ALLOW must stop the process at start-up, not silently
        # refuse (or allow) receivers later.
        from webapp.alerts.ssrf import allowed_networks

        allowed_networks()
