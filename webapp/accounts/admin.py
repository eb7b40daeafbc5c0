"""The accounts app in the Django admin: tokens (never their secret), teams and grants, and
the audit log, read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from webapp.accounts.models import ApiToken, AuditEvent, NamespaceGrant, Team


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "user",
        "name",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("scope",)
    # The digest is not shown: it is not a secret, but nothing here needs it.
    exclude = ("digest",)
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by the page, the API or `issue_token`: shown once


class NamespaceGrantInline(admin.TabularInline):
    model = NamespaceGrant
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("members",)
    inlines = [NamespaceGrantInline]


@admin.register(NamespaceGrant)
class NamespaceGrantAdmin(admin.ModelAdmin):
    list_display = ("team", "namespace", "selector")
    list_filter = ("team",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: readable by staff, writable by nobody."""

    list_display = ("at", "username", "token_id", "action", "target", "client_address")
    list_filter = ("action",)
    search_fields = ("username", "target")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
