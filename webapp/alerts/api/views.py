"""REST views of the alerts app: a queryset, a serializer and a filter each; rules live in
services. Writes need an authenticated user (MeshwatchAccess: anonymous mode is read-only).
Errors read `{"detail": ...}` like the rest of the API; field errors also come as `errors`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from webapp.accounts.authentication import BearerTokenAuthentication
from webapp.accounts.scoping import request_namespaces
from webapp.alerts import inbound, services
from webapp.alerts.api import serializers as s
from webapp.alerts.models import Alert, AlertRule, Delivery, InboundAlert, Receiver, Silence


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [m for k, v in errors.items() for m in _flatten(v, f"{prefix}{k}: ")]
    if isinstance(errors, list):
        return [m for item in errors for m in _flatten(item, prefix)]
    return [f"{prefix}{errors}"]


class DetailErrors:
    """Field errors as one `detail` sentence (plus the per-field `errors`)."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]
        data = response.data
        has_detail = isinstance(data, dict) and "detail" in data
        if isinstance(exc, ValidationError) and isinstance(data, dict | list) and not has_detail:
            response.data = {"detail": "; ".join(_flatten(data)), "errors": data}
        return response


_NAMESPACE_LABELS = ("namespace", "source_namespace", "destination_namespace",
                     "destination_workload_namespace", "destination_service_namespace")


def rule_visible(scope: Any, visible: set[str] | None) -> bool:
    """A rule is visible when its scope names namespaces, all of them visible (None: all)."""
    if visible is None:
        return True
    wanted = scope.get("namespaces") if isinstance(scope, dict) else None
    return bool(wanted) and isinstance(wanted, list) and set(map(str, wanted)) <= visible


def alert_visible(labels: Any, visible: set[str] | None) -> bool:
    """An alert is visible when every namespace its labels name is, and it names one."""
    if visible is None:
        return True
    if not isinstance(labels, dict):
        return False
    named = {str(labels[k]) for k in _NAMESPACE_LABELS if labels.get(k)}
    return bool(named) and named <= visible


def _visible_rule_ids(visible: set[str] | None) -> list[int]:
    return [pk for pk, scope in AlertRule.objects.values_list("pk", "scope")
            if rule_visible(scope, visible)]


def _created_by(request: Request) -> dict[str, Any]:
    return {"created_by": request.user if request.user.is_authenticated else None}


class ReceiverViewSet(DetailErrors, viewsets.ModelViewSet):
    """Webhook receivers. The secret is accepted on create/update and never returned,
    except once in the create response when the server generated it."""

    queryset = Receiver.objects.order_by("pk")
    serializer_class = s.ReceiverSerializer

    def perform_create(self, serializer: BaseSerializer) -> None:
        generated = "secret" not in serializer.validated_data
        secret = services.new_secret() if generated else serializer.validated_data["secret"]
        serializer.save(secret=secret, **_created_by(self.request))
        self._generated = secret if generated else None

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        if getattr(self, "_generated", None):
            response.data["secret"] = self._generated  # shown this once, never again
        return response

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a test notification now; its delivery (and attempts) is returned."""
        delivery = services.send_test(self.get_object())
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class AlertRuleViewSet(DetailErrors, viewsets.ModelViewSet):
    """Alert rules: kinds, scope, threshold, `for`, severity, labels, templates, receivers."""

    queryset = AlertRule.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.AlertRuleSerializer

    def get_queryset(self) -> QuerySet[AlertRule]:
        rules = AlertRule.objects.prefetch_related("receivers").order_by("pk")
        visible = request_namespaces(self.request)
        if visible is not None:
            rules = rules.filter(pk__in=_visible_rule_ids(visible))
        return rules

    def _check_scope(self, serializer: BaseSerializer) -> None:
        visible = request_namespaces(self.request)
        scope = serializer.validated_data.get("scope", getattr(serializer.instance, "scope", {}))
        if not rule_visible(scope or {}, visible):
            raise PermissionDenied(
                "a rule's scope.namespaces must name only namespaces you may see: "
                + ", ".join(sorted(visible or ())))

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save(**_created_by(self.request))

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._check_scope(serializer)
        serializer.save()


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts, newest change first; `?state=firing` and `?rule=ID` filter."""

    queryset = Alert.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.AlertSerializer

    def get_queryset(self) -> QuerySet[Alert]:
        alerts = Alert.objects.select_related("rule").order_by("-updated_at", "-pk")
        params = self.request.query_params
        if params.get("state"):
            alerts = alerts.filter(state__in=params["state"].split(","))
        if params.get("rule", "").isdigit():
            alerts = alerts.filter(rule_id=int(params["rule"]))
        visible = request_namespaces(self.request)
        if visible is not None:
            alerts = alerts.filter(pk__in=[
                pk for pk, labels in alerts.values_list("pk", "labels")
                if alert_visible(labels, visible)])
        return alerts

    def get_serializer_class(self) -> type[BaseSerializer]:
        return s.AlertDetailSerializer if self.action == "retrieve" else s.AlertSerializer


class SilenceViewSet(DetailErrors, viewsets.ModelViewSet):
    """Silences; expired ones stay listed until deleted (`?active=1` hides them)."""

    serializer_class = s.SilenceSerializer

    def get_queryset(self) -> QuerySet[Silence]:
        from django.utils import timezone

        silences = Silence.objects.order_by("-pk")
        if self.request.query_params.get("active") in ("1", "true"):
            now = timezone.now()
            silences = silences.filter(starts_at__lte=now, ends_at__gt=now)
        return silences

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.save(**_created_by(self.request))


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Deliveries with every attempt; `?status=dead` lists the dead letters."""

    queryset = Delivery.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.DeliverySerializer

    def get_queryset(self) -> QuerySet[Delivery]:
        deliveries = Delivery.objects.select_related("receiver").prefetch_related(
            "attempt_log").order_by("-pk")
        params = self.request.query_params
        if params.get("status"):
            deliveries = deliveries.filter(status__in=params["status"].split(","))
        if params.get("receiver", "").isdigit():
            deliveries = deliveries.filter(receiver_id=int(params["receiver"]))
        visible = request_namespaces(self.request)
        if visible is not None:  # a delivery carries its rule's alerts: scoped like the rule
            deliveries = deliveries.filter(rule_id__in=_visible_rule_ids(visible))
        return deliveries

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Send a dead letter (or a waiting delivery) again now."""
        delivery = self.get_object()
        if delivery.status == Delivery.Status.DELIVERED:
            return Response({"detail": "This delivery was delivered; nothing to retry."},
                            status=status.HTTP_409_CONFLICT)
        services.retry_delivery(delivery)
        delivery.refresh_from_db()
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class AlertmanagerView(APIView):
    """Alertmanager webhook receiver (payload version "4"); bearer token only.

    GET lists the inbound alerts currently firing.
    """

    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(request=None, responses={200: s.InboundAlertSerializer(many=True)})
    def get(self, request: Request) -> Response:
        visible = request_namespaces(request)
        rows: list[InboundAlert] = [row for row in inbound.firing_inbound()
                                    if alert_visible(row.labels, visible)]
        return Response(s.InboundAlertSerializer(rows, many=True).data)

    @extend_schema(request=dict, responses={200: dict, 400: dict, 401: dict})
    def post(self, request: Request) -> Response:
        try:
            items = inbound.parse_payload(request.data)
        except inbound.PayloadError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        accepted, duplicates = inbound.store(items)
        if accepted:
            services.publish_alerts()
        return Response({"accepted": accepted, "duplicates": duplicates})
