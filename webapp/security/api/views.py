"""`GET /api/v1/mtls`: thin; the work happens in webapp/security/snapshot.py."""

from __future__ import annotations

from dataclasses import replace

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces, scoped_request
from webapp.api.serializers import ProblemSerializer
from webapp.graph.options import OptionsError
from webapp.security.api.serializers import MtlsQuerySerializer, MtlsSerializer
from webapp.security.options import MtlsOptions
from webapp.security.snapshot import mtls_snapshot

NO_NAMESPACE = "you may not see any namespace; ask an admin for a grant"


class MtlsView(APIView):
    """Intended mTLS per workload and port, the observed share, and the mismatches."""

    @extend_schema(
        parameters=[MtlsQuerySerializer],
        responses={
            200: MtlsSerializer,
            400: ProblemSerializer,
            401: ProblemSerializer,
            403: ProblemSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        try:
            options = MtlsOptions.from_params(request.query_params)
        except OptionsError as exc:
            return Response({"detail": str(exc)}, status=400)
        # A limited caller sees only its namespaces: asking for nothing means those.
        visible = request_namespaces(request)
        if visible is not None and not visible:
            return Response({"detail": NO_NAMESPACE}, status=403)
        try:
            namespaces = scoped_request(options.namespaces, visible)
        except PermissionError as exc:
            return Response({"detail": str(exc)}, status=403)
        return Response(mtls_snapshot(replace(options, namespaces=namespaces)))
