"""The live topics, and the group and event names the live app sends on (owned here only).

A topic is one entry in `TOPICS`: how to parse its params (the same parser as the REST query
of the same name), how to build its snapshot, and which collections of the snapshot deltas
diff by item `id`. Adding heatmap, mtls, dns, alerts or insights is one more entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The event type a delta travels under on the channel layer; Channels maps "live.delta" to
# the consumer method `live_delta`.
EVENT_DELTA = "live.delta"
_GROUP_PREFIX = "live"


@dataclass(frozen=True)
class Topic:
    """One kind of live data.

    `parse` turns client params into an options object with `as_params()` (its canonical
    form) and raises ValueError with a sentence for the client; `build` turns options into
    a JSON-ready snapshot; `collections` name the snapshot's lists of items with an `id`.
    """

    name: str
    parse: Callable[[Mapping[str, object]], Any]
    build: Callable[[Any], dict[str, Any]]
    collections: tuple[str, ...]

    def is_pinned(self, options: Any) -> bool:
        """Whether `options` fix a past time (`at`): such a view never changes, gets no deltas."""
        return getattr(options, "at", None) is not None


def state_key(topic: str, params: Mapping[str, object]) -> str:
    """The digest naming a (topic, canonical params) pair; every socket asking for it shares it."""
    canonical = json.dumps(
        {"topic": topic, "params": params}, sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def group_name(topic: str, key: str) -> str:
    """The Channels group of a state: ASCII, well under the 100-character limit."""
    return f"{_GROUP_PREFIX}.{topic}.{key[:40]}"


def _parse_graph(params: Mapping[str, object]) -> Any:
    # Imported late: the graph engine pulls in the builders, which the routing import chain
    # (asgi → routing → consumers → topics) should not need at start-up.
    from webapp.graph.options import GraphOptions
    from webapp.graph.services import health_thresholds

    return GraphOptions.from_params(params, health_thresholds())


def _build_graph(options: Any) -> dict[str, Any]:
    from webapp.graph.services import graph_snapshot

    return graph_snapshot(options)


def _parse_heatmap(params: Mapping[str, object]) -> Any:
    from webapp.traffic.heatmap import HeatmapOptions

    return HeatmapOptions.from_params(params)


def _build_heatmap(options: Any) -> dict[str, Any]:
    from webapp.traffic.series import heatmap_snapshot

    return heatmap_snapshot(options)


def _parse_alerts(params: Mapping[str, object]) -> Any:
    from webapp.alerts.live import AlertsOptions

    return AlertsOptions.from_params(params)


def _build_alerts(options: Any) -> dict[str, Any]:
    from webapp.alerts.live import build_alerts

    return build_alerts(options)


def _parse_inventory(params: Mapping[str, object]) -> Any:
    from webapp.inventory.live import InventoryOptions

    return InventoryOptions.from_params(params)


def _build_inventory(options: Any) -> dict[str, Any]:
    from webapp.inventory.live import inventory_snapshot

    return inventory_snapshot(options)


def _parse_dns(params: Mapping[str, object]) -> Any:
    from webapp.dns.options import DnsOptions

    return DnsOptions.from_params(params)


def _build_dns(options: Any) -> dict[str, Any]:
    from webapp.dns.snapshot import dns_snapshot

    return dns_snapshot(options)


def _parse_mtls(params: Mapping[str, object]) -> Any:
    from webapp.security.options import MtlsOptions

    return MtlsOptions.from_params(params)


def _build_mtls(options: Any) -> dict[str, Any]:
    from webapp.security.snapshot import mtls_snapshot

    return mtls_snapshot(options)


def _parse_insights(params: Mapping[str, object]) -> Any:
    from webapp.insights.live import parse_insights

    return parse_insights(params)


def _build_insights(options: Any) -> dict[str, Any]:
    from webapp.insights.live import build_insights

    return build_insights(options)


TOPICS: dict[str, Topic] = {
    "graph": Topic("graph", _parse_graph, _build_graph, ("nodes", "edges")),
    # Each cycle's delta upserts the newest column (and the one it grew into) and removes
    # the column that slid out of the window.
    "heatmap": Topic("heatmap", _parse_heatmap, _build_heatmap, ("columns",)),
    # Servers and upstreams change in place; latency columns slide as the heatmap's do.
    "dns": Topic("dns", _parse_dns, _build_dns, ("servers", "upstreams", "latency_columns")),
    # Namespaces (their workloads inside) and mismatches change in place, keyed by id.
    "mtls": Topic("mtls", _parse_mtls, _build_mtls, ("namespaces", "mismatches")),
    # Current alerts (meshwatch's and firing inbound ones); the alerts app advances these
    # views again after each evaluation, so their delta carries the new states.
    "alerts": Topic("alerts", _parse_alerts, _build_alerts, ("alerts",)),
    # The continuous checks' findings, evaluated before each cycle publishes.
    "insights": Topic("insights", _parse_insights, _build_insights, ("findings",)),
    # The stored inventory; the watcher advances these views after each batch it writes.
    "inventory": Topic(
        "inventory",
        _parse_inventory,
        _build_inventory,
        ("namespaces", "nodes", "workloads", "pods", "services", "network_policies",
         "mesh_policies"),
    ),
}


def get_topic(name: object) -> Topic | None:
    """The registered topic called `name`, or None."""
    return TOPICS.get(name) if isinstance(name, str) else None
