"""Serializers that document the API's shapes (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from rest_framework import serializers

from webapp.graph.options import GRAPH_TYPES


class GraphQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/graph`."""

    namespaces = serializers.CharField(
        required=False, help_text="Comma-separated namespaces; empty means all you may see."
    )
    graph_type = serializers.ChoiceField(choices=GRAPH_TYPES, required=False, default="workload")
    window = serializers.CharField(
        required=False, default="5m", help_text="Prometheus-style duration: 30s, 5m, 1h, 7d."
    )
    at = serializers.CharField(
        required=False, help_text="End of the window: Unix seconds or ISO 8601; default now."
    )
    idle_nodes = serializers.BooleanField(
        required=False, default=False, help_text="Also show workloads without traffic."
    )


class WindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class NodeSerializer(serializers.Serializer):
    """A graph node; its id reads workload:<ns>/<name>, service:<ns>/<name> or app:<ns>/<app>."""

    id = serializers.CharField()
    kind = serializers.CharField(help_text="workload, service, app or unknown")
    namespace = serializers.CharField()
    name = serializers.CharField()
    app = serializers.CharField(allow_blank=True)
    version = serializers.CharField(allow_blank=True)
    mesh = serializers.CharField(allow_blank=True, help_text="istio, linkerd or empty")
    health = serializers.CharField(help_text="healthy, degraded, failure, idle or unknown")
    outside = serializers.BooleanField(help_text="Outside the requested namespaces.")
    idle = serializers.BooleanField(help_text="Known to the inventory but without traffic.")
    traffic = serializers.DictField(child=serializers.FloatField(allow_null=True))
    position = serializers.DictField(child=serializers.FloatField())


class EdgeSerializer(serializers.Serializer):
    """A graph edge between two node ids, with its traffic over the window."""

    id = serializers.CharField()
    source = serializers.CharField()
    target = serializers.CharField()
    protocol = serializers.CharField(help_text="http, grpc or tcp")
    mesh = serializers.CharField(allow_blank=True)
    rps = serializers.FloatField(help_text="Requests per second over the window.")
    error_ratio = serializers.FloatField(help_text="Share of requests that failed, 0..1.")
    errors = serializers.DictField(child=serializers.FloatField(), help_text="Ratios by class.")
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)
    mtls_ratio = serializers.FloatField(allow_null=True, help_text="0..1, null when unknown.")
    bytes_per_s = serializers.DictField(child=serializers.FloatField())
    health = serializers.CharField()


class GraphSerializer(serializers.Serializer):
    """The service graph over a window."""

    generated_at = serializers.DateTimeField()
    window = WindowSerializer()
    graph_type = serializers.CharField()
    nodes = NodeSerializer(many=True)
    edges = EdgeSerializer(many=True)


class ProblemSerializer(serializers.Serializer):
    """An error, in the manner of RFC 9457 problem details."""

    detail = serializers.CharField()


class HeatmapQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/heatmap`: name the subject one way."""

    edge = serializers.CharField(
        required=False, help_text="A graph edge id: <source id>><target id>|<protocol>."
    )
    workload = serializers.CharField(
        required=False, help_text="<namespace>/<name>: latency of traffic into the workload."
    )
    service = serializers.CharField(
        required=False, help_text="<namespace>/<name>: latency of traffic into the service."
    )
    source = serializers.CharField(required=False, help_text="A graph node id (traffic out).")
    target = serializers.CharField(required=False, help_text="A graph node id (traffic in).")
    window = serializers.CharField(required=False, default="1h", help_text="Duration: 5m, 1h.")
    step = serializers.CharField(
        required=False, help_text="Column width; default window/60, at least one cycle."
    )
    at = serializers.CharField(required=False, help_text="End of the window; default now.")


class HeatmapColumnSerializer(serializers.Serializer):
    """One time column: requests per latency bucket and the column's percentiles."""

    id = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    counts = serializers.ListField(child=serializers.FloatField(), help_text="Per bucket.")
    total = serializers.FloatField()
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)


class HeatmapSerializer(serializers.Serializer):
    """A latency heatmap: bucket bounds (ms, sorted numerically, "+Inf" last) by time."""

    generated_at = serializers.DateTimeField()
    window = WindowSerializer()
    subject = serializers.DictField(child=serializers.CharField(allow_null=True))
    unit = serializers.CharField()
    bounds_ms = serializers.ListField(
        child=serializers.JSONField(), help_text='Upper bounds in ms; the last is "+Inf".'
    )
    columns = HeatmapColumnSerializer(many=True)


class StatusSerializer(serializers.Serializer):
    """The collection's state, for operators and for the pages' stale indicator."""

    interval_s = serializers.FloatField()
    latest_cycle = serializers.DictField(allow_null=True, help_text="at, source, edges, gaps.")
    lag_s = serializers.FloatField(allow_null=True, help_text="Seconds since the newest cycle.")
    stale = serializers.BooleanField(help_text="True when two intervals passed without a cycle.")
    last_failure = serializers.DictField(allow_null=True)
    backfill = serializers.DictField(
        allow_null=True, help_text="source, done, total, failed, started_at while one runs."
    )
