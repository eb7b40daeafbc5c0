"""Serializers that document `GET /api/v1/mtls` (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from rest_framework import serializers

from webapp.api.serializers import WindowSerializer


class MtlsQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/mtls`."""

    window = serializers.CharField(
        required=False, default="5m", help_text="Prometheus-style duration: 30s, 5m, 1h, 7d."
    )
    at = serializers.CharField(
        required=False, help_text="End of the window: Unix seconds or ISO 8601; default now."
    )
    namespaces = serializers.CharField(required=False, help_text="Comma-separated namespaces.")


class MtlsWindowSerializer(WindowSerializer):
    """The window the shares cover."""

    seconds = serializers.FloatField()
    covered_s = serializers.FloatField(help_text="Seconds that successful cycles covered.")
    cycles = serializers.IntegerField()


class TrendSerializer(serializers.Serializer):
    """The same share over the previous window of the same length."""

    previous_ratio = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="Now minus before.")


class ShareSerializer(serializers.Serializer):
    """Requests (and TCP bytes) whose protection is known, and the mTLS share of them."""

    observed_ratio = serializers.FloatField(
        allow_null=True, help_text="mTLS requests / known requests; null when none is known."
    )
    bytes_ratio = serializers.FloatField(allow_null=True, help_text="The same for TCP bytes.")
    requests = serializers.FloatField()
    mtls_requests = serializers.FloatField()
    plaintext_requests = serializers.FloatField()
    tcp_bytes = serializers.FloatField()


class MeshWideSerializer(ShareSerializer):
    """Every edge in the window."""

    trend = TrendSerializer()


class MtlsWorkloadSerializer(serializers.Serializer):
    """A workload's intended mode (per port) and the share of what it received with mTLS."""

    id = serializers.CharField(help_text="workload:<ns>/<name>")
    intended_mode = serializers.CharField(help_text="STRICT, PERMISSIVE, DISABLE or NONE")
    policy_mode = serializers.CharField(help_text="What the policies say, proxy or not.")
    ports = serializers.DictField(child=serializers.CharField())
    policies = serializers.ListField(child=serializers.CharField())
    observed_ratio = serializers.FloatField(allow_null=True)
    requests = serializers.FloatField()
    sidecar = serializers.CharField(allow_blank=True)


class IntendedSerializer(serializers.Serializer):
    """The namespace-wide mode and how many of the namespace's workloads run in each mode."""

    mode = serializers.CharField(help_text="What a workload no selector picks runs in.")
    policies = serializers.ListField(child=serializers.CharField())
    modes = serializers.DictField(child=serializers.IntegerField())


class MtlsNamespaceSerializer(ShareSerializer):
    """One namespace: received traffic's share, trend, intended modes, workloads."""

    id = serializers.CharField()
    namespace = serializers.CharField()
    mesh = serializers.CharField(allow_blank=True)
    trend = TrendSerializer()
    intended = IntendedSerializer()
    workloads = MtlsWorkloadSerializer(many=True)


class MtlsEdgeSerializer(ShareSerializer):
    """One edge's share."""

    id = serializers.CharField(help_text="<source id>-><target id>|<protocol>")
    source = serializers.CharField()
    target = serializers.CharField()


class MismatchSerializer(serializers.Serializer):
    """Intent and observation disagreeing, with the numbers and a remedy to paste."""

    id = serializers.CharField()
    kind = serializers.CharField(
        help_text="plaintext_to_strict, safe_to_tighten, strict_dr_disable, "
        "meshed_client_unmeshed_server or missing_sidecar"
    )
    namespace = serializers.CharField()
    subject_ids = serializers.ListField(child=serializers.CharField())
    evidence = serializers.DictField()
    remedy = serializers.CharField()
    remedy_yaml = serializers.CharField(allow_blank=True)
    severity = serializers.CharField()


class MtlsSerializer(serializers.Serializer):
    """The mTLS view."""

    generated_at = serializers.DateTimeField()
    window = MtlsWindowSerializer()
    mesh_wide = MeshWideSerializer()
    namespaces = MtlsNamespaceSerializer(many=True)
    edges = MtlsEdgeSerializer(many=True)
    mismatches = MismatchSerializer(many=True)
