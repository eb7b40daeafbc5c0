"""`/api/v1/insights`: findings (list, detail) and the checks; `checks` before `<id>`."""

from __future__ import annotations

from django.urls import path

from webapp.insights.api import views

urlpatterns = [
    path("insights", views.FindingList.as_view(), name="insights-list"),
    path("insights/checks", views.CheckList.as_view(), name="insights-checks"),
    path("insights/<str:id>", views.FindingDetail.as_view(), name="insights-detail"),
]
