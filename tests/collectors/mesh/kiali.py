"""Kiali's graph test data (tests/fixtures/prometheus/kiali-graph/) read for the conformance test.

Kiali's inputs are answers to its per-namespace queries (rates over 600 s, namespace
bookinfo). The reporter they were selected with is part of each query's selector, not of the
answer's labels, so it is put back on each row here; then meshwatch's own Istio parser and
graph builder take over.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from collectors.mesh import istio, telemetry_inventory
from collectors.prometheus import Sample, parse_vector
from collectors.records import EdgeSample
from tests.collectors.mesh.exposition import FIXTURES
from webapp.graph.build import build_graph
from webapp.graph.options import GraphOptions

KIALI = FIXTURES / "kiali-graph"
DURATION_S = 600.0
NAMESPACE = "bookinfo"
_METRIC = re.compile(r"rate\((\w+)\{[^}]*reporter=\"(\w+)\"")
# Kiali's graphType names → ours.
GRAPH_TYPES = {"workload": "workload", "app": "app", "versioned_app": "versionedApp",
               "service": "service"}  # fmt: skip


def kiali_inputs() -> dict[str, list[Sample]]:
    """Kiali's query answers as rows of our query families (metric → samples)."""
    mocks = json.loads((KIALI / "kiali-graph-test-prometheus-inputs.transcribed.json").read_text())
    rows: dict[str, list[Sample]] = {}
    for mock in mocks["mocks"]:
        metric, reporter = _METRIC.search(mock["query"]).groups()  # type: ignore[union-attr]
        for sample in parse_vector(mock["response"]["data"]["result"]):
            labels = {**sample.labels, "reporter": reporter}
            rows.setdefault(metric, []).append(Sample(labels, sample.value))
    return rows


def meshwatch_samples() -> list[EdgeSample]:
    """Kiali's inputs through meshwatch's Istio parser, as counts over Kiali's 600 s."""
    edges, gaps = istio.parse(kiali_inputs(), DURATION_S)
    assert gaps == []
    return edges


def meshwatch_graph(graph_type: str) -> dict[str, Any]:
    """meshwatch's graph of the namespace Kiali's tests ask for."""
    samples = meshwatch_samples()
    at = datetime.fromtimestamp(1523364075, tz=UTC)
    options = GraphOptions(graph_type=graph_type, namespaces=(NAMESPACE,), window_s=DURATION_S)
    return build_graph(
        samples, telemetry_inventory(samples), options,
        window_start=datetime.fromtimestamp(at.timestamp() - DURATION_S, tz=UTC),
        window_end=at, generated_at=at,
    )  # fmt: skip


def kiali_graph(graph_type: str) -> dict[str, Any]:
    """Kiali's expected graph document (Cytoscape elements)."""
    return json.loads((KIALI / f"test_{graph_type}_graph.expected.json").read_text())


def node_id(data: dict[str, Any], graph_type: str) -> str:
    """The meshwatch id of a Kiali node, from its fields (Kiali's own ids are hashes)."""
    kind, ns = data["nodeType"], data.get("namespace", "")
    if kind == "unknown":
        return "unknown"
    if kind == "service":
        return f"service:{ns}/{data['service']}"
    if kind == "app":
        version = data.get("version", "") if graph_type == "versioned_app" else ""
        return f"app:{ns}/{data['app']}/{version}" if version else f"app:{ns}/{data['app']}"
    return f"workload:{ns}/{data['workload']}"


def kiali_edges(graph_type: str) -> dict[str, dict[str, float]]:
    """Kiali's edges by meshwatch edge id: rate (rps, or bytes/s for TCP) and error ratio."""
    elements = kiali_graph(graph_type)["elements"]
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    edges = {}
    for element in elements["edges"]:
        data, traffic = element["data"], element["data"]["traffic"]
        protocol, rates = traffic["protocol"], traffic.get("rates", {})
        source = node_id(nodes[data["source"]], graph_type)
        target = node_id(nodes[data["target"]], graph_type)
        edges[f"{source}>{target}|{protocol}"] = {
            "rate": float(rates.get(protocol, 0.0)),
            "error_ratio": float(rates.get(f"{protocol}PercentErr", 0.0)) / 100,
        }
    return edges


def kiali_nodes(graph_type: str) -> set[str]:
    """Kiali's nodes (without its grouping boxes) as meshwatch ids."""
    elements = kiali_graph(graph_type)["elements"]
    return {node_id(n["data"], graph_type) for n in elements["nodes"] if not n["data"].get("isBox")}
