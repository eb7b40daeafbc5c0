"""Serializers that document `GET /api/v1/mtls` (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.described import Described
from webapp.api.serializers import AT_TEXT, WINDOW_TEXT, WindowSerializer


class MtlsQuerySerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/mtls`."""

    window = serializers.CharField(required=False, default="5m", help_text=WINDOW_TEXT)
    at = serializers.CharField(required=False, help_text=AT_TEXT)
    namespaces = serializers.CharField(required=False, help_text="Comma-separated namespaces.")


class MtlsWindowSerializer(WindowSerializer):
    """The window the shares cover."""

    seconds = serializers.FloatField(help_text="The window's length.")
    covered_s = serializers.FloatField(help_text="Seconds that successful cycles covered.")
    cycles = serializers.IntegerField(help_text="Cycles in the window.")


class TrendSerializer(serializers.Serializer):
    """The same share over the previous window of the same length."""

    previous_ratio = serializers.FloatField(
        allow_null=True, help_text="The share in the previous window; null when unknown."
    )
    change = serializers.FloatField(allow_null=True, help_text="Now minus before.")


class ShareSerializer(serializers.Serializer):
    """Requests (and TCP bytes) whose protection is known, and the mTLS share of them."""

    observed_ratio = serializers.FloatField(
        allow_null=True, help_text="mTLS requests / known requests; null when none is known."
    )
    bytes_ratio = serializers.FloatField(allow_null=True, help_text="The same for TCP bytes.")
    requests = serializers.FloatField(help_text="Requests whose protection is known.")
    mtls_requests = serializers.FloatField(help_text="Of those, the ones with mTLS.")
    plaintext_requests = serializers.FloatField(help_text="Of those, the ones without.")
    tcp_bytes = serializers.FloatField(help_text="TCP bytes whose protection is known.")


class MeshWideSerializer(ShareSerializer):
    """Every edge in the window."""

    trend = TrendSerializer(help_text="Against the previous window.")


class MtlsWorkloadSerializer(serializers.Serializer):
    """A workload's intended mode (per port) and the share of what it received with mTLS."""

    id = serializers.CharField(help_text="workload:<ns>/<name>")
    intended_mode = serializers.CharField(help_text="STRICT, PERMISSIVE, DISABLE or NONE")
    policy_mode = serializers.CharField(help_text="What the policies say, proxy or not.")
    ports = serializers.DictField(
        child=serializers.CharField(), help_text="Port → mode where a policy sets one per port."
    )
    policies = serializers.ListField(
        child=serializers.CharField(), help_text="The policies in force, <kind> <ns>/<name>."
    )
    observed_ratio = serializers.FloatField(
        allow_null=True, help_text="Share of received requests with mTLS; null when unknown."
    )
    requests = serializers.FloatField(help_text="Requests received over the window.")
    sidecar = serializers.CharField(allow_blank=True, help_text="The mesh proxy, if any.")


class IntendedSerializer(serializers.Serializer):
    """The namespace-wide mode and how many of the namespace's workloads run in each mode."""

    mode = serializers.CharField(help_text="What a workload no selector picks runs in.")
    policies = serializers.ListField(
        child=serializers.CharField(), help_text="The namespace-wide policies."
    )
    modes = serializers.DictField(
        child=serializers.IntegerField(), help_text="Mode → workloads running in it."
    )


class MtlsNamespaceSerializer(ShareSerializer):
    """One namespace: received traffic's share, trend, intended modes, workloads."""

    id = serializers.CharField(help_text="The namespace.")
    namespace = serializers.CharField(help_text="The namespace.")
    mesh = serializers.CharField(allow_blank=True, help_text="istio, linkerd or empty.")
    trend = TrendSerializer(help_text="Against the previous window.")
    intended = IntendedSerializer(help_text="What the policies intend.")
    workloads = MtlsWorkloadSerializer(many=True, help_text="Its workloads.")


class MtlsEdgeSerializer(ShareSerializer):
    """One edge's share."""

    id = serializers.CharField(help_text="<source id>-><target id>|<protocol>")
    source = serializers.CharField(help_text="The client's node id.")
    target = serializers.CharField(help_text="The server's node id.")


@extend_schema_field({
    "type": "object",
    "additionalProperties": {
        "nullable": True,
        "oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"},
                  {"type": "array", "items": {"type": "string"}}],
    },
})
class EvidenceField(serializers.DictField):
    """A mismatch's numbers and names: scalars, or lists of ids."""


class MismatchSerializer(serializers.Serializer):
    """Intent and observation disagreeing, with the numbers and a remedy to paste."""

    id = serializers.CharField(help_text="<kind>:<subject>")
    kind = serializers.CharField(
        help_text="plaintext_to_strict, safe_to_tighten, strict_dr_disable, "
        "meshed_client_unmeshed_server or missing_sidecar"
    )
    namespace = serializers.CharField(help_text="The namespace it is in.")
    subject_ids = serializers.ListField(
        child=serializers.CharField(), help_text="The graph ids it concerns."
    )
    evidence = EvidenceField(help_text="The numbers behind it; keys depend on the kind.")
    remedy = serializers.CharField(help_text="What to do, in words.")
    remedy_yaml = serializers.CharField(allow_blank=True, help_text="A manifest to apply.")
    severity = serializers.CharField(help_text="info, warning or critical")


class MtlsSerializer(Described, serializers.Serializer):
    """The mTLS view."""

    generated_at = serializers.DateTimeField()
    window = MtlsWindowSerializer()
    mesh_wide = MeshWideSerializer(help_text="Every edge in the window together.")
    namespaces = MtlsNamespaceSerializer(many=True, help_text="Per namespace.")
    edges = MtlsEdgeSerializer(many=True, help_text="Per edge.")
    mismatches = MismatchSerializer(many=True, help_text="Where intent and observation differ.")
