"""Appenders: each enriches or prunes the traffic map in place, one concern per file.

Every appender is a function `apply(traffic_map, context) -> None`. It reads only the map and
the preloaded context (no I/O, no Django), so each is tested alone on a tiny hand-built map.
build.APPENDERS runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable

from webapp.graph.context import GraphContext
from webapp.graph.traffic_map import TrafficMap

Appender = Callable[[TrafficMap, GraphContext], None]
