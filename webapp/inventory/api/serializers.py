"""REST shapes of the inventory, one serializer per model (`Pod` → `PodSerializer`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.inventory import models


class NamespacedSerializer(serializers.ModelSerializer):
    """Adds the namespace by name (rows hold it as a foreign key)."""

    namespace = serializers.CharField(source="namespace.name", read_only=True)


class NamespaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Namespace
        fields = ["name", "labels", "mesh", "updated_at"]


class NodeSerializer(serializers.ModelSerializer):
    pods = serializers.IntegerField(source="pod_count", read_only=True)

    class Meta:
        model = models.Node
        fields = [
            "name",
            "labels",
            "pod_cidrs",
            "internal_ip",
            "ready",
            "kubelet_version",
            "container_runtime",
            "unschedulable",
            "pods",
        ]


class WorkloadSerializer(NamespacedSerializer):
    pods = serializers.IntegerField(source="pod_count", read_only=True)
    ready_pods = serializers.IntegerField(source="ready_count", read_only=True)
    sidecar_pods = serializers.IntegerField(source="sidecar_count", read_only=True)

    class Meta:
        model = models.Workload
        fields = [
            "namespace",
            "name",
            "kind",
            "app",
            "version",
            "labels",
            "mesh",
            "replicas",
            "ready_replicas",
            "pods",
            "ready_pods",
            "sidecar_pods",
        ]


class PodMeshSerializer(serializers.Serializer):
    sidecar = serializers.CharField()
    layout = serializers.CharField(source="mesh_layout")
    tls_mode = serializers.CharField()
    canonical_name = serializers.CharField()
    canonical_revision = serializers.CharField()


class PodDnsSerializer(serializers.Serializer):
    policy = serializers.CharField(source="dns_policy")
    ndots = serializers.IntegerField()
    search = serializers.ListField(child=serializers.CharField())
    nameservers = serializers.ListField(child=serializers.CharField())


class PodSerializer(NamespacedSerializer):
    mesh = PodMeshSerializer(source="*", read_only=True)
    dns = PodDnsSerializer(source="*", read_only=True)

    class Meta:
        model = models.Pod
        fields = [
            "namespace",
            "name",
            "workload",
            "workload_kind",
            "ip",
            "pod_ips",
            "node",
            "host_network",
            "phase",
            "ready",
            "restarts",
            "labels",
            "mesh",
            "dns",
        ]


class ServiceSerializer(NamespacedSerializer):
    endpoints = serializers.SerializerMethodField()

    class Meta:
        model = models.Service
        fields = [
            "namespace",
            "name",
            "type",
            "cluster_ip",
            "cluster_ips",
            "headless",
            "external_name",
            "selector",
            "ports",
            "labels",
            "endpoints",
        ]

    @extend_schema_field(
        {"type": "object", "properties": {"ready": {"type": "integer"}, "not_ready": {}}}
    )
    def get_endpoints(self, service: models.Service) -> dict[str, int]:
        ready = getattr(service, "ready_endpoints", 0) or 0
        total = getattr(service, "all_endpoints", 0) or 0
        return {"ready": ready, "not_ready": total - ready}


class EndpointSerializer(serializers.ModelSerializer):
    slice = serializers.CharField(source="slice.name", read_only=True)

    class Meta:
        model = models.Endpoint
        fields = ["slice", "addresses", "ready", "serving", "terminating", "pod", "node", "zone"]


class ServiceDetailSerializer(ServiceSerializer):
    """A Service with every endpoint of its slices."""

    endpoint_list = serializers.SerializerMethodField()

    class Meta(ServiceSerializer.Meta):
        fields = [*ServiceSerializer.Meta.fields, "endpoint_list"]

    @extend_schema_field(EndpointSerializer(many=True))
    def get_endpoint_list(self, service: models.Service) -> list[dict[str, Any]]:
        rows = (
            models.Endpoint.objects.filter(
                slice__namespace_id=service.namespace_id, slice__service=service.name
            )
            .select_related("slice")
            .order_by("slice__name", "pk")
        )
        return list(EndpointSerializer(rows, many=True).data)


class NetworkPolicySerializer(NamespacedSerializer):
    class Meta:
        model = models.NetworkPolicy
        fields = [
            "namespace",
            "name",
            "pod_selector",
            "policy_types",
            "ingress",
            "egress",
            "labels",
            "default_deny_ingress",
            "default_deny_egress",
        ]


class MeshPolicySerializer(NamespacedSerializer):
    class Meta:
        model = models.MeshPolicy
        fields = ["namespace", "name", "kind", "mesh", "spec", "labels"]


class KindSyncSerializer(serializers.Serializer):
    kind = serializers.CharField()
    synced = serializers.BooleanField()
    last_sync_at = serializers.DateTimeField(allow_null=True)
    stale_since = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    objects = serializers.IntegerField()


class StalenessSerializer(serializers.Serializer):
    source = serializers.CharField()
    stale = serializers.BooleanField()
    stale_since = serializers.DateTimeField(allow_null=True)
    last_sync_at = serializers.DateTimeField(allow_null=True)
    watcher = serializers.DictField(allow_null=True)
    kinds = KindSyncSerializer(many=True)


class ClusterSerializer(serializers.Serializer):
    """GET /api/v1/cluster."""

    cni = serializers.DictField()
    kube_proxy = serializers.DictField()
    dns_service = serializers.DictField(allow_null=True)
    node_pod_cidrs = serializers.DictField()
    counts = serializers.DictField()
    staleness = StalenessSerializer()
