"""The DNS endpoints, included under `/api/v1/` by webapp/api/urls.py."""

from django.urls import path

from webapp.dns.api import views

urlpatterns = [
    path("dns", views.DnsView.as_view(), name="dns"),
]
