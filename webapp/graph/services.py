"""The graph for a request: stored rows in, the JSON-ready graph out.

The one place that reads the database for a graph; REST and the live topic both call it.
A built graph is cached per process until the next cycle or the watcher's next batch (its
key names both), so twenty dashboards asking for the same view cost one build.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from webapp.alerts.overlay import overlay_firing_alerts
from webapp.dns.queries import window_dns
from webapp.graph.appenders.dns import targets_dns
from webapp.graph.build import build_graph
from webapp.graph.options import GraphOptions, HealthThresholds
from webapp.inventory.queries import current_inventory, inventory_version
from webapp.traffic.queries import latest_cycle_at, window_traffic


def graph_snapshot(options: GraphOptions, now: datetime | None = None) -> dict:
    """The graph `options` ask for, over the window ending at `options.at` or the latest cycle.

    With no stored cycle yet the window ends now and the graph is empty but well-formed.
    """
    generated_at = now or datetime.now(UTC)
    latest = latest_cycle_at()
    end = options.at or latest or generated_at
    key = _cache_key(options, end, latest)
    graph = cache.get(key)
    if graph is None:
        start = end - timedelta(seconds=options.window_s)
        traffic = window_traffic(start, end, options.namespaces)
        inventory = current_inventory()
        # DNS is read only for graphs with an edge into it; its rows are per cycle, like the
        # traffic's, so the key's window end and latest cycle cover it too.
        dns = window_dns(start, end) if targets_dns(traffic.edges, inventory) else None
        graph = build_graph(
            traffic.edges,
            inventory,
            options,
            window_start=start,
            window_end=end,
            generated_at=generated_at,
            dns_window=dns,
        )
        cache.set(key, graph, timeout=2 * settings.MESHWATCH_INTERVAL_S)
    # Firing alerts mark their nodes and edges; they change between cycles, so they are
    # laid on a copy of the cached graph every time.
    return overlay_firing_alerts(_copy(graph))


def _cache_key(options: GraphOptions, end: datetime, latest: datetime | None) -> str:
    identity = [
        options.as_params(),
        repr(options.health),
        end.isoformat(),
        latest.isoformat() if latest else None,
        inventory_version(),
    ]
    digest = hashlib.sha256(json.dumps(identity, default=str).encode()).hexdigest()
    return f"meshwatch.graph.{digest}"


def _copy(graph: dict[str, Any]) -> dict[str, Any]:
    """A copy whose node and edge dicts may be marked without touching the cached graph."""
    return {
        **graph,
        "nodes": [dict(node) for node in graph["nodes"]],
        "edges": [dict(edge) for edge in graph["edges"]],
    }


def health_thresholds() -> HealthThresholds:
    """The edge health thresholds the environment configures (Kiali's defaults otherwise)."""
    return HealthThresholds(
        failure_5xx=settings.MESHWATCH_HEALTH_5XX_FAILURE,
        degraded_4xx=settings.MESHWATCH_HEALTH_4XX_DEGRADED,
        failure_4xx=settings.MESHWATCH_HEALTH_4XX_FAILURE,
        failure_grpc=settings.MESHWATCH_HEALTH_GRPC_FAILURE,
    )
