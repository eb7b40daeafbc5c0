"""API tokens, teams and namespace grants. Users are Django's own."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    is_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


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
