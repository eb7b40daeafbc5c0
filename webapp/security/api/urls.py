"""The mTLS endpoint, included under `/api/v1/` by webapp/api/urls.py."""

from django.urls import path

from webapp.security.api import views

urlpatterns = [
    path("mtls", views.MtlsView.as_view(), name="mtls"),
]
