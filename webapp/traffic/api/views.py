"""`GET /api/v1/series`: thin; the work happens in webapp/traffic/timeseries.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces, scoped_request
from webapp.api.serializers import ProblemSerializer
from webapp.graph.options import OptionsError
from webapp.traffic.api.serializers import SeriesQuerySerializer, SeriesSerializer
from webapp.traffic.timeseries import SeriesOptions, series_snapshot


class SeriesView(APIView):
    """Requests, errors, p95 and mTLS of one graph edge or node, or of the mesh, step by step
    over a window."""

    @extend_schema(
        parameters=[SeriesQuerySerializer],
        responses={
            200: SeriesSerializer,
            400: ProblemSerializer,
            401: ProblemSerializer,
            403: ProblemSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        try:
            options = SeriesOptions.from_params(request.query_params)
        except OptionsError as exc:
            return Response({"detail": str(exc)}, status=400)
        visible = request_namespaces(request)
        try:
            scoped_request(options.namespaces, visible)
        except PermissionError as exc:
            return Response({"detail": str(exc)}, status=403)
        if visible is not None and not options.namespaces:
            # `unknown` has no namespace, and its traffic (as the whole mesh's) may touch any.
            detail = ("name the namespaces you may see: namespaces=<a,b>" if options.kind == "mesh"
                      else "the unknown node's series is for admins only")  # fmt: skip
            return Response({"detail": detail}, status=403)
        return Response(series_snapshot(options))
