"""`GET /api/v1/mtls`: thin; the work happens in webapp/security/snapshot.py."""

from __future__ import annotations

from dataclasses import replace

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.prologue import scoped_options
from webapp.security.api.serializers import MtlsQuerySerializer, MtlsSerializer
from webapp.security.options import MtlsOptions
from webapp.security.snapshot import mtls_snapshot


class MtlsView(APIView):
    """Intended mTLS per workload and port, the observed share, and the mismatches."""

    @extend_schema(
        summary="mTLS coverage",
        description="Per namespace and workload: the share of requests observed with mutual "
        "TLS, the mode the policies in force intend (PeerAuthentication, DestinationRule, "
        "Linkerd Server), and the mismatches between intent and observation.",
        parameters=[MtlsQuerySerializer],
        responses={200: MtlsSerializer},
    )
    def get(self, request: Request) -> Response:
        # A limited caller sees only its namespaces: asking for nothing means those.
        scoped = scoped_options(request, MtlsOptions.from_params)
        return Response(mtls_snapshot(replace(scoped.options, namespaces=scoped.namespaces)))
