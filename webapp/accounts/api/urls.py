"""Routes of the accounts API under /api/v1/ (no trailing slashes, as the rest of the API)."""

from django.urls import path

from webapp.accounts.api import views

urlpatterns = [
    path("tokens", views.TokenListView.as_view(), name="token-list"),
    path("tokens/<int:token_id>", views.TokenDetailView.as_view(), name="token-detail"),
    path("audit", views.AuditEventListView.as_view(), name="audit-list"),
]
