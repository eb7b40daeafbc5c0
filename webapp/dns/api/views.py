"""`GET /api/v1/dns`: thin; the work happens in webapp/dns/snapshot.py and the builders."""

from __future__ import annotations

from dataclasses import replace

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.prologue import scoped_options
from webapp.dns.api.serializers import DnsQuerySerializer, DnsSerializer
from webapp.dns.options import DnsOptions
from webapp.dns.snapshot import dns_snapshot


class DnsView(APIView):
    """CoreDNS per server and zone, its upstreams, and the search-path amplification."""

    @extend_schema(
        summary="Cluster DNS health",
        description="CoreDNS per server block and zone (request rate, rcode shares, latency "
        "percentiles, cache), its upstreams' health, a latency heatmap, and the ndots "
        "search-path amplification estimate for the namespaces asked for.",
        parameters=[DnsQuerySerializer],
        responses={200: DnsSerializer},
    )
    def get(self, request: Request) -> Response:
        scoped = scoped_options(request, DnsOptions.from_params)
        return Response(dns_snapshot(replace(scoped.options, namespaces=scoped.namespaces)))
