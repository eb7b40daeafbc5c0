"""Edge traffic as a time series: one row per edge per collection cycle.

Counts are totals over the cycle's interval, so any window is a sum; the latency histogram is
kept per bucket (not cumulative) so percentiles and heatmaps can be computed for any past
window. `Cycle` records every attempt, failed and skipped ones included, and its unique `at` is
the claim that makes a cycle run once however many workers see the schedule.

History (webapp/traffic/rollups.py): raw rows are kept for MESHWATCH_RAW_RETENTION; every
complete 5-minute bucket is rolled up once into a `RollupBucket` (the time good cycles covered,
and the claim that the bucket was rolled) and one `EdgeRollup` per edge, kept for
MESHWATCH_ROLLUP_RETENTION. Cycle rows go with their bucket's raw rows: the bucket keeps what
the history needs of them (covered seconds, good and failed cycle counts).
"""

from __future__ import annotations

from django.db import models

# Rollup buckets are this long; a bucket covers the cycles with `at` in (start, start + it].
ROLLUP_RESOLUTION_S = 300


class Cycle(models.Model):
    """One collection cycle: when it ran, from which source, and how it went."""

    class Status(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"
        # Not run: the previous cycle was still running, or this one started too late.
        SKIPPED = "skipped"

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
    """Traffic on one edge during one cycle, as collectors.records.EdgeSample.

    `response_flags` is NULL on the many rows without flags, so COPY writes nothing for them
    and window reads stream only the few rows that have some.
    """

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
    response_flags = models.JSONField(
        null=True, blank=True, help_text='Requests per Envoy flag ("-" left out); NULL: none.'
    )

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="edgesample_at"),
            models.Index(fields=["edge_key", "at"], name="edgesample_edge_at"),
            models.Index(fields=["source_namespace", "at"], name="edgesample_src_ns_at"),
            models.Index(fields=["destination_namespace", "at"], name="edgesample_dst_ns_at"),
        ]

    def __str__(self) -> str:
        return f"{self.source_workload}->{self.destination_workload} @ {self.at.isoformat()}"


class RollupBucket(models.Model):
    """One rolled-up bucket of time (start, start + resolution_s]: its claim and its coverage.

    Created once, in the transaction that writes the bucket's `EdgeRollup` rows, so its unique
    (start, resolution_s) is what makes a bucket roll up once however many workers try.
    `raw_pruned` turns true in the transaction that deletes the bucket's raw rows; from then
    on readers take this bucket from the rollups.
    """

    start = models.DateTimeField()
    resolution_s = models.PositiveIntegerField()
    covered_s = models.FloatField(default=0, help_text="Seconds good cycles covered.")
    cycles = models.PositiveIntegerField(default=0, help_text="Good cycles rolled up.")
    failed_cycles = models.PositiveIntegerField(default=0, help_text="Failed or skipped cycles.")
    raw_pruned = models.BooleanField(default=False)
    rolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["start", "resolution_s"], name="rollupbucket_once")
        ]
        indexes = [models.Index(fields=["raw_pruned", "start"], name="rollupbucket_pruned")]

    def __str__(self) -> str:
        return f"bucket {self.start.isoformat()} +{self.resolution_s}s"


class EdgeRollup(models.Model):
    """Traffic on one edge summed over one `RollupBucket`: the same columns as EdgeSample.

    `start` and `resolution_s` repeat the bucket's so window reads filter on this table alone;
    `interval_s` is the seconds good cycles covered in the bucket (the rate's divisor), and
    the histogram is the bucket's summed per-bucket counts.
    """

    bucket = models.ForeignKey(RollupBucket, on_delete=models.CASCADE, related_name="edges")
    start = models.DateTimeField()
    resolution_s = models.PositiveIntegerField()
    edge_key = models.CharField(max_length=64)
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
    samples = models.PositiveIntegerField(default=0, help_text="Raw rows summed.")
    requests = models.FloatField(default=0)
    errors_4xx = models.FloatField(default=0)
    errors_5xx = models.FloatField(default=0)
    errors_grpc = models.FloatField(default=0)
    no_response = models.FloatField(default=0)
    mtls_requests = models.FloatField(null=True, blank=True)
    bytes_sent = models.FloatField(default=0)
    bytes_received = models.FloatField(default=0)
    latency_bounds = models.JSONField(null=True, blank=True)
    latency_counts = models.JSONField(null=True, blank=True)
    response_flags = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "edge_key"], name="edgerollup_once")
        ]
        indexes = [
            models.Index(fields=["start"], name="edgerollup_start"),
            models.Index(fields=["edge_key", "start"], name="edgerollup_edge_start"),
            models.Index(fields=["source_namespace", "start"], name="edgerollup_src_ns_start"),
            models.Index(fields=["destination_namespace", "start"], name="edgerollup_dst_ns_start"),
        ]

    def __str__(self) -> str:
        return f"{self.source_workload}->{self.destination_workload} @ {self.start.isoformat()}"


class Backfill(models.Model):
    """One run of the history backfill, so every process and the UI can show its progress."""

    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32)
    total = models.PositiveIntegerField(help_text="Cycles missing when the run began.")
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"backfill {self.done}/{self.total} from {self.source}"
