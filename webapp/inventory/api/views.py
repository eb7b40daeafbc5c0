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
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces
from webapp.api.lists import Pagination
from webapp.inventory import models, queries
from webapp.inventory.api import serializers
from webapp.inventory.api.filtersets import FilterError, filter_queryset, namespaces_param
from webapp.inventory.cluster import cluster_document

NAMESPACE_FILTER = OpenApiParameter(
    "namespace", str, description="Only these namespaces' objects, comma-separated."
)
NAMESPACE_BY_NAME = OpenApiParameter(
    "namespace", str, description="Only the namespaces of these names, comma-separated."
)
LABELS_FILTER = OpenApiParameter(
    "labels",
    str,
    description="A Kubernetes label selector, as kubectl -l takes: app=web,tier!=db,env in (a,b)",
)
InventoryPagination = Pagination  # the name other apps' lists import
ORDER_BY_NAME = {"name": "name"}
ORDER_BY_NAMESPACE = {"namespace": "namespace__name", "name": "name"}


def _equal(*names: str, booleans: tuple[str, ...] = ()) -> dict[str, tuple[str, type, str]]:
    """`filter_fields` for exact matches (comma-separated alternatives; booleans true/false)."""
    fields: dict[str, tuple[str, type, str]] = {
        name: (name, str, f"Only objects whose {name} is one of these, comma-separated.")
        for name in names
    }
    for name in booleans:
        fields[name] = (name, bool, f"Only objects whose {name} is true (or false).")
    return fields


def visible(request: Request) -> set[str] | None:
    """The namespaces the request's user (through its token) may see; None: all."""
    return request_namespaces(request)


class InventoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only list and detail of one inventory model."""

    pagination_class = Pagination
    namespaced = True
    lookup_fields: tuple[str, ...] = ("namespace__name", "name")
    ordering_fields: dict[str, str] = ORDER_BY_NAMESPACE
    filter_fields: dict[str, tuple[str, type, str]] = {}

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
            return filter_queryset(queryset, self.request.query_params, (), self.namespaced)
        except (FilterError, ValidationError) as exc:
            raise ParseError(str(exc.message if isinstance(exc, ValidationError) else exc)) from exc

    def get_object(self) -> Any:
        lookup = {field: self.kwargs[field.split("__")[0]] for field in self.lookup_fields}
        return get_object_or_404(self.get_queryset(), **lookup)


def _described(plural: str, namespaced: bool = True) -> Any:
    """The schema's summaries and filters of an inventory viewset over `plural`."""
    filters = [NAMESPACE_FILTER, LABELS_FILTER] if namespaced else [LABELS_FILTER]
    if plural == "namespaces":
        filters = [NAMESPACE_BY_NAME, LABELS_FILTER]
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}", parameters=filters),
        retrieve=extend_schema(summary=f"One of the {plural}"),
    )


@_described("namespaces", namespaced=False)
class NamespaceViewSet(InventoryViewSet):
    """The cluster's namespaces you may see, with their labels and mesh enrolment."""

    serializer_class = serializers.NamespaceSerializer
    namespaced = False
    lookup_fields = ("name",)
    ordering_fields = ORDER_BY_NAME
    filter_fields = _equal("mesh")

    def base_queryset(self) -> QuerySet:
        queryset = models.Namespace.objects.order_by("name")
        allowed = visible(self.request)
        return queryset if allowed is None else queryset.filter(name__in=allowed)

    def get_queryset(self) -> QuerySet:
        """As every list, and `?namespace=a,b` picks these namespaces by name."""
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        try:
            names = namespaces_param(self.request.query_params)
        except FilterError as exc:
            raise ParseError(str(exc)) from exc
        return queryset.filter(name__in=names) if names else queryset


@_described("nodes", namespaced=False)
class NodeViewSet(InventoryViewSet):
    """The cluster's nodes: addresses, pod CIDRs, readiness, versions and pod counts."""

    serializer_class = serializers.NodeSerializer
    namespaced = False
    lookup_fields = ("name",)
    ordering_fields = ORDER_BY_NAME
    filter_fields = _equal(booleans=("ready", "unschedulable"))

    def base_queryset(self) -> QuerySet:
        return queries.nodes(visible(self.request))


@_described("workloads")
class WorkloadViewSet(InventoryViewSet):
    """Deployments, StatefulSets, DaemonSets... with their pods counted."""

    serializer_class = serializers.WorkloadSerializer
    ordering_fields = {**ORDER_BY_NAMESPACE, "kind": "kind", "replicas": "replicas"}
    filter_fields = _equal("kind", "app", "version", "mesh")

    def base_queryset(self) -> QuerySet:
        return queries.workloads()


@_described("pods")
class PodViewSet(InventoryViewSet):
    """Pods with their owner, addresses, node, state, mesh proxy and DNS configuration."""

    serializer_class = serializers.PodSerializer
    ordering_fields = {
        **ORDER_BY_NAMESPACE,
        "node": "node",
        "phase": "phase",
        "restarts": "restarts",
    }
    filter_fields = _equal("workload", "node", "phase", "sidecar", booleans=("ready",))

    def base_queryset(self) -> QuerySet:
        return models.Pod.objects.select_related("namespace").order_by("namespace__name", "name")


@_described("services")
class ServiceViewSet(InventoryViewSet):
    """Services with their addresses, selector, ports and endpoint counts (detail: every
    endpoint)."""

    serializer_class = serializers.ServiceSerializer
    ordering_fields = {**ORDER_BY_NAMESPACE, "type": "type"}
    filter_fields = _equal("type", booleans=("headless",))

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return serializers.ServiceDetailSerializer
        return serializers.ServiceSerializer

    def base_queryset(self) -> QuerySet:
        return queries.services()


@_described("network policies")
class NetworkPolicyViewSet(InventoryViewSet):
    """NetworkPolicies with their selectors and rules."""

    serializer_class = serializers.NetworkPolicySerializer
    filter_fields = _equal(booleans=("default_deny_ingress", "default_deny_egress"))

    def base_queryset(self) -> QuerySet:
        return models.NetworkPolicy.objects.select_related("namespace").order_by(
            "namespace__name", "name"
        )


@_described("mesh policies")
class MeshPolicyViewSet(InventoryViewSet):
    """Istio and Linkerd security and traffic policies with their specs."""

    serializer_class = serializers.MeshPolicySerializer
    lookup_fields = ("namespace__name", "kind", "name")
    ordering_fields = {**ORDER_BY_NAMESPACE, "kind": "kind"}
    filter_fields = _equal("kind", "mesh")

    def base_queryset(self) -> QuerySet:
        return models.MeshPolicy.objects.select_related("namespace").order_by(
            "namespace__name", "kind", "name"
        )


class ClusterView(APIView):
    """The cluster's plumbing (CNI, kube-proxy mode, DNS Service, pod CIDRs) and staleness."""

    @extend_schema(
        summary="The cluster's plumbing",
        description="The CNI plugin and kube-proxy mode as far as the cluster's objects give "
        "them away, the DNS Service, each node's pod CIDRs, object counts and how fresh the "
        "inventory is.",
        responses={200: serializers.ClusterSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(serializers.ClusterSerializer(cluster_document(visible(request))).data)
