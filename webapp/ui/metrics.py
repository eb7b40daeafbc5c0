"""`GET /metrics`: meshwatch's own health in the Prometheus exposition format.

Cycle figures come from the database, so whichever web replica is scraped reports the cycles
every worker ran; websocket clients are counted per process, which is what a per-pod scrape
wants. No label carries cluster data: names from the cluster never appear here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from webapp.traffic.models import Cycle

# No auto-describe: it would run the database-backed collector at import time.
REGISTRY = CollectorRegistry(auto_describe=False)
WEBSOCKET_CLIENTS = Gauge(
    "meshwatch_websocket_clients", "Open websocket connections in this process.", registry=REGISTRY
)
WEBSOCKET_SUBSCRIPTIONS = Gauge(
    "meshwatch_websocket_subscriptions",
    "Live topic subscriptions in this process.",
    registry=REGISTRY,
)


class CycleCollector(Collector):
    """Figures about collection cycles, read from the cycle table at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stored = GaugeMetricFamily(
            "meshwatch_cycles_stored", "Cycles kept by retention, by status.", labels=["status"]
        )
        for row in Cycle.objects.values("status").annotate(n=Count("id")):
            stored.add_metric([row["status"]], row["n"])
        yield stored
        last = Cycle.objects.filter(status=Cycle.Status.OK).order_by("-at").first()
        yield _gauge(
            "meshwatch_last_cycle_timestamp_seconds",
            "End of the newest good cycle.",
            last.at.timestamp() if last else 0.0,
        )
        yield _gauge(
            "meshwatch_last_cycle_duration_seconds",
            "Duration of the newest good cycle.",
            (last.duration_ms or 0.0) / 1000 if last else 0.0,
        )
        yield _gauge(
            "meshwatch_last_cycle_rows",
            "Edge rows the newest good cycle wrote.",
            last.edges if last else 0,
        )
        hour = Cycle.objects.filter(at__gte=timezone.now() - timedelta(hours=1))
        failed = Q(status=Cycle.Status.FAILED)
        totals = hour.aggregate(rows=Sum("edges"), failed=Count("id", filter=failed))
        yield _gauge(
            "meshwatch_rows_written_last_hour",
            "Edge rows written in the last hour.",
            totals["rows"] or 0,
        )
        yield _gauge(
            "meshwatch_cycles_failed_last_hour",
            "Failed cycles in the last hour.",
            totals["failed"] or 0,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


REGISTRY.register(CycleCollector())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The exposition of every meshwatch metric."""
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
