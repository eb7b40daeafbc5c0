"""What the cluster contains, as last listed: enough for the graph and its side panel.

Rows mirror collectors.records; `services.apply_inventory` keeps them in step with a source.
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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="pod_ns_name")]

    def __str__(self) -> str:
        return f"{self.namespace_id}/{self.name}"
