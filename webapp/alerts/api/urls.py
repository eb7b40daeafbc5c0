"""Routes of the alerts API under /api/v1/ (no trailing slashes, as the rest of the API)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from webapp.alerts.api import views

router = SimpleRouter(trailing_slash=False)
router.register("receivers", views.ReceiverViewSet, basename="receiver")
router.register("alert-rules", views.AlertRuleViewSet, basename="alertrule")
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("silences", views.SilenceViewSet, basename="silence")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("alertmanager", views.AlertmanagerView.as_view(), name="alertmanager"),
    *router.urls,
]
