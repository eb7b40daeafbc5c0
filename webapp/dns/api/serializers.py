"""Serializers that document `GET /api/v1/dns` (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from rest_framework import serializers

from webapp.api.serializers import WindowSerializer


class DnsQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/dns`."""

    window = serializers.CharField(
        required=False, default="5m", help_text="Prometheus-style duration: 30s, 5m, 1h, 7d."
    )
    at = serializers.CharField(
        required=False, help_text="End of the window: Unix seconds or ISO 8601; default now."
    )
    server = serializers.CharField(required=False, help_text='A CoreDNS server, "dns://:53".')
    zone = serializers.CharField(required=False, help_text='A server block zone, ".".')
    namespaces = serializers.CharField(
        required=False, help_text="Comma-separated namespaces for the amplification report."
    )
    step = serializers.CharField(required=False, help_text="Latency heatmap column width.")


class LatencySerializer(serializers.Serializer):
    """Request-duration percentiles over the window, in ms (null without data)."""

    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)


class CacheSerializer(serializers.Serializer):
    """The cache plugin over the window."""

    hit_ratio = serializers.FloatField(allow_null=True, help_text="Hits / (hits + misses).")
    hits_success_per_s = serializers.FloatField(allow_null=True)
    hits_denial_per_s = serializers.FloatField(allow_null=True)
    misses_per_s = serializers.FloatField(allow_null=True)
    entries = serializers.FloatField(allow_null=True, help_text="At the window's last cycle.")


class DnsServerSerializer(LatencySerializer):
    """One CoreDNS server block and zone over the window, every instance summed."""

    id = serializers.CharField(help_text="<server>|<zone>")
    server = serializers.CharField(allow_blank=True)
    zone = serializers.CharField(allow_blank=True)
    instances = serializers.ListField(child=serializers.CharField())
    rps = serializers.FloatField(allow_null=True)
    requests = serializers.FloatField()
    by_type_rps = serializers.DictField(child=serializers.FloatField(allow_null=True))
    by_proto_rps = serializers.DictField(child=serializers.FloatField(allow_null=True))
    rcodes = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Shares of NOERROR, NXDOMAIN, SERVFAIL, REFUSED and other.",
    )
    cache = CacheSerializer()


class DnsUpstreamSerializer(LatencySerializer):
    """One upstream CoreDNS forwards to."""

    id = serializers.CharField()
    upstream = serializers.CharField()
    instances = serializers.ListField(child=serializers.CharField())
    rps = serializers.FloatField(allow_null=True)
    requests = serializers.FloatField()
    error_share = serializers.FloatField(
        allow_null=True, help_text="SERVFAIL, REFUSED and other rcodes; null when unknown."
    )
    rcodes = serializers.DictField(child=serializers.FloatField())
    healthcheck_failures = serializers.FloatField()
    health = serializers.CharField(help_text="healthy, degraded, failure or unknown")


class DnsSerializer(serializers.Serializer):
    """CoreDNS over a window: servers, upstreams, latency heatmap and amplification."""

    generated_at = serializers.DateTimeField()
    window = WindowSerializer()
    covered_s = serializers.FloatField(allow_null=True)
    cycles = serializers.IntegerField()
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True))
    servers = DnsServerSerializer(many=True)
    upstreams = DnsUpstreamSerializer(many=True)
    panics = serializers.FloatField(allow_null=True)
    amplification = serializers.DictField(
        help_text="method, cluster_domain, observed, namespaces (expected lookups), remedies."
    )
    latency_heatmap = serializers.DictField(help_text='unit, bounds_ms ("+Inf" last), window.')
    latency_columns = serializers.ListField(child=serializers.DictField())
