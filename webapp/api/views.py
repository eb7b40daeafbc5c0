"""REST views: thin; the work happens in each app's services and the graph builder."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces, scoped_request
from webapp.api.serializers import (
    GraphQuerySerializer,
    GraphSerializer,
    HeatmapQuerySerializer,
    HeatmapSerializer,
    ProblemSerializer,
    StatusSerializer,
)
from webapp.graph.options import GraphOptions, OptionsError
from webapp.graph.scope import scope_graph
from webapp.graph.services import graph_snapshot, health_thresholds
from webapp.traffic.heatmap import HeatmapOptions
from webapp.traffic.series import heatmap_snapshot
from webapp.traffic.status import collection_status


class GraphView(APIView):
    """The service graph of the requested namespaces over a window."""

    @extend_schema(
        parameters=[GraphQuerySerializer],
        responses={200: GraphSerializer, 400: ProblemSerializer, 401: ProblemSerializer,
                   403: ProblemSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            options = GraphOptions.from_params(request.query_params, health_thresholds())
        except OptionsError as exc:
            return Response({"detail": str(exc)}, status=400)
        visible = request_namespaces(request)
        try:
            namespaces = scoped_request(options.namespaces, visible)
        except PermissionError as exc:
            return Response({"detail": str(exc)}, status=403)
        if visible is not None and not visible:
            namespaces = options.namespaces
        graph = graph_snapshot(replace(options, namespaces=namespaces))
        return Response(scope_graph(graph, visible, settings.SECRET_KEY))


class HeatmapView(APIView):
    """The latency heatmap of an edge, a workload or a service over a window."""

    @extend_schema(
        parameters=[HeatmapQuerySerializer],
        responses={200: HeatmapSerializer, 400: ProblemSerializer, 401: ProblemSerializer,
                   403: ProblemSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            options = HeatmapOptions.from_params(request.query_params)
        except OptionsError as exc:
            return Response({"detail": str(exc)}, status=400)
        visible = request_namespaces(request)
        try:
            scoped_request(options.namespaces, visible)
        except PermissionError as exc:
            return Response({"detail": str(exc)}, status=403)
        if visible is not None and not options.namespaces:
            return Response({"detail": "name a source or target to see its heatmap"}, status=403)
        return Response(heatmap_snapshot(options))


class StatusView(APIView):
    """What collection is doing: the newest cycle, its lag, the last failure, any backfill."""

    @extend_schema(responses={200: StatusSerializer, 401: ProblemSerializer})
    def get(self, request: Request) -> Response:
        return Response(collection_status())
