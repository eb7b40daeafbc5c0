"""What the cluster contains, as last listed or watched: the graph's and the REST API's view.

Rows mirror collectors.records. Two writers keep them in step with a source: the collection
cycle (`services.apply_inventory`, the simulator and telemetry-only mode) and the
`watch_cluster` process (`changes.apply_changes`, one transaction per informer batch).
`SyncState` and `WatcherLease` say how current the rows are and who may write them.
"""

from __future__ import annotations

from django.db import models


class Namespace(models.Model):
    """A Kubernetes namespace."""

    name = models.CharField(max_length=63, unique=True)
    labels = models.JSONField(default=dict, blank=True)
    mesh = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Workload(models.Model):
    """A pod owner as the graph sees it (Deployment, StatefulSet, DaemonSet, Job, ...)."""

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="workloads")
    name = models.CharField(max_length=253)
    kind = models.CharField(max_length=32)
    app = models.CharField(max_length=253, blank=True)
    version = models.CharField(max_length=253, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    mesh = models.CharField(max_length=16, blank=True)
    replicas = models.PositiveIntegerField(default=1)
    ready_replicas = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="workload_ns_name")
        ]

    def __str__(self) -> str:
        return f"{self.namespace_id}/{self.name}"


class Service(models.Model):
    """A Kubernetes Service."""

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=253)
    type = models.CharField(max_length=32, default="ClusterIP")
    cluster_ip = models.CharField(max_length=45, blank=True)
    selector = models.JSONField(default=dict, blank=True)
    ports = models.JSONField(default=list, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    cluster_ips = models.JSONField(default=list, blank=True)
    headless = models.BooleanField(default=False)
    external_name = models.CharField(max_length=253, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="service_ns_name")
        ]

    def __str__(self) -> str:
        return f"{self.namespace_id}/{self.name}"


class Pod(models.Model):
    """A pod: its address, node, readiness, proxy and DNS settings."""

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="pods")
    name = models.CharField(max_length=253)
    workload = models.CharField(max_length=253, blank=True)
    workload_kind = models.CharField(max_length=32, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    node = models.CharField(max_length=253, blank=True)
    phase = models.CharField(max_length=16, blank=True)
    ready = models.BooleanField(default=False)
    labels = models.JSONField(default=dict, blank=True)
    sidecar = models.CharField(max_length=16, blank=True)
    dns_policy = models.CharField(max_length=32, blank=True)
    ndots = models.PositiveSmallIntegerField(default=5)
    search = models.JSONField(default=list, blank=True)
    pod_ips = models.JSONField(default=list, blank=True)
    host_network = models.BooleanField(default=False)
    mesh_layout = models.CharField(max_length=16, blank=True)
    tls_mode = models.CharField(max_length=32, blank=True)
    canonical_name = models.CharField(max_length=253, blank=True)
    canonical_revision = models.CharField(max_length=253, blank=True)
    restarts = models.PositiveIntegerField(default=0)
    nameservers = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="pod_ns_name")]

    def __str__(self) -> str:
        return f"{self.namespace_id}/{self.name}"


class Node(models.Model):
    """A cluster node: its pod CIDRs, address and readiness."""

    name = models.CharField(max_length=253, unique=True)
    labels = models.JSONField(default=dict, blank=True)
    pod_cidrs = models.JSONField(default=list, blank=True)
    internal_ip = models.CharField(max_length=45, blank=True)
    ready = models.BooleanField(null=True)
    kubelet_version = models.CharField(max_length=64, blank=True)
    container_runtime = models.CharField(max_length=128, blank=True)
    unschedulable = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class EndpointSlice(models.Model):
    """An EndpointSlice: a share of one Service's endpoints."""

    namespace = models.ForeignKey(
        Namespace, on_delete=models.CASCADE, related_name="endpoint_slices"
    )
    name = models.CharField(max_length=253)
    service = models.CharField(max_length=253, blank=True, db_index=True)
    address_type = models.CharField(max_length=8, default="IPv4")
    ports = models.JSONField(default=list, blank=True)
    endpoints_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="endpointslice_ns_name")
        ]

    def __str__(self) -> str:
        return f"{self.namespace_id}/{self.name}"


class Endpoint(models.Model):
    """One endpoint of a slice; rewritten with its slice whenever the slice changes."""

    slice = models.ForeignKey(EndpointSlice, on_delete=models.CASCADE, related_name="endpoints")
    addresses = models.JSONField(default=list, blank=True)
    ready = models.BooleanField(default=True)
    serving = models.BooleanField(default=True)
    terminating = models.BooleanField(default=False)
    pod = models.CharField(max_length=253, blank=True)
    node = models.CharField(max_length=253, blank=True)
    zone = models.CharField(max_length=63, blank=True)

    def __str__(self) -> str:
        return ",".join(self.addresses)


class NetworkPolicy(models.Model):
    """A Kubernetes NetworkPolicy, its selector and rules as parsed JSON."""

    namespace = models.ForeignKey(
        Namespace, on_delete=models.CASCADE, related_name="network_policies"
    )
    name = models.CharField(max_length=253)
    pod_selector = models.JSONField(default=dict, blank=True)
    policy_types = models.JSONField(default=list, blank=True)
    ingress = models.JSONField(default=list, blank=True)
    egress = models.JSONField(default=list, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    default_deny_ingress = models.BooleanField(default=False)
    default_deny_egress = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "name"], name="networkpolicy_ns_name")
        ]

    def __str__(self) -> str:
        return f"{self.namespace_id}/{self.name}"


class MeshPolicy(models.Model):
    """An Istio or Linkerd security or traffic policy: its kind and parsed spec."""

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="mesh_policies")
    name = models.CharField(max_length=253)
    kind = models.CharField(max_length=32)
    mesh = models.CharField(max_length=16)
    spec = models.JSONField(default=dict, blank=True)
    labels = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "kind", "name"], name="meshpolicy_ns_kind_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace_id}/{self.name}"


class ClusterFacts(models.Model):
    """The one row of cluster facts (pk 1): CNI, kube-proxy mode, DNS service, pod CIDRs."""

    cni = models.CharField(max_length=32, default="unknown")
    cni_evidence = models.JSONField(default=list, blank=True)
    cni_candidates = models.JSONField(default=list, blank=True)
    kube_proxy_mode = models.CharField(max_length=32, default="unknown")
    kube_proxy_evidence = models.JSONField(default=list, blank=True)
    dns_service = models.JSONField(null=True, blank=True)
    node_pod_cidrs = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=32, blank=True)  # "kubernetes", "simulator", …
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "cluster facts"

    def __str__(self) -> str:
        return f"cni={self.cni} kube-proxy={self.kube_proxy_mode}"


class SyncState(models.Model):
    """How current one watched kind is: its last good sync, and since when it is stale."""

    kind = models.CharField(max_length=64, unique=True)  # informer name: "pods", …
    synced = models.BooleanField(default=False)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    object_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kind} ({'stale' if self.stale_since else 'current'})"


class WatcherLease(models.Model):
    """Who may write the watched inventory: one holder until `expires_at` (see lease.py)."""

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=255)
    expires_at = models.DateTimeField()
    acquired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at.isoformat()}"
