"""DNS as a time series: per collection cycle, one row per CoreDNS instance, zone and upstream.

Counts are totals over the cycle's interval (as for edge traffic), so any window is a sum and
its rates divide by the seconds good cycles covered. The request-duration histograms are kept
per bucket, bounds in ms, so percentiles and heatmaps work for any past window. Rows belong to
their `Cycle` and go when traffic retention deletes it.
"""

from __future__ import annotations

from django.db import models

from webapp.traffic.models import Cycle


class DnsZoneSample(models.Model):
    """One CoreDNS instance's server block and zone in one cycle (records.DnsZoneSample)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="dns_zones")
    at = models.DateTimeField()
    instance = models.CharField(max_length=253)
    server = models.CharField(max_length=253, blank=True, help_text='e.g. "dns://:53"')
    zone = models.CharField(max_length=253, blank=True, help_text="The server block's zone.")
    interval_s = models.FloatField()
    requests = models.FloatField(default=0)
    requests_by_type = models.JSONField(default=dict, blank=True)
    requests_by_proto = models.JSONField(default=dict, blank=True)
    responses_by_rcode = models.JSONField(default=dict, blank=True)
    nxdomain_by_plugin = models.JSONField(default=dict, blank=True)
    latency_bounds = models.JSONField(
        null=True, blank=True, help_text='Upper bounds in ms; "+Inf" last.'
    )
    latency_counts = models.JSONField(null=True, blank=True)
    cache_hits_success = models.FloatField(default=0)
    cache_hits_denial = models.FloatField(default=0)
    cache_misses = models.FloatField(default=0)
    cache_entries = models.FloatField(null=True, blank=True, help_text="Gauge at cycle end.")

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="dnszone_at"),
            models.Index(fields=["server", "zone", "at"], name="dnszone_server_zone_at"),
            models.Index(fields=["instance", "at"], name="dnszone_instance_at"),
        ]

    def __str__(self) -> str:
        return f"{self.instance} {self.server} {self.zone} @ {self.at.isoformat()}"


class DnsUpstreamSample(models.Model):
    """What one CoreDNS instance saw of one upstream in one cycle (records.DnsUpstreamSample)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="dns_upstreams")
    at = models.DateTimeField()
    instance = models.CharField(max_length=253)
    upstream = models.CharField(max_length=253)
    interval_s = models.FloatField()
    requests = models.FloatField(default=0)
    responses_by_rcode = models.JSONField(default=dict, blank=True)
    latency_bounds = models.JSONField(null=True, blank=True)
    latency_counts = models.JSONField(null=True, blank=True)
    healthcheck_failures = models.FloatField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["at"], name="dnsupstream_at"),
            models.Index(fields=["upstream", "at"], name="dnsupstream_upstream_at"),
        ]

    def __str__(self) -> str:
        return f"{self.instance} → {self.upstream} @ {self.at.isoformat()}"


class DnsInstanceSample(models.Model):
    """One CoreDNS instance in one cycle: what belongs to no zone (panics)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="dns_instances")
    at = models.DateTimeField()
    instance = models.CharField(max_length=253)
    interval_s = models.FloatField()
    panics = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["at"], name="dnsinstance_at")]

    def __str__(self) -> str:
        return f"{self.instance} @ {self.at.isoformat()}"
