"""Response time: latency percentiles from the merged histograms."""

from __future__ import annotations

from webapp.graph.context import GraphContext
from webapp.graph.traffic_map import TrafficMap
from webapp.traffic.histogram import merge, quantiles

PERCENTILES = (0.50, 0.95, 0.99)


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Set p50/p95/p99 (ms) on every edge, and on every node over its inbound edges.

    Percentiles come from summed histograms, never from averaging percentiles, which has
    no meaning. No histogram (TCP, or a source without one) leaves them None.
    """
    for edge in traffic_map.edges.values():
        edge.p50_ms, edge.p95_ms, edge.p99_ms = quantiles(PERCENTILES, edge.traffic.latency)
    for node_id, edges in traffic_map.inbound().items():
        latency = merge(edge.traffic.latency for edge in edges)
        traffic = traffic_map.nodes[node_id].traffic
        traffic.p50_ms_in, traffic.p95_ms_in, traffic.p99_ms_in = quantiles(PERCENTILES, latency)
