"""`GET /metrics`: meshwatch's own health in the Prometheus exposition format.

Cycle and delivery figures come from the database, so whichever web replica is scraped
reports what every worker did; the queue depth comes from the broker; websocket clients are
counted per process, which is what a per-pod scrape wants. No label carries cluster data:
names from the cluster (and receiver names and URLs) never appear here, only fixed words
such as a status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import timedelta

import redis
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from webapp.alerts.models import Delivery, DeliveryAttempt
from webapp.traffic.models import Cycle

log = logging.getLogger("meshwatch.metrics")
QUANTILES = (0.5, 0.9, 0.99)
# Celery's default queue; kombu keeps one Redis list per priority step besides the plain one.
CELERY_QUEUE = "celery"
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)
_BROKER_TIMEOUT_S = 0.5  # a scrape must answer even when Redis does not

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


class CycleHourCollector(Collector):
    """The last hour of cycles: how long good ones took, and how many were skipped."""

    def collect(self) -> Iterator[Metric]:
        hour = Cycle.objects.filter(at__gte=timezone.now() - timedelta(hours=1))
        good = hour.filter(status=Cycle.Status.OK).values_list("duration_ms", flat=True)
        durations = sorted(ms / 1000 for ms in good if ms is not None)
        summary = Metric(
            "meshwatch_cycle_duration_seconds",
            "Duration of the good cycles of the last hour (fetch and store).",
            "summary",
        )
        for q in QUANTILES:
            summary.add_sample(
                "meshwatch_cycle_duration_seconds", {"quantile": str(q)}, quantile(durations, q)
            )
        summary.add_sample("meshwatch_cycle_duration_seconds_count", {}, float(len(durations)))
        summary.add_sample("meshwatch_cycle_duration_seconds_sum", {}, float(sum(durations)))
        yield summary
        yield _gauge(
            "meshwatch_cycles_skipped_last_hour",
            "Cycles the pile-up guard skipped in the last hour (gaps in the history).",
            hour.filter(status=Cycle.Status.SKIPPED).count(),
        )


def quantile(values: Sequence[float], q: float) -> float:
    """The nearest-rank `q` quantile of sorted `values`; NaN when there are none."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * q // 1))  # ceil(n * q), at least the first
    return values[int(rank) - 1]


class DeliveryCollector(Collector):
    """Webhook deliveries by status, and the last hour's attempts by outcome."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stored = GaugeMetricFamily(
            "meshwatch_webhook_deliveries",
            "Stored webhook deliveries by status (pending includes retries not yet due).",
            labels=["status"],
        )
        counts = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
        for status in Delivery.Status.values:
            stored.add_metric([status], counts.get(status, 0))
        yield stored
        attempts = GaugeMetricFamily(
            "meshwatch_webhook_attempts_last_hour",
            "Webhook delivery attempts of the last hour by outcome (ok: a 2xx answer).",
            labels=["outcome"],
        )
        recent = DeliveryAttempt.objects.filter(started_at__gte=timezone.now() - timedelta(hours=1))
        totals = recent.aggregate(
            n_ok=Count("id", filter=Q(ok=True)), n_failed=Count("id", filter=Q(ok=False))
        )
        for outcome in ("ok", "failed"):
            attempts.add_metric([outcome], totals[f"n_{outcome}"] or 0)
        yield attempts


class QueueCollector(Collector):
    """Tasks waiting in Celery's default queue, when there is a broker (REDIS_URL)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if not settings.REDIS_URL:
            return  # in-process scheduling: there is no queue
        yield _gauge(
            "meshwatch_celery_queue_depth",
            "Tasks waiting in the Celery queue; -1 when the broker did not answer.",
            queue_depth(settings.REDIS_URL),
        )


def queue_depth(url: str, queue: str = CELERY_QUEUE) -> int:
    """Messages waiting in `queue` on the Redis broker at `url`, or -1 when it is unreachable."""
    keys = [queue, *(f"{queue}{_PRIORITY_SEP}{step}" for step in _PRIORITY_STEPS)]
    client = redis.Redis.from_url(
        url, socket_timeout=_BROKER_TIMEOUT_S, socket_connect_timeout=_BROKER_TIMEOUT_S
    )
    try:
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.llen(key)
        return int(sum(pipe.execute()))
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: the broker did not answer for the queue depth: %s", exc)
        return -1
    finally:
        client.close()


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


REGISTRY.register(CycleCollector())
REGISTRY.register(CycleHourCollector())
REGISTRY.register(DeliveryCollector())
REGISTRY.register(QueueCollector())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The exposition of every meshwatch metric."""
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
