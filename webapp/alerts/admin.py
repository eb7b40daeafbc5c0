"""Admin pages; a receiver's secret is never shown (it can only be replaced)."""

from __future__ import annotations

from django.contrib import admin

from webapp.alerts.models import (
    Alert,
    AlertRule,
    Delivery,
    DeliveryAttempt,
    InboundAlert,
    Receiver,
    Silence,
)


@admin.register(Receiver)
class ReceiverAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "url", "enabled", "created_at")
    exclude = ("secret",)


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "threshold", "for_seconds", "severity", "enabled")
    list_filter = ("kind", "severity", "enabled")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("rule", "subject", "state", "value", "firing_since", "resolved_at")
    list_filter = ("state",)


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin):
    list_display = ("pk", "rule", "starts_at", "ends_at", "comment")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ("number", "started_at", "status_code", "latency_ms", "ok", "error",
                       "response_excerpt")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("key", "receiver", "event", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "event")
    inlines = [AttemptInline]


@admin.register(InboundAlert)
class InboundAlertAdmin(admin.ModelAdmin):
    list_display = ("fingerprint", "status", "receiver", "received_at")
