"""`/api/v1/`: the versioned REST API and its OpenAPI document."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from webapp.api import docs, views

app_name = "api"
urlpatterns = [
    path("graph", views.GraphView.as_view(), name="graph"),
    path("heatmap", views.HeatmapView.as_view(), name="heatmap"),
    path("status", views.StatusView.as_view(), name="status"),
    path("", include("webapp.dns.api.urls")),
    path("", include("webapp.traffic.api.urls")),
    path("", include("webapp.security.api.urls")),
    path("", include("webapp.alerts.api.urls")),
    path("", include("webapp.inventory.api.urls")),
    path("", include("webapp.insights.api.urls")),
    path("", include("webapp.accounts.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api:schema"), name="docs"),
]
