"""The whole builder: every graph type on one small multi-namespace sample set, and scale."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from collectors.records import (
    EdgeSample,
    Inventory,
    NamespaceRecord,
    Peer,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.graph import build_graph
from webapp.graph.options import GRAPH_TYPES, GraphOptions

from .helpers import T0, T1, hist, shop_inventory, shop_samples


def build(graph_type: str = "workload", **options: Any) -> dict[str, Any]:
    return build_graph(
        shop_samples(),
        shop_inventory(),
        GraphOptions(graph_type=graph_type, **options),
        window_start=T0,
        window_end=T1,
        generated_at=T1,
    )


@pytest.mark.parametrize("graph_type", GRAPH_TYPES)
def test_every_graph_type_builds_strict_sorted_json(graph_type: str) -> None:
    result = build(graph_type)
    assert result["graph_type"] == graph_type
    assert result["generated_at"] == "2025-01-01T12:05:00+00:00"
    json.dumps(result, allow_nan=False)
    ids = [node["id"] for node in result["nodes"]]
    assert ids == sorted(ids)
    assert [e["id"] for e in result["edges"]] == sorted(e["id"] for e in result["edges"])
    assert {e["source"] for e in result["edges"]} | {e["target"] for e in result["edges"]} <= set(
        ids
    )


def test_workload_graph_values() -> None:
    result = build()
    nodes = {node["id"]: node for node in result["nodes"]}
    edges = {edge["id"]: edge for edge in result["edges"]}
    cart_v2 = edges["workload:shop/frontend-v1>workload:shop/cart-v2|http"]
    assert cart_v2["rps"] == 1.0
    assert cart_v2["errors"]["5xx"] == 0.1 and cart_v2["health"] == "failure"
    assert cart_v2["mtls_ratio"] == 1.0
    # 50, 30, 15, 5 over 10/50/100/+Inf: p50 = 10, p95 = 100 (rank 95 at the top of (50,100]).
    assert (cart_v2["p50_ms"], cart_v2["p95_ms"]) == (10.0, 100.0)
    assert edges["unknown>workload:shop/frontend-v1|http"]["mtls_ratio"] == 0.0
    tcp = edges["workload:pay/payments-v1>workload:legacy/db|tcp"]
    assert tcp["bytes_per_s"] == {"sent": 10.0, "received": 50.0}
    assert (tcp["health"], tcp["mtls_ratio"], tcp["p95_ms"]) == ("unknown", None, None)
    ghost = edges["workload:shop/frontend-v1>service:shop/ghost|http"]
    assert ghost["errors"]["no_response"] == 1.0 and ghost["health"] == "failure"
    payments = nodes["workload:pay/payments-v1"]
    assert payments["traffic"]["rps_in"] == 1.1
    assert payments["traffic"]["error_ratio_in"] == 0.05455  # 6/110 to 4 significant digits
    assert payments["health"] == "failure"  # the cart-v2 edge: 6 of 60 gRPC calls failed
    assert payments["mesh"] == "istio" and payments["pods"] == 0
    assert nodes["unknown"]["kind"] == "unknown"
    assert nodes["unknown"]["position"]["x"] < min(
        n["position"]["x"] for n in result["nodes"] if n["id"] != "unknown"
    )


def test_namespace_scope_and_outside() -> None:
    result = build(namespaces=("pay",))
    outside = {n["id"] for n in result["nodes"] if n["outside"]}
    inside = {n["id"] for n in result["nodes"] if not n["outside"]}
    assert inside == {"workload:pay/payments-v1"}
    assert "workload:shop/cart-v1" in outside and "workload:shop/frontend-v1" not in outside
    assert len(result["edges"]) == 4


def test_idle_nodes_option() -> None:
    result = build(idle_nodes=True)
    reports = next(n for n in result["nodes"] if n["id"] == "workload:legacy/reports")
    assert reports["idle"] and reports["health"] == "idle"
    assert "workload:legacy/reports" not in {n["id"] for n in build()["nodes"]}


def test_same_input_same_output() -> None:
    assert json.dumps(build("service")) == json.dumps(build("service"))


def test_empty_input_is_a_well_formed_graph() -> None:
    result = build_graph(
        [], Inventory(), GraphOptions(), window_start=T0, window_end=T1, generated_at=T1
    )
    assert (result["nodes"], result["edges"]) == ([], [])


def large_cluster(
    namespaces: int = 20, per_namespace: int = 100, fan_out: int = 5
) -> tuple[list[EdgeSample], Inventory]:
    """2,000 workloads, each calling 5 others (about half in other namespaces): 10,000 edges."""
    names = [(f"ns{n:02}", f"svc{w:03}") for n in range(namespaces) for w in range(per_namespace)]
    latency = hist((5, 10, 25, 50, 100, 250, 500, 1000), (40, 20, 15, 10, 6, 4, 2, 2, 1))
    samples = []
    for index, (namespace, name) in enumerate(names):
        for k in range(1, fan_out + 1):
            dest_ns, dest = names[(index + k * 97 + k * k) % len(names)]
            samples.append(
                EdgeSample(
                    source=Peer(namespace, name, app=name, version="v1"),
                    destination=Peer(dest_ns, dest, app=dest, version="v1", service=dest),
                    protocol="grpc" if k == 3 else "http",
                    mesh="istio",
                    interval_s=300.0,
                    requests=100.0,
                    errors_5xx=float(k),
                    mtls_requests=90.0,
                    latency=latency,
                )
            )
    inventory = Inventory(
        namespaces=tuple(NamespaceRecord(f"ns{n:02}", mesh="istio") for n in range(namespaces)),
        workloads=tuple(
            WorkloadRecord(ns, n, app=n, version="v1", labels={"app": n}) for ns, n in names
        ),
        services=tuple(ServiceRecord(ns, n, selector={"app": n}) for ns, n in names),
        pods=tuple(PodRecord(ns, f"{n}-0", workload=n, labels={"app": n}) for ns, n in names),
    )
    return samples, inventory


@pytest.mark.parametrize("graph_type", ["workload", "service"])
def test_two_thousand_nodes_ten_thousand_edges(graph_type: str) -> None:
    samples, inventory = large_cluster()
    started = time.perf_counter()
    result = build_graph(
        samples,
        inventory,
        GraphOptions(graph_type=graph_type),
        window_start=T0,
        window_end=T1,
        generated_at=T1,
    )
    elapsed = time.perf_counter() - started
    print(f"\n{graph_type} graph, 2,000 nodes / 10,000 edges: {elapsed:.2f} s")
    assert len(result["nodes"]) == 2000
    assert len(result["edges"]) == 10000
    json.dumps(result, allow_nan=False)
