"""REST views: thin; the work happens in each app's services and the graph builder."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.prologue import scoped_options
from webapp.api.serializers import (
    GraphQuerySerializer,
    GraphSerializer,
    HeatmapQuerySerializer,
    HeatmapSerializer,
    StatusSerializer,
)
from webapp.graph.options import GraphOptions
from webapp.graph.scope import scope_graph
from webapp.graph.services import graph_snapshot, health_thresholds
from webapp.traffic.heatmap import HeatmapOptions
from webapp.traffic.series import heatmap_snapshot
from webapp.traffic.status import collection_status


class GraphView(APIView):
    """The service graph of the requested namespaces over a window."""

    @extend_schema(
        summary="The service graph",
        description="Nodes (workloads, services or apps) and the edges between them over a "
        "window ending at `at`, scoped to the namespaces the caller may see; traffic across "
        "the scope's border shows the far side as an `external` node.",
        parameters=[GraphQuerySerializer],
        responses={200: GraphSerializer},
    )
    def get(self, request: Request) -> Response:
        scoped = scoped_options(
            request, lambda p: GraphOptions.from_params(p, health_thresholds()), need_grant=False
        )
        namespaces = scoped.namespaces
        if scoped.limited and not scoped.visible:
            namespaces = scoped.options.namespaces  # nothing visible: scope_graph hides all
        graph = graph_snapshot(replace(scoped.options, namespaces=namespaces))
        return Response(scope_graph(graph, scoped.visible, settings.SECRET_KEY))


class HeatmapView(APIView):
    """The latency heatmap of an edge, a workload or a service over a window."""

    @extend_schema(
        summary="A latency heatmap",
        description="Requests per latency bucket and time column for one subject: an edge, "
        "a workload, a service, or all traffic out of (`source`) or into (`target`) a node.",
        parameters=[HeatmapQuerySerializer],
        responses={200: HeatmapSerializer},
    )
    def get(self, request: Request) -> Response:
        scoped = scoped_options(request, HeatmapOptions.from_params, need_grant=False)
        if scoped.limited and not scoped.options.namespaces:
            raise PermissionDenied("name a source or target to see its heatmap")
        return Response(heatmap_snapshot(scoped.options))


class StatusView(APIView):
    """What collection is doing: the newest cycle, its lag, the last failure, any backfill."""

    @extend_schema(
        summary="Collection status",
        description="The newest collection cycle, how far behind it is, the last failure and "
        "any backfill in progress.",
        responses={200: StatusSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(collection_status())
