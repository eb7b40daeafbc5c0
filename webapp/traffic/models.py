"""Edge traffic as a time series: one row per edge per collection cycle.

Counts are totals over the cycle's interval, so any window is a sum; the latency histogram is
kept per bucket (not cumulative) so percentiles and heatmaps can be computed for any past
window. `Cycle` records every attempt, failed ones included, and its unique `at` is the claim
that makes a cycle run once however many workers see the schedule.
"""

from __future__ import annotations

from django.db import models


class Cycle(models.Model):
    """One collection cycle: when it ran, from which source, and how it went."""

    class Status(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"

    at = models.DateTimeField(unique=True, help_text="End of the interval the cycle covers.")
    interval_s = models.FloatField()
    source = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    duration_ms = models.FloatField(null=True, blank=True)
    edges = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    gaps = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "at"], name="cycle_status_at")]

    def __str__(self) -> str:
        return f"cycle {self.at.isoformat()} {self.status}"


class EdgeSample(models.Model):
    """Traffic on one edge during one cycle, as collectors.records.EdgeSample."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="samples")
    at = models.DateTimeField()
    edge_key = models.CharField(max_length=64, help_text="Digest of the edge's identity.")
    source_namespace = models.CharField(max_length=253)
    source_workload = models.CharField(max_length=253)
    source_app = models.CharField(max_length=253, blank=True)
    source_version = models.CharField(max_length=253, blank=True)
    destination_namespace = models.CharField(max_length=253)
    destination_workload = models.CharField(max_length=253)
    destination_app = models.CharField(max_length=253, blank=True)
    destination_version = models.CharField(max_length=253, blank=True)
    destination_service = models.CharField(max_length=253, blank=True)
    protocol = models.CharField(max_length=8)
    mesh = models.CharField(max_length=16, blank=True)
    interval_s = models.FloatField()
    requests = models.FloatField(default=0)
    errors_4xx = models.FloatField(default=0)
    errors_5xx = models.FloatField(default=0)
    errors_grpc = models.FloatField(default=0)
    no_response = models.FloatField(default=0)
    mtls_requests = models.FloatField(null=True, blank=True)
    bytes_sent = models.FloatField(default=0)
    bytes_received = models.FloatField(default=0)
    latency_bounds = models.JSONField(
        null=True, blank=True, help_text='Upper bounds in ms; "+Inf" last.'
    )
    latency_counts = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="edgesample_at"),
            models.Index(fields=["edge_key", "at"], name="edgesample_edge_at"),
            models.Index(fields=["source_namespace", "at"], name="edgesample_src_ns_at"),
            models.Index(fields=["destination_namespace", "at"], name="edgesample_dst_ns_at"),
        ]

    def __str__(self) -> str:
        return f"{self.source_workload}->{self.destination_workload} @ {self.at.isoformat()}"
