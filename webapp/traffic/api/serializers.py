"""Serializers that document `GET /api/v1/series` (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from rest_framework import serializers

from webapp.api.serializers import WindowSerializer


class SeriesQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/series`: one subject (edge, node or scope), and the
    window."""

    edge = serializers.CharField(
        required=False,
        help_text="A graph edge id, <source id>><target id>|<protocol> (an edge: prefix is "
        "allowed; without |<protocol> every protocol counts).",
    )
    node = serializers.CharField(
        required=False,
        help_text="A graph node id: workload:<ns>/<name>, service:<ns>/<name>, "
        "app:<ns>/<app>[/<version>] or unknown.",
    )
    scope = serializers.ChoiceField(
        choices=["mesh"],
        required=False,
        help_text="mesh: every edge summed (instead of edge= or node=), as the mTLS view's "
        "mesh-wide coverage counts it.",
    )
    namespaces = serializers.CharField(
        required=False,
        help_text="With scope=mesh: only edges from or to these namespaces, comma-separated "
        "(a viewer limited to some namespaces must name them).",
    )
    window = serializers.CharField(
        required=False, default="5m", help_text="Prometheus-style duration: 30s, 5m, 1h, 7d."
    )
    at = serializers.CharField(
        required=False, help_text="End of the window: Unix seconds or ISO 8601; default now."
    )
    step = serializers.CharField(
        required=False,
        default="auto",
        help_text="Point width, or auto: window/120 rounded up to whole cycles (whole 5-minute "
        "buckets where retention kept only rollups). At most 120 points.",
    )


class SeriesPointSerializer(serializers.Serializer):
    """One step of a series: totals over (start, end]."""

    start = serializers.DateTimeField(help_text="Start of the step (exclusive).")
    end = serializers.DateTimeField(help_text="End of the step (inclusive).")
    covered_s = serializers.FloatField(
        help_text="Seconds good collection cycles covered in the step; 0 is a gap."
    )
    requests = serializers.FloatField(help_text="Requests (TCP: connections) in the step.")
    rps = serializers.FloatField(
        allow_null=True, help_text="requests / covered_s; null when no cycle covered the step."
    )
    error_ratio = serializers.FloatField(
        allow_null=True, help_text="Share of requests that failed, 0..1; null without requests."
    )
    p95_ms = serializers.FloatField(
        allow_null=True, help_text="95th percentile latency in ms; null without a histogram."
    )
    mtls_ratio = serializers.FloatField(
        allow_null=True,
        help_text="Share of requests sent with mutual TLS, 0..1; null when telemetry could "
        "not tell.",
    )


class NamedSeriesSerializer(serializers.Serializer):
    """One series: an edge's own, or a node's inbound or outbound edges summed."""

    name = serializers.ChoiceField(
        choices=["edge", "inbound", "outbound", "mesh"],
        help_text="edge; for a node, inbound (edges into it) and outbound (edges out); mesh.",
    )
    points = SeriesPointSerializer(many=True, help_text="Oldest first, one per step.")
    malformed_histograms = serializers.IntegerField(
        help_text="Stored latency histograms left out of p95_ms because their counts did not "
        "fit their bounds (0 normally)."
    )


class SeriesSubjectSerializer(serializers.Serializer):
    """What the series are of."""

    kind = serializers.ChoiceField(choices=["edge", "node", "mesh"], help_text="edge, node or mesh")
    id = serializers.CharField(
        help_text="The canonical graph id of the edge or node; mesh, or mesh:<namespaces>."
    )


class SeriesSerializer(serializers.Serializer):
    """`GET /api/v1/series`: the subject's series over the window."""

    generated_at = serializers.DateTimeField(help_text="When the answer was computed.")
    window = WindowSerializer(help_text="The window, widened to whole steps.")
    step_s = serializers.FloatField(help_text="Seconds per point.")
    subject = SeriesSubjectSerializer(help_text="The edge, node or mesh the series are of.")
    series = NamedSeriesSerializer(
        many=True,
        help_text="edge; inbound and outbound (a service node: inbound only); or mesh.",
    )
