"""Top-level URLs: pages, the versioned REST API, health endpoints and the admin."""

from django.contrib import admin
from django.urls import include, path

from webapp.ui import health, metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("api/v1/", include("webapp.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("webapp.ui.urls")),
]

# Under /api/ Django's own errors read as problem details too; elsewhere the usual pages.
handler400 = "webapp.api.problems.bad_request"
handler403 = "webapp.api.problems.permission_denied"
handler404 = "webapp.api.problems.page_not_found"
handler500 = "webapp.api.problems.server_error"
