"""Page URLs, included at the site root by webapp/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from webapp.accounts import views as account_views
from webapp.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.graph_page, name="graph"),
    path("overview", views.overview_page, name="overview"),
    path("heatmap", views.heatmap_page, name="heatmap"),
    path("dns", views.dns_page, name="dns"),
    path("alerts", views.alerts_page, name="alerts"),
    path("mtls", views.mtls_page, name="mtls"),
    path("insights", views.insights_page, name="insights"),
    path("inventory", views.inventory_page, name="inventory"),
    path("tokens/", account_views.tokens_page, name="tokens"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
