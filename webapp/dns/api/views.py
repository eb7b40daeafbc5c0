"""`GET /api/v1/dns`: thin; the work happens in webapp/dns/snapshot.py and the builders."""

from __future__ import annotations

from dataclasses import replace

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces, scoped_request
from webapp.api.serializers import ProblemSerializer
from webapp.dns.api.serializers import DnsQuerySerializer, DnsSerializer
from webapp.dns.options import DnsOptions
from webapp.dns.snapshot import dns_snapshot
from webapp.graph.options import OptionsError


class DnsView(APIView):
    """CoreDNS per server and zone, its upstreams, and the search-path amplification."""

    @extend_schema(
        parameters=[DnsQuerySerializer],
        responses={200: DnsSerializer, 400: ProblemSerializer, 401: ProblemSerializer,
                   403: ProblemSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            options = DnsOptions.from_params(request.query_params)
        except OptionsError as exc:
            return Response({"detail": str(exc)}, status=400)
        visible = request_namespaces(request)
        try:
            namespaces = scoped_request(options.namespaces, visible)
        except PermissionError as exc:
            return Response({"detail": str(exc)}, status=403)
        if visible is not None and not visible:
            return Response({"detail": "you may not see any namespace; ask an admin for a grant"},
                            status=403)
        return Response(dns_snapshot(replace(options, namespaces=namespaces)))
