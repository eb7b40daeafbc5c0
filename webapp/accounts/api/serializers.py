"""REST shapes of the accounts app: tokens (never their secret, except once on create) and
audit events."""

from __future__ import annotations

from rest_framework import serializers

from webapp.accounts.models import ApiToken, AuditEvent, Scope
from webapp.accounts.services import MAX_NAMESPACES, MAX_TOKEN_DAYS, TokenRequest


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: its public prefix, never the token or its digest."""

    user = serializers.CharField(source="user.username", read_only=True,
                                 help_text="The username the token acts as.")
    state = serializers.SerializerMethodField(help_text="active, expired or revoked.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user", "scope", "namespaces", "created_at",
                  "expires_at", "last_used_at", "revoked_at", "state"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The token's id (for DELETE /api/v1/tokens/<id>)."},
            "name": {"help_text": "A label its creator chose."},
            "created_at": {"help_text": "When it was issued."},
            "expires_at": {"help_text": "When it stops working; null: never."},
            "last_used_at": {"help_text": "Its last use, to the minute; null: never used."},
            "revoked_at": {"help_text": "When it was revoked; null: not revoked."},
        }

    def get_state(self, token: ApiToken) -> str:
        """active, expired or revoked."""
        from django.utils import timezone

        if token.revoked_at is not None:
            return "revoked"
        if token.expires_at is not None and token.expires_at <= timezone.now():
            return "expired"
        return "active"


class TokenCreateSerializer(serializers.Serializer):
    """What POST /api/v1/tokens takes."""

    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                 help_text="A label to tell the token apart.")
    scope = serializers.ChoiceField(
        choices=Scope.choices, default=Scope.READ,
        help_text="read (GET only), write (also changes) or admin (admins only).")
    namespaces = serializers.ListField(
        child=serializers.CharField(max_length=63), required=False, default=list,
        max_length=MAX_NAMESPACES,
        help_text="Limit the token to these namespaces (within the caller's); empty: all "
        "the caller sees.")
    expires_in_days = serializers.IntegerField(
        min_value=0, max_value=MAX_TOKEN_DAYS, required=False, allow_null=True, default=None,
        help_text="0: never; omitted: MESHWATCH_TOKEN_DEFAULT_DAYS (none when 0).")

    def to_request(self) -> TokenRequest:
        """The validated body as a TokenRequest."""
        data = self.validated_data
        return TokenRequest(name=data["name"], scope=data["scope"],
                            namespaces=tuple(data["namespaces"]),
                            expires_in_days=data["expires_in_days"])


class CreatedTokenSerializer(ApiTokenSerializer):
    """The create response: the row, plus the token itself, shown this once."""

    token = serializers.CharField(read_only=True,
                                  help_text="The token itself: shown in this response only.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class AuditEventSerializer(serializers.ModelSerializer):
    """One audit event."""

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "username", "token_id", "action", "target", "detail",
                  "client_address"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The event's id."},
            "at": {"help_text": "When it happened."},
            "token_id": {"help_text": "The API token used, if any (its id, never its value)."},
            "action": {"help_text": "What was done, e.g. token.create, login.failure."},
            "target": {"help_text": "What it was done to."},
            "detail": {"help_text": "Names, ids and changed field names; never a secret."},
            "client_address": {"help_text": "The caller's address."},
        }
