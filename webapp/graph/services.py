"""The graph for a request: stored rows in, the JSON-ready graph out.

The one place that reads the database for a graph; REST and the live topic both call it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings

from webapp.alerts.overlay import overlay_firing_alerts
from webapp.graph.build import build_graph
from webapp.graph.options import GraphOptions, HealthThresholds
from webapp.inventory.queries import current_inventory
from webapp.traffic.queries import latest_cycle_at, window_traffic


def graph_snapshot(options: GraphOptions, now: datetime | None = None) -> dict:
    """The graph `options` ask for, over the window ending at `options.at` or the latest cycle.

    With no stored cycle yet the window ends now and the graph is empty but well-formed.
    """
    generated_at = now or datetime.now(UTC)
    end = options.at or latest_cycle_at() or generated_at
    start = end - timedelta(seconds=options.window_s)
    traffic = window_traffic(start, end, options.namespaces)
    graph = build_graph(
        traffic.edges,
        current_inventory(),
        options,
        window_start=start,
        window_end=end,
        generated_at=generated_at,
    )
    return overlay_firing_alerts(graph)  # firing alerts mark their nodes and edges


def health_thresholds() -> HealthThresholds:
    """The edge health thresholds the environment configures (Kiali's defaults otherwise)."""
    return HealthThresholds(
        failure_5xx=settings.MESHWATCH_HEALTH_5XX_FAILURE,
        degraded_4xx=settings.MESHWATCH_HEALTH_4XX_DEGRADED,
        failure_4xx=settings.MESHWATCH_HEALTH_4XX_FAILURE,
        failure_grpc=settings.MESHWATCH_HEALTH_GRPC_FAILURE,
    )
