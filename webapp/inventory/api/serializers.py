"""REST shapes of the inventory, one serializer per model (`Pod` → `PodSerializer`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.described import Described
from webapp.inventory import models


def _labels(text: str = "Kubernetes labels, key → value.") -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(allow_blank=True), read_only=True, help_text=text
    )


def _strings(text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), read_only=True, help_text=text)


class InventorySerializer(Described, serializers.ModelSerializer):
    """An inventory row as the cluster reported it at the last sync; labels as strings."""

    labels = _labels()


class NamespacedSerializer(InventorySerializer):
    """Adds the namespace by name (rows hold it as a foreign key)."""

    namespace = serializers.CharField(source="namespace.name", read_only=True)


class NamespaceSerializer(InventorySerializer):
    """A Kubernetes Namespace and the mesh its injection label enrols it in."""

    descriptions = {"mesh": "istio or linkerd when the namespace's label enrols it; or empty."}

    class Meta:
        model = models.Namespace
        fields = ["name", "labels", "mesh", "updated_at"]


class NodeSerializer(InventorySerializer):
    """A Kubernetes Node: addresses, pod CIDRs, readiness and software versions."""

    pods = serializers.IntegerField(source="pod_count", read_only=True,
                                    help_text="Pods scheduled on it.")
    pod_cidrs = _strings("The pod IP ranges the node hands out (spec.podCIDRs).")
    descriptions = {
        "name": "The node's name.",
        "internal_ip": "The node's InternalIP address.",
        "ready": "The Ready condition; null when unknown.",
        "kubelet_version": "The kubelet's version.",
        "container_runtime": "The container runtime and its version.",
        "unschedulable": "Cordoned: no new pods land here.",
    }

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
    """A Deployment, StatefulSet, DaemonSet... with its pods counted."""

    pods = serializers.IntegerField(source="pod_count", read_only=True, help_text="Its pods.")
    ready_pods = serializers.IntegerField(
        source="ready_count", read_only=True, help_text="Of them, the ready ones."
    )
    sidecar_pods = serializers.IntegerField(
        source="sidecar_count", read_only=True, help_text="Of them, those with a mesh proxy."
    )
    descriptions = {
        "kind": "Deployment, StatefulSet, DaemonSet, Job, CronJob or ReplicaSet.",
        "app": "The app label (app.kubernetes.io/name or app).",
        "version": "The version label.",
        "replicas": "Desired replicas.",
        "ready_replicas": "Ready replicas; null when the controller does not say.",
    }

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
    """The pod's place in the mesh."""

    sidecar = serializers.CharField(help_text="The proxy it runs: istio, linkerd or empty.")
    layout = serializers.CharField(
        source="mesh_layout", help_text="sidecar, ambient or empty: how the proxy is attached."
    )
    tls_mode = serializers.CharField(help_text="Istio's security.istio.io/tlsMode label.")
    canonical_name = serializers.CharField(help_text="The mesh's canonical service name.")
    canonical_revision = serializers.CharField(help_text="The mesh's canonical revision.")


class PodDnsSerializer(serializers.Serializer):
    """How the pod resolves names (its effective resolv.conf)."""

    policy = serializers.CharField(source="dns_policy", help_text="ClusterFirst, Default...")
    ndots = serializers.IntegerField(help_text="Names with fewer dots walk the search path.")
    search = serializers.ListField(child=serializers.CharField(), help_text="Search domains.")
    nameservers = serializers.ListField(
        child=serializers.CharField(), help_text="Resolver addresses."
    )


class PodSerializer(NamespacedSerializer):
    """A Pod: its owner, addresses, node, state, mesh proxy and DNS configuration."""

    mesh = PodMeshSerializer(source="*", read_only=True, help_text="Its mesh proxy.")
    dns = PodDnsSerializer(source="*", read_only=True, help_text="Its DNS configuration.")
    pod_ips = _strings("Every IP of the pod (dual stack: one per family).")
    descriptions = {
        "workload": "The name of the workload that owns it.",
        "workload_kind": "That workload's kind.",
        "ip": "The pod's primary IP.",
        "node": "The node it runs on.",
        "host_network": "Runs in the node's network namespace.",
        "phase": "Pending, Running, Succeeded, Failed or Unknown.",
        "restarts": "Container restarts, summed.",
    }

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
    """A Service: its type, addresses, selector, ports and endpoint counts."""

    endpoints = serializers.SerializerMethodField(help_text="Ready and not-ready endpoints.")
    cluster_ips = _strings("Every ClusterIP (dual stack: one per family).")
    selector = _labels("The pod selector, label → value; empty: endpoints managed by hand.")
    descriptions = {
        "type": "ClusterIP, NodePort, LoadBalancer or ExternalName.",
        "cluster_ip": "The primary ClusterIP; empty or None for headless.",
        "headless": "clusterIP: None; DNS answers with the pods' IPs.",
        "external_name": "The DNS name an ExternalName service aliases.",
        "ports": "The service's ports as Kubernetes lists them.",
    }

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

    @extend_schema_field({
        "type": "object",
        "properties": {
            "ready": {"type": "integer", "description": "Ready endpoints."},
            "not_ready": {"type": "integer", "description": "Endpoints not ready."},
        },
    })
    def get_endpoints(self, service: models.Service) -> dict[str, int]:
        ready = getattr(service, "ready_endpoints", 0) or 0
        total = getattr(service, "all_endpoints", 0) or 0
        return {"ready": ready, "not_ready": total - ready}


class EndpointSerializer(Described, serializers.ModelSerializer):
    """One endpoint of an EndpointSlice."""

    slice = serializers.CharField(source="slice.name", read_only=True,
                                  help_text="The EndpointSlice it belongs to.")
    addresses = _strings("Its IP addresses.")
    descriptions = {
        "ready": "Ready to receive traffic.",
        "serving": "Serving, even while terminating.",
        "terminating": "Shutting down.",
        "pod": "The pod behind it, if any.",
        "node": "The node it runs on.",
        "zone": "The topology zone.",
    }

    class Meta:
        model = models.Endpoint
        fields = ["slice", "addresses", "ready", "serving", "terminating", "pod", "node", "zone"]


class ServiceDetailSerializer(ServiceSerializer):
    """A Service with every endpoint of its slices."""

    endpoint_list = serializers.SerializerMethodField(help_text="Every endpoint of its slices.")

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
    """A NetworkPolicy: whom it selects and its rules, as Kubernetes spells them."""

    policy_types = _strings("Ingress, Egress or both.")
    descriptions = {
        "pod_selector": "The pods it applies to, a Kubernetes label selector.",
        "ingress": "Its ingress rules, as in the manifest.",
        "egress": "Its egress rules, as in the manifest.",
        "default_deny_ingress": "Selects pods and allows no ingress: a default deny.",
        "default_deny_egress": "Selects pods and allows no egress: a default deny.",
    }

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
    """An Istio or Linkerd policy (PeerAuthentication, AuthorizationPolicy, Server...)."""

    descriptions = {
        "kind": "The resource kind, e.g. PeerAuthentication or Server.",
        "mesh": "istio or linkerd.",
        "spec": "The resource's spec, as in the manifest.",
    }

    class Meta:
        model = models.MeshPolicy
        fields = ["namespace", "name", "kind", "mesh", "spec", "labels"]


class KindSyncSerializer(serializers.Serializer):
    """How fresh one kind of object is."""

    kind = serializers.CharField(help_text="The Kubernetes kind, e.g. Pod.")
    synced = serializers.BooleanField(help_text="Listed at least once since start.")
    last_sync_at = serializers.DateTimeField(allow_null=True, help_text="The last good sync.")
    stale_since = serializers.DateTimeField(
        allow_null=True, help_text="Since when it has been failing; null while fresh."
    )
    last_error = serializers.CharField(allow_blank=True, help_text="The last failure, if any.")
    objects = serializers.IntegerField(help_text="Objects of the kind stored.")


class StalenessSerializer(serializers.Serializer):
    """Whether the inventory is current."""

    source = serializers.CharField(help_text="Where the inventory comes from.")
    stale = serializers.BooleanField(help_text="Some kind failed to sync lately.")
    stale_since = serializers.DateTimeField(allow_null=True, help_text="Since when.")
    last_sync_at = serializers.DateTimeField(allow_null=True, help_text="The last good sync.")
    watcher = serializers.DictField(
        allow_null=True, help_text="The watch_cluster process's heartbeat, if it runs."
    )
    kinds = KindSyncSerializer(many=True, help_text="Per kind.")


class CniSerializer(serializers.Serializer):
    """The CNI plugin, as far as the cluster's objects give it away."""

    plugin = serializers.CharField(help_text="calico, cilium, flannel... or unknown.")
    evidence = _strings("What points to it.")
    candidates = _strings("Other plugins that fit the evidence.")


class KubeProxySerializer(serializers.Serializer):
    """kube-proxy's mode."""

    mode = serializers.CharField(help_text="iptables, ipvs, nftables, none or unknown.")
    evidence = _strings("What points to it.")


class ClusterSerializer(serializers.Serializer):
    """GET /api/v1/cluster."""

    cni = CniSerializer(help_text="The CNI plugin.")
    kube_proxy = KubeProxySerializer(help_text="kube-proxy's mode.")
    dns_service = serializers.DictField(
        allow_null=True, help_text="The cluster DNS Service (namespace, name, cluster IP)."
    )
    node_pod_cidrs = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Node name → its pod CIDRs.",
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Objects stored per kind."
    )
    staleness = StalenessSerializer(help_text="Whether the inventory is current.")
