"""The graph engine: pure builders from edge samples and inventory to the graph document."""

from webapp.graph.build import build_graph

__all__ = ["build_graph"]
