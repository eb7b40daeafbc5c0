"""Rendering: shapes, rounding, sorting and strict JSON."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

from webapp.graph.render import iso_utc, number, render_edge, render_graph, render_node
from webapp.graph.traffic_map import Edge, EdgeTraffic, Node, TrafficMap

from .helpers import T0, T1


def test_number_rounds_to_four_significant_digits() -> None:
    assert number(1234.5678) == 1235.0
    assert number(0.000123456) == 0.0001235
    assert number(2 / 3) == 0.6667
    assert number(-0.0) == 0.0 and math.copysign(1, number(-0.0) or 0.0) == 1
    assert number(None) is None


def test_number_refuses_nan_and_infinity() -> None:
    assert number(math.nan) is None
    assert number(math.inf) is None
    assert number(-math.inf) is None


def test_iso_utc() -> None:
    assert iso_utc(datetime(2025, 1, 1, 12, 0)) == "2025-01-01T12:00:00+00:00"
    plus_two = datetime(2025, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert iso_utc(plus_two) == "2025-01-01T12:00:00+00:00"


def test_node_and_edge_shapes() -> None:
    node = render_node(Node("workload:a/web", "workload", "a", "web"))
    assert set(node) >= {
        "id",
        "kind",
        "namespace",
        "name",
        "app",
        "version",
        "mesh",
        "health",
        "outside",
        "idle",
        "traffic",
        "position",
    }
    assert set(node["traffic"]) >= {"rps_in", "rps_out", "error_ratio_in", "p95_ms_in"}
    assert set(node["position"]) == {"x", "y"}
    edge = render_edge(
        Edge("x>y|http", "x", "y", "http", traffic=EdgeTraffic(requests=3, errors_4xx=1, rps=0.03))
    )
    assert set(edge) >= {
        "id",
        "source",
        "target",
        "protocol",
        "mesh",
        "rps",
        "error_ratio",
        "errors",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "mtls_ratio",
        "bytes_per_s",
        "health",
    }
    assert edge["errors"] == {"4xx": 0.3333, "5xx": 0.0, "grpc": 0.0, "no_response": 0.0}
    assert edge["bytes_per_s"] == {"sent": 0.0, "received": 0.0}


def test_output_is_sorted_and_strict_json() -> None:
    traffic_map = TrafficMap()
    for node_id in ("workload:b/z", "unknown", "service:a/y"):
        traffic_map.add_node(Node(node_id, "workload", "a", node_id))
    traffic_map.edges["z"] = Edge("z", "unknown", "service:a/y", "http", p95_ms=math.nan)
    traffic_map.edges["a"] = Edge("a", "unknown", "workload:b/z", "http", p99_ms=math.inf)
    traffic_map.nodes["unknown"].traffic.p95_ms_in = math.nan
    result = render_graph(traffic_map, "workload", window_start=T0, window_end=T1, generated_at=T1)
    assert [n["id"] for n in result["nodes"]] == ["service:a/y", "unknown", "workload:b/z"]
    assert [e["id"] for e in result["edges"]] == ["a", "z"]
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text)["edges"][1]["p95_ms"] is None
    assert result["window"] == {
        "start": "2025-01-01T12:00:00+00:00",
        "end": "2025-01-01T12:05:00+00:00",
    }
