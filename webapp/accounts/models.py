"""API tokens, teams, namespace grants, the audit log and rate-limit counters.

Users are Django's own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    """What a token may do, each including the one before."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


SCOPE_RANK: dict[str, int] = {Scope.READ: 0, Scope.WRITE: 1, Scope.ADMIN: 2}


class ApiToken(models.Model):
    """A bearer token for programs. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(
        max_length=12, help_text="The token's public start, to tell them apart."
    )
    digest = models.CharField(max_length=64, unique=True)
    namespaces = models.JSONField(
        default=list, blank=True, help_text="Empty: the user's own scope."
    )
    scope = models.CharField(
        max_length=8, choices=Scope.choices, default=Scope.READ,
        help_text="read: GET only; write: also changes; admin: also users, teams and tokens.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_admin(self) -> bool:
        """Whether the token may manage users, teams, grants and others' tokens."""
        return self.scope == Scope.ADMIN

    def allows(self, needed: str) -> bool:
        """Whether this token's scope covers `needed` (read < write < admin)."""
        return SCOPE_RANK[self.scope] >= SCOPE_RANK[needed]


class Team(models.Model):
    """A group of users that share namespace grants."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    def __str__(self) -> str:
        return self.name


class NamespaceGrant(models.Model):
    """One namespace, by name, or every namespace whose labels match a selector, for a team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="grants")
    namespace = models.CharField(
        max_length=63, blank=True, help_text="A namespace name; or leave empty and give a selector."
    )
    selector = models.TextField(
        blank=True,
        help_text="A Kubernetes label selector over namespace labels, e.g. team=payments.",
    )

    def __str__(self) -> str:
        return f"{self.team}: {self.namespace or self.selector}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from webapp.graph.options import NAMESPACE_NAME
        from webapp.inventory.api.filtersets import FilterError, parse_selector

        if bool(self.namespace) == bool(self.selector.strip()):
            raise ValidationError("Give either a namespace name or a label selector.")
        if self.namespace and not NAMESPACE_NAME.match(self.namespace):
            raise ValidationError({"namespace": "Not a valid Kubernetes namespace name."})
        if self.selector:
            try:
                parse_selector(self.selector)
            except FilterError as exc:
                raise ValidationError({"selector": str(exc)}) from exc


class AuditEvent(models.Model):
    """One admin or write action: who (user and token), what, on what, from where.

    Never holds a secret: token rows are named by id and prefix, receivers by name, and
    changed fields by name only (a webhook URL or secret can be a credential).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True, help_text="kept if the user goes")
    token_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.target}"


class RateLimitEvent(models.Model):
    """One counted event (a login failure, a token creation) under a limiter key.

    In the database so every web replica counts the same events; rows older than the
    window are deleted as new ones arrive.
    """

    key = models.CharField(max_length=200)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.at}"
