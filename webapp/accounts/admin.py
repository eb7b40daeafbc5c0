from django.contrib import admin

from webapp.accounts.models import ApiToken, NamespaceGrant, Team


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


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
