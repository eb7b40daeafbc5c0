"""REST shapes of the alerts app (NetBox-style: one serializer per model, names derived)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from webapp.alerts import ssrf, templates
from webapp.alerts.models import (
    Alert,
    AlertEvent,
    AlertRule,
    Delivery,
    DeliveryAttempt,
    InboundAlert,
    Receiver,
    Silence,
)
from webapp.alerts.rules import KINDS
from webapp.graph.options import NAMESPACE_NAME

_SCOPE_KEYS = {"namespaces", "workload_selector", "service_selector"}


def _string_map(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise serializers.ValidationError(f"{name} must be an object of strings")
    return value


class ReceiverSerializer(serializers.ModelSerializer):
    """A receiver; `secret` is write-only (omit it and one is generated, shown once)."""

    secret = serializers.CharField(
        write_only=True, required=False, min_length=16, max_length=200, trim_whitespace=False
    )

    class Meta:
        model = Receiver
        fields = ["id", "name", "kind", "url", "secret", "enabled", "created_at"]
        read_only_fields = ["created_at"]

    def validate_url(self, value: str) -> str:
        try:
            ssrf.check_literal(value)
        except ssrf.RefusedURL as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value


class AlertRuleSerializer(serializers.ModelSerializer):
    """A rule; an edge (or other subject) fires when its value is above the threshold
    (mtls_coverage: below)."""

    kind = serializers.ChoiceField(choices=sorted(KINDS))
    receivers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Receiver.objects.all(), required=False
    )

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "name",
            "kind",
            "scope",
            "threshold",
            "for_seconds",
            "window_seconds",
            "severity",
            "labels",
            "annotations",
            "group_by",
            "params",
            "receivers",
            "enabled",
            "muted_until",
            "last_evaluated_at",
            "last_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_evaluated_at", "last_note", "created_at", "updated_at"]

    def validate_scope(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or set(value) - _SCOPE_KEYS:
            raise serializers.ValidationError(
                f"scope is an object with {', '.join(sorted(_SCOPE_KEYS))}"
            )
        namespaces = value.get("namespaces", [])
        if not isinstance(namespaces, list) or not all(
            isinstance(n, str) and NAMESPACE_NAME.match(n) for n in namespaces
        ):
            raise serializers.ValidationError("scope.namespaces must be Kubernetes namespaces")
        for key in ("workload_selector", "service_selector"):
            _string_map(value.get(key, {}), f"scope.{key}")
        return value

    def validate_labels(self, value: Any) -> dict[str, str]:
        return _string_map(value, "labels")

    def validate_annotations(self, value: Any) -> dict[str, str]:
        for key, text in _string_map(value, "annotations").items():
            problem = templates.check(text)
            if problem:
                raise serializers.ValidationError(f"annotation {key}: {problem}")
        return value

    def validate_group_by(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise serializers.ValidationError("group_by must be a list of label names")
        return value

    def validate_params(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise serializers.ValidationError("params must be an object")
        return value

    def validate_window_seconds(self, value: int) -> int:
        if not 15 <= value <= 7 * 86400:
            raise serializers.ValidationError("window_seconds must be between 15 and 604800")
        return value


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["at", "from_state", "to_state", "value"]


class AlertSerializer(serializers.ModelSerializer):
    """An alert: one rule's verdict on one subject."""

    rule_name = serializers.CharField(source="rule.name", read_only=True)
    severity = serializers.CharField(source="rule.severity", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "rule_name",
            "subject",
            "fingerprint",
            "state",
            "severity",
            "value",
            "labels",
            "annotations",
            "evidence",
            "active_since",
            "firing_since",
            "resolved_at",
            "last_evaluated_at",
        ]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    """An alert with its history."""

    history = AlertEventSerializer(source="events", many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "history"]
        read_only_fields = fields


class SilenceSerializer(serializers.ModelSerializer):
    """A silence: mutes matching alerts' notifications until `ends_at`."""

    class Meta:
        model = Silence
        fields = ["id", "matchers", "rule", "starts_at", "ends_at", "comment", "created_at"]
        read_only_fields = ["created_at"]

    def validate_matchers(self, value: Any) -> dict[str, str]:
        return _string_map(value, "matchers")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError("ends_at must be after starts_at")
        return attrs


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = [
            "number",
            "started_at",
            "status_code",
            "latency_ms",
            "ok",
            "error",
            "response_excerpt",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    """A notification to one receiver, with every attempt; dead letters are `status: dead`."""

    receiver_name = serializers.CharField(source="receiver.name", read_only=True)
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "key",
            "receiver",
            "receiver_name",
            "rule",
            "event",
            "group_key",
            "status",
            "attempts",
            "next_attempt_at",
            "expires_at",
            "created_at",
            "delivered_at",
            "last_error",
            "attempt_log",
            "payload",
        ]
        read_only_fields = fields

    def get_payload(self, delivery: Delivery) -> Any:
        return json.loads(delivery.body)


class InboundAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboundAlert
        fields = [
            "id",
            "fingerprint",
            "status",
            "receiver",
            "group_key",
            "labels",
            "annotations",
            "starts_at",
            "ends_at",
            "generator_url",
            "received_at",
        ]
        read_only_fields = fields
