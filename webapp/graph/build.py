"""The graph builder: edge samples and inventory in, the graph document out.

Pure: no ORM, no network, no clock (the caller passes every time), so it is cheap to test and
to benchmark. The steps follow Kiali's pipeline: samples become a traffic map, an ordered list
of appenders enriches and prunes it, the renderer turns it into JSON-ready dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from collectors.records import EdgeSample, Inventory
from webapp.graph.appenders import (
    Appender,
    dns,
    health,
    idle_nodes,
    inventory,
    layout,
    namespace_scope,
    response_time,
    security,
    traffic_totals,
)
from webapp.graph.context import GraphContext
from webapp.graph.mapping import map_traffic
from webapp.graph.options import GraphOptions
from webapp.graph.render import render_graph

if TYPE_CHECKING:
    from webapp.dns.queries import WindowDns

APPENDERS: tuple[Appender, ...] = (
    # Scope first, so that every later step only pays for the requested namespaces.
    namespace_scope.apply,
    # Idle nodes before enrichment, so that the nodes it adds get their inventory facts too.
    idle_nodes.apply,
    inventory.apply,
    # Per-edge measures next; node measures are derived from them.
    response_time.apply,
    security.apply,
    # DNS answers on edges into the cluster DNS, from the preloaded window totals.
    dns.apply,
    traffic_totals.apply,
    # Health reads the error classes and node idleness set above.
    health.apply,
    # Last: positions depend on the final set of nodes and edges only.
    layout.apply,
)


def build_graph(
    traffic: Sequence[EdgeSample],
    inventory: Inventory,
    options: GraphOptions,
    *,
    window_start: datetime,
    window_end: datetime,
    generated_at: datetime,
    dns_window: WindowDns | None = None,
) -> dict[str, Any]:
    """The graph document of DESIGN.md §3 for `traffic` summed over the window.

    Each sample is one edge's totals over the window (see collectors.records.EdgeSample).
    The result is JSON-ready, sorted by id and free of NaN/Infinity. `dns_window` is the
    window's CoreDNS totals for the edges into the cluster DNS (None: leave them bare).
    """
    context = GraphContext.preload(inventory, options, dns=dns_window)
    traffic_map = map_traffic(traffic, context)
    for appender in APPENDERS:
        appender(traffic_map, context)
    return render_graph(
        traffic_map,
        options.graph_type,
        window_start=window_start,
        window_end=window_end,
        generated_at=generated_at,
    )
