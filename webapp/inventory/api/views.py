"""Inventory REST views: each declares a queryset, a serializer and its filters, nothing else.

Namespaced resources are addressed as `<resource>/<namespace>/<name>` (mesh policies as
`mesh-policies/<namespace>/<kind>/<name>`: Istio and Linkerd both have an
AuthorizationPolicy), cluster-scoped ones as `<resource>/<name>`. A user or token sees only
the objects of the namespaces `visible_namespaces` grants it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces
from webapp.inventory import models, queries
from webapp.inventory.api import serializers
from webapp.inventory.api.filtersets import FilterError, filter_queryset
from webapp.inventory.cluster import cluster_document

FILTERS = [
    OpenApiParameter("namespace", str, description="Namespaces, comma-separated"),
    OpenApiParameter("labels", str, description="Label selector: app=web,tier!=db,env in (a,b)"),
]


class InventoryPagination(PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `?page=` and `?page_size=` (at most 1000)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def visible(request: Request) -> set[str] | None:
    """The namespaces the request's user (through its token) may see; None: all."""
    return request_namespaces(request)


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class InventoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail of one inventory model."""

    pagination_class = InventoryPagination
    namespaced = True
    lookup_fields: tuple[str, ...] = ("namespace__name", "name")
    equal_filters: tuple[str, ...] = ()

    def base_queryset(self) -> QuerySet:
        """The model's rows with what the serializer needs joined or annotated."""
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        queryset = self.base_queryset()
        allowed = visible(self.request)
        if self.namespaced and allowed is not None:
            queryset = queryset.filter(namespace__name__in=allowed)
        if self.action != "list":
            return queryset
        try:
            return filter_queryset(
                queryset, self.request.query_params, self.equal_filters, self.namespaced
            )
        except (FilterError, ValidationError) as exc:
            raise ParseError(str(exc.message if isinstance(exc, ValidationError) else exc)) from exc

    def get_object(self) -> Any:
        lookup = {field: self.kwargs[field.split("__")[0]] for field in self.lookup_fields}
        return get_object_or_404(self.get_queryset(), **lookup)


class NamespaceViewSet(InventoryViewSet):
    serializer_class = serializers.NamespaceSerializer
    namespaced = False
    lookup_fields = ("name",)
    equal_filters = ("mesh",)

    def base_queryset(self) -> QuerySet:
        queryset = models.Namespace.objects.order_by("name")
        allowed = visible(self.request)
        return queryset if allowed is None else queryset.filter(name__in=allowed)


class NodeViewSet(InventoryViewSet):
    serializer_class = serializers.NodeSerializer
    namespaced = False
    lookup_fields = ("name",)

    def base_queryset(self) -> QuerySet:
        return queries.nodes()


class WorkloadViewSet(InventoryViewSet):
    serializer_class = serializers.WorkloadSerializer
    equal_filters = ("kind", "app", "version", "mesh")

    def base_queryset(self) -> QuerySet:
        return queries.workloads()


class PodViewSet(InventoryViewSet):
    serializer_class = serializers.PodSerializer
    equal_filters = ("workload", "node", "phase", "ready", "sidecar")

    def base_queryset(self) -> QuerySet:
        return models.Pod.objects.select_related("namespace").order_by("namespace__name", "name")


class ServiceViewSet(InventoryViewSet):
    equal_filters = ("type", "headless")

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return serializers.ServiceDetailSerializer
        return serializers.ServiceSerializer

    def base_queryset(self) -> QuerySet:
        return queries.services()


class NetworkPolicyViewSet(InventoryViewSet):
    serializer_class = serializers.NetworkPolicySerializer
    equal_filters = ("default_deny_ingress", "default_deny_egress")

    def base_queryset(self) -> QuerySet:
        return models.NetworkPolicy.objects.select_related("namespace").order_by(
            "namespace__name", "name"
        )


class MeshPolicyViewSet(InventoryViewSet):
    serializer_class = serializers.MeshPolicySerializer
    lookup_fields = ("namespace__name", "kind", "name")
    equal_filters = ("kind", "mesh")

    def base_queryset(self) -> QuerySet:
        return models.MeshPolicy.objects.select_related("namespace").order_by(
            "namespace__name", "kind", "name"
        )


class ClusterView(APIView):
    """The cluster's plumbing (CNI, kube-proxy mode, DNS Service, pod CIDRs) and staleness."""

    @extend_schema(responses={200: serializers.ClusterSerializer})
    def get(self, request: Request) -> Response:
        return Response(serializers.ClusterSerializer(cluster_document()).data)
