"""REST views of the alerts app: a queryset, a serializer and its filters each; rules live in
services. Writes need an authenticated user (MeshwatchAccess: anonymous mode is read-only).
Errors are problem details like the rest of the API (webapp/api/problems.py).

Scoping: rules by their scope's namespaces, alerts by the namespaces their labels name,
deliveries like their rule, receivers and silences by their owning team (ownership.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from webapp.accounts.authentication import BearerTokenAuthentication
from webapp.accounts.scoping import request_namespaces
from webapp.alerts import inbound, services
from webapp.alerts.api import serializers as s
from webapp.alerts.api.ownership import owned, owner_team, silence_namespaces
from webapp.alerts.models import (
    Alert,
    AlertRule,
    Delivery,
    InboundAlert,
    Receiver,
    Silence,
    alert_namespaces,
)
from webapp.api.problems import problem_response
from webapp.api.serializers import ProblemSerializer
from webapp.inventory.api.filtersets import FilterError, namespaces_param

NAMESPACE_FILTER = OpenApiParameter(
    "namespace", str, description="Only those concerning these namespaces, comma-separated."
)


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
    named = alert_namespaces(labels)
    return bool(named) and named <= visible


def _visible_rule_ids(visible: set[str] | None) -> list[int]:
    return [pk for pk, scope in AlertRule.objects.values_list("pk", "scope")
            if rule_visible(scope, visible)]


def _wanted_namespaces(request: Request) -> set[str]:
    """The `?namespace=a,b` filter of a list, validated (a 400 naming a bad name)."""
    try:
        return set(namespaces_param(request.query_params))
    except FilterError as exc:
        raise ParseError(str(exc)) from exc


def _rule_namespaces(scope: Any) -> set[str]:
    named = scope.get("namespaces") if isinstance(scope, dict) else None
    return set(map(str, named)) if isinstance(named, list) else set()


def _created_by(request: Request) -> dict[str, Any]:
    return {"created_by": request.user if request.user.is_authenticated else None}


@extend_schema_view(
    list=extend_schema(summary="List webhook receivers"),
    retrieve=extend_schema(summary="A webhook receiver"),
    create=extend_schema(summary="Create a webhook receiver"),
    update=extend_schema(summary="Replace a webhook receiver"),
    partial_update=extend_schema(summary="Change a webhook receiver"),
    destroy=extend_schema(summary="Delete a webhook receiver"),
)
class ReceiverViewSet(viewsets.ModelViewSet):
    """Webhook receivers, your teams' own (admins: all). The secret is accepted on
    create/update and never returned, except once in the create response when the server
    generated it."""

    queryset = Receiver.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.ReceiverSerializer
    ordering_fields = ("name", "kind", "created_at")
    time_field = "created_at"
    filter_fields = {
        "kind": ("kind", str, "Only these kinds, comma-separated."),
        "enabled": ("enabled", bool, "Only enabled (true) or disabled (false) ones."),
        "team": ("team__name", str, "Only these teams' receivers, comma-separated names."),
    }

    def get_queryset(self) -> QuerySet[Receiver]:
        return owned(Receiver.objects.select_related("team").order_by("pk"), self.request)

    def perform_create(self, serializer: BaseSerializer) -> None:
        team = owner_team(self.request, serializer.validated_data.get("team"))
        generated = "secret" not in serializer.validated_data
        secret = services.new_secret() if generated else serializer.validated_data["secret"]
        serializer.save(secret=secret, team=team, **_created_by(self.request))
        self._generated = secret if generated else None

    def perform_update(self, serializer: BaseSerializer) -> None:
        team = owner_team(self.request, serializer.validated_data.get("team"),
                          serializer.instance)
        serializer.save(team=team)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        if getattr(self, "_generated", None):
            response.data["secret"] = self._generated  # shown this once, never again
        return response

    @extend_schema(summary="Send a test notification", request=None,
                   responses={202: s.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a test notification now; its delivery (and attempts) is returned."""
        delivery = services.send_test(self.get_object())
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(summary="List alert rules", parameters=[NAMESPACE_FILTER]),
    retrieve=extend_schema(summary="An alert rule"),
    create=extend_schema(summary="Create an alert rule"),
    update=extend_schema(summary="Replace an alert rule"),
    partial_update=extend_schema(summary="Change an alert rule"),
    destroy=extend_schema(summary="Delete an alert rule"),
)
class AlertRuleViewSet(viewsets.ModelViewSet):
    """Alert rules: kinds, scope, threshold, `for`, severity, labels, templates, receivers."""

    queryset = AlertRule.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.AlertRuleSerializer
    ordering_fields = ("name", "kind", "severity", "created_at", "updated_at")
    time_field = "updated_at"
    filter_fields = {
        "kind": ("kind", str, "Only these kinds, comma-separated."),
        "severity": ("severity", str, "Only these severities, comma-separated."),
        "enabled": ("enabled", bool, "Only enabled (true) or disabled (false) ones."),
    }

    def get_queryset(self) -> QuerySet[AlertRule]:
        rules = AlertRule.objects.prefetch_related("receivers").order_by("pk")
        visible = request_namespaces(self.request)
        if visible is not None:
            rules = rules.filter(pk__in=_visible_rule_ids(visible))
        wanted = _wanted_namespaces(self.request) if self.action == "list" else set()
        if wanted:
            rules = rules.filter(pk__in=[pk for pk, scope in rules.values_list("pk", "scope")
                                         if wanted & _rule_namespaces(scope)])
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


@extend_schema_view(
    list=extend_schema(summary="List alerts", parameters=[NAMESPACE_FILTER]),
    retrieve=extend_schema(summary="An alert with its history"),
)
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts, newest change first; filter by state, rule, severity, namespace or time."""

    queryset = Alert.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.AlertSerializer
    ordering_fields = {"updated_at": "updated_at", "firing_since": "firing_since",
                       "state": "state", "severity": "rule__severity", "value": "value"}
    time_field = "updated_at"
    filter_fields = {
        "state": ("state", str, "Only these states, comma-separated: firing, pending..."),
        "rule": ("rule_id", int, "Only these rules' alerts, comma-separated ids."),
        "severity": ("rule__severity", str, "Only these severities, comma-separated."),
    }

    def get_queryset(self) -> QuerySet[Alert]:
        alerts = Alert.objects.select_related("rule").order_by("-updated_at", "-pk")
        visible = request_namespaces(self.request)
        wanted = _wanted_namespaces(self.request) if self.action == "list" else set()
        if visible is not None or wanted:
            alerts = alerts.filter(pk__in=[
                pk for pk, labels in alerts.values_list("pk", "labels")
                if alert_visible(labels, visible)
                and (not wanted or wanted & alert_namespaces(labels))])
        return alerts

    def get_serializer_class(self) -> type[BaseSerializer]:
        return s.AlertDetailSerializer if self.action == "retrieve" else s.AlertSerializer


@extend_schema_view(
    list=extend_schema(summary="List silences"),
    retrieve=extend_schema(summary="A silence"),
    create=extend_schema(summary="Create a silence"),
    update=extend_schema(summary="Replace a silence"),
    partial_update=extend_schema(summary="Change a silence"),
    destroy=extend_schema(summary="Delete a silence"),
)
class SilenceViewSet(viewsets.ModelViewSet):
    """Silences, your teams' own (admins: all); expired ones stay listed until deleted
    (`?active=true` hides them)."""

    queryset = Silence.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.SilenceSerializer
    ordering_fields = ("starts_at", "ends_at", "created_at")
    time_field = "created_at"
    filter_fields = {
        "rule": ("rule_id", int, "Only these rules' silences, comma-separated ids."),
        "team": ("team__name", str, "Only these teams' silences, comma-separated names."),
    }

    @extend_schema(parameters=[OpenApiParameter(
        "active", bool, description="true: only silences in force now.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Silence]:
        silences = owned(Silence.objects.select_related("team").order_by("-pk"), self.request)
        if self.request.query_params.get("active") in ("1", "true"):
            now = timezone.now()
            silences = silences.filter(starts_at__lte=now, ends_at__gt=now)
        return silences

    def _owner(self, serializer: BaseSerializer) -> dict[str, Any]:
        data = serializer.validated_data
        instance = serializer.instance
        wanted = data.get("namespaces", getattr(instance, "namespaces", []) or [])
        return {"team": owner_team(self.request, data.get("team"), instance),
                "namespaces": silence_namespaces(self.request, wanted)}

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.save(**self._owner(serializer), **_created_by(self.request))

    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.save(**self._owner(serializer))


@extend_schema_view(
    list=extend_schema(summary="List webhook deliveries"),
    retrieve=extend_schema(summary="A webhook delivery with its attempts"),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Deliveries with every attempt; `?status=dead` lists the dead letters."""

    queryset = Delivery.objects.all()  # typing for the schema; get_queryset scopes it
    serializer_class = s.DeliverySerializer
    ordering_fields = ("created_at", "next_attempt_at", "status", "attempts")
    time_field = "created_at"
    filter_fields = {
        "status": ("status", str, "Only these states, comma-separated: pending, delivered, dead."),
        "receiver": ("receiver_id", int, "Only these receivers' deliveries, comma-separated ids."),
        "rule": ("rule_id", int, "Only these rules' deliveries, comma-separated ids."),
        "event": ("event", str, "Only these events, comma-separated: firing, resolved, test."),
    }

    def get_queryset(self) -> QuerySet[Delivery]:
        deliveries = Delivery.objects.select_related("receiver").prefetch_related(
            "attempt_log").order_by("-pk")
        visible = request_namespaces(self.request)
        if visible is not None:  # a delivery carries its rule's alerts: scoped like the rule
            deliveries = deliveries.filter(rule_id__in=_visible_rule_ids(visible))
        return deliveries

    @extend_schema(summary="Retry a delivery", request=None,
                   responses={202: s.DeliverySerializer, 409: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Send a dead letter (or a waiting delivery) again now."""
        delivery = self.get_object()
        if delivery.status == Delivery.Status.DELIVERED:
            return problem_response(status.HTTP_409_CONFLICT,
                                    "This delivery was delivered; nothing to retry.", request)
        services.retry_delivery(delivery)
        delivery.refresh_from_db()
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class AlertmanagerView(APIView):
    """Alertmanager webhook receiver (payload version "4"); bearer token only.

    GET lists the inbound alerts currently firing.
    """

    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(summary="Inbound alerts firing now", request=None,
                   responses={200: s.InboundAlertSerializer(many=True)})
    def get(self, request: Request) -> Response:
        visible = request_namespaces(request)
        rows: list[InboundAlert] = [row for row in inbound.firing_inbound()
                                    if alert_visible(row.labels, visible)]
        return Response(s.InboundAlertSerializer(rows, many=True).data)

    @extend_schema(summary="Receive an Alertmanager webhook",
                   request=s.AlertmanagerPayloadSerializer,
                   responses={200: s.AlertmanagerResultSerializer})
    def post(self, request: Request) -> Response:
        s.no_nul(request.data, "payload")  # a 400 naming it, before PostgreSQL refuses it
        try:
            items = inbound.parse_payload(request.data)
        except inbound.PayloadError as exc:
            return problem_response(status.HTTP_400_BAD_REQUEST, str(exc), request)
        accepted, duplicates = inbound.store(items)
        if accepted:
            services.publish_alerts()
        return Response({"accepted": accepted, "duplicates": duplicates})
