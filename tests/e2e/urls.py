"""Only the page URLs, for rendering pages in the harness without importing every app's URLs
(which may touch the database at import time)."""

from django.urls import include, path

urlpatterns = [path("", include("webapp.ui.urls"))]
