"""Page URLs, included at the site root by webapp/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from webapp.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.graph_page, name="graph"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
