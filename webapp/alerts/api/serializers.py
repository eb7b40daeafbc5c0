"""REST shapes of the alerts app (NetBox-style: one serializer per model, names derived)."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.accounts.models import Team
from webapp.alerts import ssrf, templates
from webapp.alerts.api.ownership import owned
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
from webapp.api.described import Described
from webapp.graph.options import NAMESPACE_NAME

_SCOPE_KEYS = {"namespaces", "workload_selector", "service_selector"}


def no_nul(value: Any, name: str) -> None:
    """PostgreSQL's jsonb cannot hold U+0000: refuse it with the field's name, not a 500."""
    if isinstance(value, str):
        if "\x00" in value:
            raise serializers.ValidationError({name: ["may not contain the NUL character"]})
    elif isinstance(value, dict):
        for key, item in value.items():
            no_nul(key, name)
            no_nul(item, name)
    elif isinstance(value, list):
        for item in value:
            no_nul(item, name)


JSON_FIELDS = ("scope", "labels", "annotations", "group_by", "params", "matchers")


def _string_map(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise serializers.ValidationError(f"{name} must be an object of strings")
    return value


STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


def _team_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True,
        help_text="The owning team, by name; null: global (admins only). Omitted: your team.",
    )


class ReceiverSerializer(Described, serializers.ModelSerializer):
    """A webhook receiver; `secret` is write-only (omit it and one is generated, shown once)."""

    secret = serializers.CharField(
        write_only=True, required=False, min_length=16, max_length=200, trim_whitespace=False,
        help_text="Signs every request (HMAC-SHA256); never returned after creation.",
    )
    team = _team_field()
    descriptions = {
        "name": "A unique name.",
        "kind": "The payload format: webhook, alertmanager or slack.",
        "url": "Where notifications are POSTed; private and link-local addresses are refused.",
        "enabled": "Disabled receivers get nothing.",
    }

    class Meta:
        model = Receiver
        fields = ["id", "name", "kind", "url", "secret", "enabled", "team", "created_at"]
        read_only_fields = ["created_at"]

    def validate_url(self, value: str) -> str:
        try:
            ssrf.check_literal(value)
        except ssrf.RefusedURL as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value


@extend_schema_field({
    "type": "object",
    "properties": {
        "namespaces": {"type": "array", "items": {"type": "string"},
                       "description": "The namespaces it watches; empty: all (admins only)."},
        "workload_selector": {**STRING_MAP, "description": "Workload labels that must match."},
        "service_selector": {**STRING_MAP, "description": "Service labels that must match."},
    },
})
class ScopeField(serializers.JSONField):
    """What a rule watches."""


@extend_schema_field(STRING_MAP)
class StringMapField(serializers.JSONField):
    """An object of strings (labels, annotations, matchers)."""


class AlertRuleSerializer(Described, serializers.ModelSerializer):
    """A rule; an edge (or other subject) fires when its value is above the threshold
    (mtls_coverage: below)."""

    kind = serializers.ChoiceField(
        choices=sorted(KINDS), help_text="What it measures; see the README's alerting section."
    )
    receivers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Receiver.objects.all(), required=False,
        help_text="Ids of the receivers it notifies (yours or your team's).",
    )
    scope = ScopeField(required=False, help_text="The namespaces and selectors it watches.")
    labels = StringMapField(required=False, help_text="Labels added to its alerts.")
    annotations = StringMapField(
        required=False, help_text="Templates ($name) rendered into its alerts' annotations."
    )
    group_by = serializers.JSONField(
        required=False, help_text="Label names: alerts sharing them notify together."
    )
    params = serializers.JSONField(required=False, help_text="Options of the rule's kind.")
    descriptions = {
        "name": "A unique name.",
        "threshold": "The value past which a subject breaches.",
        "for_seconds": "How long a breach lasts before the alert fires.",
        "window_seconds": "The window the value is measured over, 15 to 604800 s.",
        "severity": "info, warning or critical.",
        "enabled": "Disabled rules are not evaluated.",
        "muted_until": "Notifications are muted until then; null: not muted.",
        "last_evaluated_at": "When it was last evaluated.",
        "last_note": "Why the last evaluation judged nothing, if it did not.",
    }

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

    def validate_receivers(self, value: list[Receiver]) -> list[Receiver]:
        request = self.context.get("request")
        if request is None:
            return value
        allowed = set(owned(Receiver.objects.all(), request).values_list("pk", flat=True))
        hidden = sorted(r.pk for r in value if r.pk not in allowed)
        if hidden:
            raise serializers.ValidationError(
                f"no receiver of yours has id {', '.join(map(str, hidden))}")
        return value

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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in JSON_FIELDS:
            no_nul(attrs.get(name), name)
        return attrs

    def validate_window_seconds(self, value: int) -> int:
        if not 15 <= value <= 7 * 86400:
            raise serializers.ValidationError("window_seconds must be between 15 and 604800")
        return value


class AlertEventSerializer(Described, serializers.ModelSerializer):
    """One state change of an alert."""

    descriptions = {
        "at": "When it changed.",
        "from_state": "The state before.",
        "to_state": "The state after.",
        "value": "The measured value then.",
    }

    class Meta:
        model = AlertEvent
        fields = ["at", "from_state", "to_state", "value"]


ALERT_TEXTS = {
    "rule": "The id of the rule that raised it.",
    "subject": "What it is about: an edge, workload, namespace or DNS zone id.",
    "fingerprint": "A stable digest of rule and subject.",
    "state": "inactive, pending, firing or resolved.",
    "value": "The last measured value; null when none could be measured.",
    "annotations": "Rendered annotations (summary, description...).",
    "evidence": "The numbers behind the verdict.",
    "active_since": "Start of the current breach.",
    "firing_since": "When it started firing.",
    "resolved_at": "When it resolved.",
    "last_evaluated_at": "When it was last evaluated.",
}


class AlertSerializer(Described, serializers.ModelSerializer):
    """An alert: one rule's verdict on one subject."""

    rule_name = serializers.CharField(source="rule.name", read_only=True,
                                      help_text="The rule's name.")
    severity = serializers.CharField(source="rule.severity", read_only=True,
                                     help_text="The rule's severity.")
    labels = StringMapField(read_only=True, help_text="Labels: the rule's and the subject's.")
    descriptions = ALERT_TEXTS

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

    history = AlertEventSerializer(source="events", many=True, read_only=True,
                                   help_text="Every state change, oldest first.")

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "history"]
        read_only_fields = fields


class SilenceSerializer(Described, serializers.ModelSerializer):
    """A silence: mutes matching alerts' notifications until `ends_at`."""

    matchers = StringMapField(required=False, help_text="label: value; all must match.")
    team = _team_field()
    namespaces = serializers.ListField(
        child=serializers.RegexField(NAMESPACE_NAME.pattern, max_length=63), required=False,
        max_length=200,
        help_text="The namespaces it may mute; a team's silence defaults to all its creator "
        "may see, and may not name others. Empty for an admin's: every namespace.",
    )
    descriptions = {
        "rule": "Only this rule's alerts; null: any rule's.",
        "starts_at": "When it starts muting.",
        "ends_at": "When it stops muting.",
        "comment": "Why.",
    }

    class Meta:
        model = Silence
        fields = ["id", "matchers", "rule", "team", "namespaces", "starts_at", "ends_at",
                  "comment", "created_at"]
        read_only_fields = ["created_at"]

    def validate_matchers(self, value: Any) -> dict[str, str]:
        return _string_map(value, "matchers")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        no_nul(attrs.get("matchers"), "matchers")
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError("ends_at must be after starts_at")
        return attrs


class DeliveryAttemptSerializer(Described, serializers.ModelSerializer):
    """One HTTP attempt of a delivery."""

    descriptions = {
        "number": "1 for the first attempt.",
        "started_at": "When it was sent.",
        "status_code": "The HTTP status that came back; null without an answer.",
        "latency_ms": "How long the answer took.",
        "ok": "Whether it counted as delivered.",
        "error": "Why it failed, if it did.",
        "response_excerpt": "The start of the response body.",
    }

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


class DeliverySerializer(Described, serializers.ModelSerializer):
    """A notification to one receiver, with every attempt; dead letters are `status: dead`."""

    receiver_name = serializers.CharField(source="receiver.name", read_only=True,
                                          help_text="The receiver's name.")
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True,
                                            help_text="Every attempt, first first.")
    payload = serializers.SerializerMethodField(help_text="The exact JSON body sent.")
    descriptions = {
        "key": "The idempotency key, sent as X-Meshwatch-Delivery.",
        "receiver": "The receiver's id.",
        "rule": "The rule's id; null for a test notification.",
        "event": "firing, resolved or test.",
        "group_key": "The group of alerts it carries.",
        "status": "pending, delivered or dead.",
        "attempts": "Attempts so far.",
        "next_attempt_at": "When it is tried next.",
        "expires_at": "After this a failing delivery is dead.",
        "delivered_at": "When it landed.",
        "last_error": "Why the last attempt failed.",
    }

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

    @extend_schema_field({"type": "object", "additionalProperties": True,
                          "description": "The receiver kind's payload."})
    def get_payload(self, delivery: Delivery) -> Any:
        return json.loads(delivery.body)


class InboundAlertSerializer(Described, serializers.ModelSerializer):
    """One alert as an Alertmanager webhook reported it."""

    labels = StringMapField(read_only=True, help_text="The alert's labels.")
    annotations = StringMapField(read_only=True, help_text="The alert's annotations.")
    descriptions = {
        "fingerprint": "Alertmanager's fingerprint of the alert.",
        "status": "firing or resolved.",
        "receiver": "The Alertmanager receiver that sent it.",
        "group_key": "Alertmanager's group key.",
        "starts_at": "When it started.",
        "ends_at": "When it ended, or Alertmanager's guess.",
        "generator_url": "The link to what generated it.",
        "received_at": "When meshwatch received it.",
    }

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


class AlertmanagerAlertSerializer(serializers.Serializer):
    """One alert of an Alertmanager webhook payload."""

    status = serializers.CharField(help_text="firing or resolved.")
    labels = StringMapField(help_text="The alert's labels.")
    annotations = StringMapField(required=False, help_text="The alert's annotations.")
    startsAt = serializers.CharField(required=False, help_text="RFC 3339.")  # noqa: N815
    endsAt = serializers.CharField(required=False, help_text="RFC 3339.")  # noqa: N815
    generatorURL = serializers.CharField(required=False, help_text="What made it.")  # noqa: N815
    fingerprint = serializers.CharField(required=False, help_text="Alertmanager's digest.")


class AlertmanagerPayloadSerializer(serializers.Serializer):
    """An Alertmanager webhook payload, version "4" (documented here; parsed by inbound.py)."""

    version = serializers.CharField(help_text='"4".')
    groupKey = serializers.CharField(help_text="The group's key.")  # noqa: N815
    status = serializers.CharField(help_text="firing or resolved.")
    receiver = serializers.CharField(help_text="The Alertmanager receiver's name.")
    alerts = AlertmanagerAlertSerializer(many=True, help_text="The group's alerts.")
    externalURL = serializers.CharField(  # noqa: N815
        required=False, help_text="The Alertmanager's URL."
    )


class AlertmanagerResultSerializer(serializers.Serializer):
    """What a webhook delivery stored."""

    accepted = serializers.IntegerField(help_text="New reports stored.")
    duplicates = serializers.IntegerField(help_text="Reports already stored (HA pairs, repeats).")
