"""Serializers that document `GET /api/v1/dns` (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from rest_framework import serializers

from webapp.api.described import Described
from webapp.api.serializers import (
    AT_TEXT,
    WINDOW_TEXT,
    BoundField,
    HeatmapColumnSerializer,
    WindowSerializer,
)


class DnsQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/dns`."""

    window = serializers.CharField(required=False, default="5m", help_text=WINDOW_TEXT)
    at = serializers.CharField(required=False, help_text=AT_TEXT)
    server = serializers.CharField(required=False, help_text='A CoreDNS server, "dns://:53".')
    zone = serializers.CharField(required=False, help_text='A server block zone, ".".')
    namespaces = serializers.CharField(
        required=False, help_text="Comma-separated namespaces for the amplification report."
    )
    step = serializers.CharField(required=False, help_text="Latency heatmap column width.")


class LatencySerializer(Described, serializers.Serializer):
    """Request-duration percentiles over the window, in ms (null without data)."""

    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)


class CacheSerializer(serializers.Serializer):
    """The cache plugin over the window."""

    hit_ratio = serializers.FloatField(allow_null=True, help_text="Hits / (hits + misses).")
    hits_success_per_s = serializers.FloatField(
        allow_null=True, help_text="Cache hits per second on positive answers."
    )
    hits_denial_per_s = serializers.FloatField(
        allow_null=True, help_text="Cache hits per second on denials (NXDOMAIN, NODATA)."
    )
    misses_per_s = serializers.FloatField(allow_null=True, help_text="Cache misses per second.")
    entries = serializers.FloatField(allow_null=True, help_text="At the window's last cycle.")


def _rates(text: str) -> serializers.DictField:
    return serializers.DictField(child=serializers.FloatField(allow_null=True), help_text=text)


class DnsServerSerializer(LatencySerializer):
    """One CoreDNS server block and zone over the window, every instance summed."""

    id = serializers.CharField(help_text="<server>|<zone>")
    server = serializers.CharField(allow_blank=True, help_text='The server block, "dns://:53".')
    zone = serializers.CharField(allow_blank=True, help_text='The zone, "." or "cluster.local.".')
    instances = serializers.ListField(child=serializers.CharField())
    rps = serializers.FloatField(allow_null=True)
    requests = serializers.FloatField()
    by_type_rps = _rates("Requests per second by query type (A, AAAA, SRV...).")
    by_proto_rps = _rates("Requests per second by transport (udp, tcp).")
    rcodes = _rates("Shares of NOERROR, NXDOMAIN, SERVFAIL, REFUSED and other.")
    cache = CacheSerializer(help_text="The cache plugin's numbers.")


class DnsUpstreamSerializer(LatencySerializer):
    """One upstream CoreDNS forwards to."""

    id = serializers.CharField(help_text="The upstream's address.")
    upstream = serializers.CharField(help_text="The upstream's address, as CoreDNS names it.")
    instances = serializers.ListField(child=serializers.CharField())
    rps = serializers.FloatField(allow_null=True)
    requests = serializers.FloatField()
    error_share = serializers.FloatField(
        allow_null=True, help_text="SERVFAIL, REFUSED and other rcodes; null when unknown."
    )
    rcodes = serializers.DictField(
        child=serializers.FloatField(), help_text="Answers per rcode over the window."
    )
    healthcheck_failures = serializers.FloatField(help_text="Failed health checks.")
    health = serializers.CharField(help_text="healthy, degraded, failure or unknown")


class FiltersSerializer(serializers.Serializer):
    """The server and zone filters in force (empty: all)."""

    server = serializers.CharField(allow_blank=True, help_text="The server filter.")
    zone = serializers.CharField(allow_blank=True, help_text="The zone filter.")


class ObservedSerializer(serializers.Serializer):
    """The traces of amplification CoreDNS's own numbers show (null: not observable)."""

    requests = serializers.FloatField(help_text="Requests over the window.")
    nxdomain_share = serializers.FloatField(allow_null=True, help_text="NXDOMAIN / answers.")
    cluster_nxdomain_share = serializers.FloatField(
        allow_null=True, help_text="NXDOMAIN share in the cluster's own zone."
    )
    cluster_nxdomain_basis = serializers.CharField(help_text="How that share was measured.")
    queries_per_noerror = serializers.FloatField(
        allow_null=True, help_text="Queries per successful answer."
    )
    aaaa_share = serializers.FloatField(allow_null=True, help_text="AAAA / (A + AAAA).")
    a_aaaa_doubling = serializers.BooleanField(help_text="Clients ask A and AAAA for a name.")
    observed_multiplier = serializers.FloatField(
        allow_null=True, help_text="Queries one lookup costs, as observed."
    )


class NamespaceProfileSerializer(serializers.Serializer):
    """What the pods of one namespace cost per lookup, from their DNS configuration."""

    id = serializers.CharField(help_text="The namespace.")
    namespace = serializers.CharField(help_text="The namespace.")
    pods = serializers.IntegerField(help_text="Pods counted.")
    ndots = serializers.IntegerField(allow_null=True, help_text="The pods' ndots.")
    search = serializers.ListField(child=serializers.CharField(), help_text="Search domains.")
    lookups_per_family = serializers.IntegerField(
        help_text="Queries for one external name, per address family."
    )
    a_and_aaaa = serializers.BooleanField(help_text="Both families assumed or observed.")
    expected_lookups = serializers.IntegerField(help_text="Queries for one external name.")
    pods_amplified = serializers.IntegerField(help_text="Pods whose lookups walk the path.")
    configurations = serializers.IntegerField(help_text="Distinct (ndots, search) pairs.")
    remedies = serializers.ListField(
        child=serializers.CharField(), help_text="Ids of the remedies that apply."
    )


class DnsRemedySerializer(serializers.Serializer):
    """One fix for search-path amplification, with a snippet to paste."""

    id = serializers.CharField(help_text="dns_config, trailing_dot or autopath")
    title = serializers.CharField(help_text="What it does, in a line.")
    why = serializers.CharField(help_text="Why it helps, and what it costs.")
    format = serializers.CharField(help_text='The snippet\'s format: "yaml".')
    snippet = serializers.CharField(help_text="The snippet.")


class AmplificationSerializer(serializers.Serializer):
    """Search-path amplification: expected from the inventory, observed from CoreDNS."""

    method = serializers.CharField(help_text="How the estimate is made, in words.")
    cluster_domain = serializers.CharField(help_text='The cluster domain, "cluster.local".')
    example_name = serializers.CharField(help_text="The external name the numbers assume.")
    observed = ObservedSerializer(help_text="What CoreDNS's numbers show.")
    namespaces = NamespaceProfileSerializer(many=True, help_text="Expected, per namespace.")
    remedies = DnsRemedySerializer(many=True, help_text="The fixes, cheapest first.")


class LatencyHeatmapSerializer(serializers.Serializer):
    """The bounds of the DNS latency heatmap; its columns are `latency_columns`."""

    unit = serializers.CharField(required=False, help_text='"ms".')
    bounds_ms = serializers.ListField(
        child=BoundField(), required=False, help_text='Upper bounds in ms; the last is "+Inf".'
    )
    window = WindowSerializer(required=False, help_text="The window the heatmap covers.")


class DnsSerializer(Described, serializers.Serializer):
    """CoreDNS over a window: servers, upstreams, latency heatmap and amplification."""

    generated_at = serializers.DateTimeField()
    window = WindowSerializer()
    covered_s = serializers.FloatField(
        allow_null=True, help_text="Seconds of the window that cycles covered."
    )
    cycles = serializers.IntegerField(help_text="Cycles in the window.")
    filters = FiltersSerializer(help_text="The filters in force.")
    servers = DnsServerSerializer(many=True, help_text="Per server block and zone.")
    upstreams = DnsUpstreamSerializer(many=True, help_text="Per upstream.")
    panics = serializers.FloatField(allow_null=True, help_text="CoreDNS panics in the window.")
    amplification = AmplificationSerializer(help_text="The search-path amplification report.")
    latency_heatmap = LatencyHeatmapSerializer(help_text="The latency heatmap's bounds.")
    latency_columns = HeatmapColumnSerializer(
        many=True, help_text="The latency heatmap's columns, oldest first."
    )
