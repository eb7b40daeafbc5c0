"""Read-only admin pages: findings and check runs are written by the engine only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from webapp.insights.models import CheckRun, Finding


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Findings by state, severity and check."""

    list_display = ("id", "check_id", "severity", "namespace", "subject_name", "state", "last_seen")
    list_filter = ("state", "severity", "check_id", "subject_kind")
    search_fields = ("id", "subject_id", "title")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CheckRun)
class CheckRunAdmin(admin.ModelAdmin):
    """Each check's last run."""

    list_display = ("check_id", "status", "last_run_at", "finding_count", "duration_ms")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
