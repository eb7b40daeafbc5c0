"""Page views. Each only renders: login is enforced by the accounts middleware, and the data
arrives over the websocket (or the REST API), so no view here queries domain data.

Every page gets the same config object (as `json_script`, for a strict CSP) with the name of
its page script, the socket path and the collection interval the stale rule is measured in.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

from webapp.accounts.scoping import visible_namespaces
from webapp.graph.options import GRAPH_TYPES

# Choices of the graph page's toolbar: (value, label). The value is the websocket param.
GRAPH_TYPE_LABELS = {
    "workload": "Workload graph",
    "app": "App graph",
    "versioned_app": "Versioned app graph",
    "service": "Service graph",
}
EDGE_LABEL_MODES = [
    ("rps", "Requests per second"),
    ("p95", "p95 latency (ms)"),
    ("error", "Error %"),
    ("mtls", "mTLS %"),
    ("none", "No edge labels"),
]
# The time picker: the graph's rate window; the replay slider picks when it ends.
TIME_WINDOWS = [
    ("5m", "last 5 min"),
    ("15m", "last 15 min"),
    ("1h", "last hour"),
    ("6h", "last 6 h"),
    ("24h", "last 24 h"),
    ("7d", "last 7 days"),
    ("30d", "last 30 days"),
]
HEATMAP_WINDOWS = ["15m", "1h", "6h", "24h"]
DNS_WINDOWS = ["5m", "15m", "1h", "6h", "24h"]
MTLS_WINDOWS = ["5m", "15m", "1h", "6h", "24h"]
INSIGHT_SEVERITIES = ["critical", "warning", "info"]
INSIGHT_STATES = [("open", "open"), ("resolved", "resolved"), ("all", "open and resolved")]
# The inventory page's tabs: (tab value in the URL, REST resource under /api/v1/, label).
INVENTORY_TABS = [
    ("namespaces", "namespaces", "Namespaces"),
    ("workloads", "workloads", "Workloads"),
    ("pods", "pods", "Pods"),
    ("services", "services", "Services"),
    ("network-policies", "network-policies", "Network policies"),
    ("mesh-policies", "mesh-policies", "Mesh policies"),
    ("nodes", "nodes", "Nodes"),
    ("cluster", "cluster", "Cluster"),
]
# The replay slider reaches back this far at most: the raw (per-cycle) history.
REPLAY_SPAN_MAX_S = 24 * 3600


def _config(request: HttpRequest, page: str, **extra: Any) -> dict[str, Any]:
    """What every page script reads from `#meshwatch-config`.

    `visible_namespaces` is what "all namespaces" means for a user limited to some: the
    socket refuses such a user's bare "all" (views are shared by their params).
    """
    visible = visible_namespaces(request.user)
    return {
        "page": page,
        "ws_path": "/ws/v1/live",
        "api": "/api/v1",
        "interval_s": settings.MESHWATCH_INTERVAL_S,
        "visible_namespaces": sorted(visible) if visible is not None else None,
        **extra,
    }


def _page(request: HttpRequest, page: str, template: str, **context: Any) -> HttpResponse:
    config = _config(request, page, **context.pop("config_extra", {}))
    return render(request, template, {"config": config, **context})


def graph_page(request: HttpRequest) -> HttpResponse:
    """The live service graph; the page script subscribes to the `graph` topic."""
    span = min(REPLAY_SPAN_MAX_S, settings.MESHWATCH_RAW_RETENTION_S,
               max(3600.0, settings.MESHWATCH_BACKFILL_S))
    return _page(
        request, "graph", "ui/graph.html",
        config_extra={"replay_span_s": span},
        graph_types=[(t, GRAPH_TYPE_LABELS.get(t, t)) for t in GRAPH_TYPES],
        label_modes=EDGE_LABEL_MODES,
        time_windows=TIME_WINDOWS,
    )


def overview_page(request: HttpRequest) -> HttpResponse:
    """Every namespace at a glance, from the graph and alerts topics."""
    return _page(request, "overview", "ui/overview.html")


def heatmap_page(request: HttpRequest) -> HttpResponse:
    """The latency heatmap of one edge, workload or service (`heatmap` topic)."""
    return _page(request, "heatmap", "ui/heatmap.html", heatmap_windows=HEATMAP_WINDOWS)


def dns_page(request: HttpRequest) -> HttpResponse:
    """CoreDNS servers, upstreams, latency and search-path amplification (`dns` topic)."""
    return _page(request, "dns", "ui/dns.html", dns_windows=DNS_WINDOWS)


def alerts_page(request: HttpRequest) -> HttpResponse:
    """Alerts live; rules, receivers and deliveries through the REST API (writes need login)."""
    from webapp.alerts.models import Severity
    from webapp.alerts.rules import KINDS

    return _page(
        request, "alerts", "ui/alerts.html",
        config_extra={"csrf_token": get_token(request)},
        can_write=request.user.is_authenticated,
        rule_kinds=sorted(KINDS),
        severities=[s.value for s in Severity],
    )


def mtls_page(request: HttpRequest) -> HttpResponse:
    """mTLS coverage per namespace and workload, trend and mismatches (`mtls` topic)."""
    return _page(request, "mtls", "ui/mtls.html", mtls_windows=MTLS_WINDOWS)


def insights_page(request: HttpRequest) -> HttpResponse:
    """The continuous checks' findings, filtered in the URL (`insights` topic and REST)."""
    return _page(
        request, "insights", "ui/insights.html",
        severities=INSIGHT_SEVERITIES, states=INSIGHT_STATES,
    )


def inventory_page(request: HttpRequest) -> HttpResponse:
    """The stored inventory, one tab per kind, paginated from REST (`inventory` topic)."""
    return _page(request, "inventory", "ui/inventory.html", tabs=INVENTORY_TABS)
