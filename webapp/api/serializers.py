"""Serializers that document the API's shapes (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.described import Described
from webapp.graph.options import GRAPH_TYPES

WINDOW_TEXT = "Prometheus-style duration: 30s, 5m, 1h, 7d."
AT_TEXT = "End of the window: Unix seconds or ISO 8601; default now."


class GraphQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/graph`."""

    namespaces = serializers.CharField(
        required=False, help_text="Comma-separated namespaces; empty means all you may see."
    )
    graph_type = serializers.ChoiceField(
        choices=GRAPH_TYPES, required=False, default="workload",
        help_text="What a node stands for: a workload, an app (all versions), an app version, "
        "or a service.",
    )
    window = serializers.CharField(required=False, default="5m", help_text=WINDOW_TEXT)
    at = serializers.CharField(required=False, help_text=AT_TEXT)
    idle_nodes = serializers.BooleanField(
        required=False, default=False, help_text="Also show workloads without traffic."
    )


class WindowSerializer(Described, serializers.Serializer):
    """The time window an answer covers."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PositionSerializer(serializers.Serializer):
    """Where the server laid the node out, in pixels; stable across updates."""

    x = serializers.FloatField(help_text="Horizontal position, px.")
    y = serializers.FloatField(help_text="Vertical position, px.")


class NodeTrafficSerializer(serializers.Serializer):
    """A node's traffic over the window: in (received) and out (sent); null when unknown."""

    rps_in = serializers.FloatField(allow_null=True, help_text="Requests per second received.")
    rps_out = serializers.FloatField(allow_null=True, help_text="Requests per second sent.")
    error_ratio_in = serializers.FloatField(
        allow_null=True, help_text="Share of received requests that failed, 0..1."
    )
    p50_ms_in = serializers.FloatField(allow_null=True, help_text="Median latency received.")
    p95_ms_in = serializers.FloatField(allow_null=True, help_text="p95 latency received, ms.")
    p99_ms_in = serializers.FloatField(allow_null=True, help_text="p99 latency received, ms.")
    mtls_ratio_in = serializers.FloatField(
        allow_null=True, help_text="Share of received requests with mTLS, 0..1."
    )


class SidecarSerializer(serializers.Serializer):
    """Whether the node's pods run a mesh proxy."""

    status = serializers.CharField(
        allow_blank=True, help_text='"all", "partial" or "none" of the pods; empty without pods.'
    )
    meshed_pods = serializers.IntegerField(help_text="Pods running a mesh proxy.")


class NodeEndpointsSerializer(serializers.Serializer):
    """A service node's endpoints and the workloads behind them."""

    ready = serializers.IntegerField(required=False, help_text="Ready endpoints.")
    not_ready = serializers.IntegerField(required=False, help_text="Endpoints not ready.")
    workloads = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Node ids of the workloads."
    )


class NodeSerializer(Described, serializers.Serializer):
    """A graph node; its id reads workload:<ns>/<name>, service:<ns>/<name> or app:<ns>/<app>."""

    id = serializers.CharField(help_text="The node id, unique in the graph.")
    kind = serializers.CharField(help_text="workload, service, app, external or unknown")
    namespace = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    app = serializers.CharField(allow_blank=True, help_text="The app label; may be empty.")
    version = serializers.CharField(allow_blank=True, help_text="The version label.")
    workload_kind = serializers.CharField(
        required=False, allow_blank=True, help_text="Deployment, StatefulSet, DaemonSet..."
    )
    mesh = serializers.CharField(allow_blank=True, help_text="istio, linkerd or empty")
    labels = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    pods = serializers.IntegerField(required=False, help_text="Pods of the workload.")
    ready_pods = serializers.IntegerField(required=False, help_text="Ready pods.")
    sidecar = SidecarSerializer(required=False, help_text="Mesh proxies in its pods.")
    endpoints = NodeEndpointsSerializer(
        required=False, allow_null=True, help_text="Service nodes only; null for others."
    )
    in_inventory = serializers.BooleanField(
        required=False, help_text="Known to the inventory, not only to telemetry."
    )
    health = serializers.CharField(help_text="healthy, degraded, failure, idle or unknown")
    outside = serializers.BooleanField(help_text="Outside the requested namespaces.")
    idle = serializers.BooleanField(help_text="Known to the inventory but without traffic.")
    traffic = NodeTrafficSerializer(help_text="Traffic in and out over the window.")
    position = PositionSerializer(help_text="Layout position, px.")


class ErrorClassesSerializer(serializers.Serializer):
    """Shares of an edge's requests by error class, 0..1; null without requests."""

    classes = {"4xx": "HTTP 4xx answers.", "5xx": "HTTP 5xx answers.",
               "grpc": "gRPC errors (status 1-16) with a good HTTP status.",
               "no_response": "Requests that got no response at all."}

    def get_fields(self) -> dict[str, Any]:
        # "4xx" is no Python name: the fields are made here rather than declared.
        return {name: serializers.FloatField(allow_null=True, help_text=text)
                for name, text in self.classes.items()}


class BytesSerializer(serializers.Serializer):
    """TCP bytes per second over the window; null when unknown."""

    sent = serializers.FloatField(allow_null=True, help_text="Bytes/s from source to target.")
    received = serializers.FloatField(allow_null=True, help_text="Bytes/s back to the source.")


class EdgeDnsSerializer(Described, serializers.Serializer):
    """The cluster DNS over the window, on edges into it (CoreDNS totals, not this caller's)."""

    rps = serializers.FloatField(allow_null=True, help_text="DNS requests per second.")
    servfail_share = serializers.FloatField(
        allow_null=True, help_text="Share of answers that were SERVFAIL, 0..1."
    )
    nxdomain_share = serializers.FloatField(
        allow_null=True, help_text="Share of answers that were NXDOMAIN, 0..1."
    )
    p99_ms = serializers.FloatField(allow_null=True, help_text="99th percentile latency, ms.")


class EdgeSerializer(Described, serializers.Serializer):
    """A graph edge between two node ids, with its traffic over the window."""

    id = serializers.CharField(help_text="<source id>><target id>|<protocol>")
    source = serializers.CharField(help_text="The node id the traffic comes from.")
    target = serializers.CharField(help_text="The node id the traffic goes to.")
    protocol = serializers.CharField(help_text="http, grpc or tcp")
    mesh = serializers.CharField(allow_blank=True, help_text="The mesh that reported it.")
    rps = serializers.FloatField(allow_null=True, help_text="Requests per second over the window.")
    error_ratio = serializers.FloatField(
        allow_null=True, help_text="Share of requests that failed, 0..1."
    )
    errors = ErrorClassesSerializer(help_text="Ratios by error class.")
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)
    mtls_ratio = serializers.FloatField(allow_null=True, help_text="0..1, null when unknown.")
    bytes_per_s = BytesSerializer(help_text="TCP throughput.")
    health = serializers.CharField(help_text="healthy, degraded, failure or unknown")
    dns = EdgeDnsSerializer(
        required=False, help_text="Only on edges into the cluster DNS (kube-dns / CoreDNS)."
    )


class GraphSerializer(Described, serializers.Serializer):
    """The service graph over a window."""

    generated_at = serializers.DateTimeField()
    window = WindowSerializer()
    graph_type = serializers.CharField(help_text="workload, app, versioned_app or service")
    nodes = NodeSerializer(many=True, help_text="Every node, sorted by id.")
    edges = EdgeSerializer(many=True, help_text="Every edge, sorted by id.")


class ProblemSerializer(serializers.Serializer):
    """An error as RFC 9457 problem details (media type `application/problem+json`)."""

    type = serializers.CharField(
        help_text='A URI naming the kind of problem; "about:blank": the status says it.'
    )
    title = serializers.CharField(help_text='The HTTP status\'s phrase, e.g. "Not Found".')
    status = serializers.IntegerField(help_text="The HTTP status code of the response.")
    detail = serializers.CharField(help_text="What went wrong this time, in a sentence.")
    instance = serializers.CharField(help_text="The path of the request that failed.")
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Validation only: each field's messages (a list of strings, or an object "
        "of the same shape for a nested field); serializer-wide ones under non_field_errors.",
    )


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


class HeatmapColumnSerializer(Described, serializers.Serializer):
    """One time column: requests per latency bucket and the column's percentiles."""

    id = serializers.CharField(help_text="The column's start, as an id for live deltas.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    counts = serializers.ListField(
        child=serializers.FloatField(), help_text="Requests per bucket, in bounds_ms order."
    )
    total = serializers.FloatField(help_text="Requests in the column.")
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "enum": ["+Inf"]}]})
class BoundField(serializers.JSONField):
    """A bucket's upper bound: a number of ms, or "+Inf" for the last."""


class HeatmapSubjectSerializer(serializers.Serializer):
    """The traffic a heatmap counts: out of `source`, into `target`, or both (an edge);
    null for the end left open."""

    source = serializers.CharField(allow_null=True, required=False, help_text="A node id.")
    target = serializers.CharField(allow_null=True, required=False, help_text="A node id.")


class HeatmapSerializer(Described, serializers.Serializer):
    """A latency heatmap: bucket bounds (ms, sorted numerically, "+Inf" last) by time."""

    generated_at = serializers.DateTimeField()
    window = WindowSerializer()
    subject = HeatmapSubjectSerializer(help_text="What the heatmap counts.")
    unit = serializers.CharField(help_text='The unit of the bounds: "ms".')
    bounds_ms = serializers.ListField(
        child=BoundField(), help_text='Upper bounds in ms; the last is "+Inf".'
    )
    columns = HeatmapColumnSerializer(many=True, help_text="Time columns, oldest first.")


class CycleSerializer(serializers.Serializer):
    """The newest successful collection cycle."""

    at = serializers.DateTimeField(help_text="The cycle's time.")
    source = serializers.CharField(help_text="simulator, prometheus or kubernetes+prometheus")
    edges = serializers.IntegerField(help_text="Edge samples stored.")
    duration_ms = serializers.FloatField(allow_null=True, help_text="How long the cycle took.")
    gaps = serializers.ListField(
        child=serializers.CharField(), help_text="What the cycle could not fetch, if anything."
    )


class FailureSerializer(serializers.Serializer):
    """The newest failed cycle."""

    at = serializers.DateTimeField(help_text="The cycle's time.")
    error = serializers.CharField(allow_blank=True, help_text="Why it failed.")


class BackfillSerializer(serializers.Serializer):
    """A history backfill in progress."""

    source = serializers.CharField(help_text="Where the history comes from.")
    done = serializers.IntegerField(help_text="Cycles filled so far.")
    total = serializers.IntegerField(help_text="Cycles to fill.")
    failed = serializers.IntegerField(help_text="Cycles that failed.")
    started_at = serializers.DateTimeField(help_text="When it started.")


class StatusSerializer(serializers.Serializer):
    """The collection's state, for operators and for the pages' stale indicator."""

    interval_s = serializers.FloatField(help_text="Seconds between cycles.")
    latest_cycle = CycleSerializer(allow_null=True, help_text="Null before the first cycle.")
    lag_s = serializers.FloatField(allow_null=True, help_text="Seconds since the newest cycle.")
    stale = serializers.BooleanField(help_text="True when two intervals passed without a cycle.")
    last_failure = FailureSerializer(allow_null=True, help_text="Null when none failed.")
    backfill = BackfillSerializer(allow_null=True, help_text="Null when none runs.")
