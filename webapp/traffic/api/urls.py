"""The traffic series endpoint, included under `/api/v1/` by webapp/api/urls.py."""

from django.urls import path

from webapp.traffic.api import views

urlpatterns = [
    path("series", views.SeriesView.as_view(), name="series"),
]
