"""Hand-made samples, inventories and contexts for the graph tests (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from collectors.records import (
    EdgeSample,
    Histogram,
    Inventory,
    NamespaceRecord,
    Peer,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.graph.context import GraphContext
from webapp.graph.mapping import map_traffic
from webapp.graph.options import GraphOptions
from webapp.graph.traffic_map import TrafficMap

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2025, 1, 1, 12, 5, tzinfo=UTC)
INF = float("inf")


def peer(path: str, app: str = "", version: str = "", service: str = "") -> Peer:
    """A peer from "namespace/workload" ("unknown" for an unattributed one)."""
    if path == "unknown":
        return Peer(namespace="unknown", workload="unknown")
    namespace, workload = path.split("/")
    return Peer(namespace, workload, app=app, version=version, service=service)


def sample(source: Peer, destination: Peer, **fields: Any) -> EdgeSample:
    """An HTTP Istio sample over 100 s with 100 requests unless told otherwise."""
    values: dict[str, Any] = {
        "protocol": "http",
        "mesh": "istio",
        "interval_s": 100.0,
        "requests": 100.0,
    }
    values.update(fields)
    return EdgeSample(source=source, destination=destination, **values)


def hist(bounds: Sequence[float], counts: Sequence[float]) -> Histogram:
    """A per-bucket histogram; +Inf is appended to `bounds`."""
    return Histogram(bounds_ms=(*bounds, INF), counts=tuple(counts))


def context(
    graph_type: str = "workload",
    namespaces: tuple[str, ...] = (),
    inventory: Inventory | None = None,
    idle_nodes: bool = False,
) -> GraphContext:
    """A preloaded context for the given options."""
    options = GraphOptions(graph_type=graph_type, namespaces=namespaces, idle_nodes=idle_nodes)
    return GraphContext.preload(inventory or Inventory(), options)


def traffic_map(samples: Sequence[EdgeSample], ctx: GraphContext | None = None) -> TrafficMap:
    """The traffic map of `samples` before any appender ran."""
    return map_traffic(samples, ctx or context())


def shop_inventory() -> Inventory:
    """Three namespaces: shop (istio), pay (istio), legacy (no mesh)."""
    workloads = (
        WorkloadRecord(
            "shop",
            "frontend-v1",
            app="frontend",
            version="v1",
            labels={"app": "frontend", "version": "v1"},
            mesh="istio",
        ),
        WorkloadRecord(
            "shop",
            "cart-v1",
            app="cart",
            version="v1",
            labels={"app": "cart", "version": "v1"},
            mesh="istio",
        ),
        WorkloadRecord(
            "shop",
            "cart-v2",
            app="cart",
            version="v2",
            labels={"app": "cart", "version": "v2"},
            mesh="istio",
        ),
        WorkloadRecord(
            "pay",
            "payments-v1",
            app="payments",
            version="v1",
            labels={"app": "payments", "version": "v1"},
            mesh="istio",
        ),
        WorkloadRecord("legacy", "batch", kind="CronJob", labels={"job": "batch"}),
        WorkloadRecord("legacy", "db", kind="StatefulSet", labels={"db": "pg"}),
        WorkloadRecord("legacy", "reports", labels={"app-name": "reports"}),
    )
    services = (
        ServiceRecord("shop", "frontend", selector={"app": "frontend"}),
        ServiceRecord("shop", "cart", selector={"app": "cart"}),
        ServiceRecord("pay", "payments", selector={"app": "payments"}),
        ServiceRecord("legacy", "reports", selector={"app-name": "reports"}),
    )
    pods = (
        PodRecord("shop", "cart-v1-a", workload="cart-v1", labels={"app": "cart", "version": "v1"}),
        PodRecord("shop", "cart-v1-b", workload="cart-v1", labels={"app": "cart", "version": "v1"}),
        PodRecord("shop", "cart-v2-a", workload="cart-v2", labels={"app": "cart", "version": "v2"}),
    )
    return Inventory(
        namespaces=(
            NamespaceRecord("shop", mesh="istio"),
            NamespaceRecord("pay", mesh="istio"),
            NamespaceRecord("legacy"),
        ),
        workloads=workloads,
        services=services,
        pods=pods,
    )


def shop_samples() -> list[EdgeSample]:
    """Traffic through shop, pay and legacy, with an unknown caller and a pod-less service."""
    lat = hist((10, 50, 100), (50, 30, 15, 5))
    frontend = peer("shop/frontend-v1", "frontend", "v1", service="frontend")
    cart_v1 = peer("shop/cart-v1", "cart", "v1", service="cart")
    cart_v2 = peer("shop/cart-v2", "cart", "v2", service="cart")
    payments = peer("pay/payments-v1", "payments", "v1", service="payments")
    return [
        sample(peer("unknown"), frontend, requests=50, mtls_requests=0),
        sample(peer("shop/frontend-v1", "frontend", "v1"), cart_v1, mtls_requests=100, latency=lat),
        sample(
            peer("shop/frontend-v1", "frontend", "v1"),
            cart_v2,
            errors_5xx=10,
            mtls_requests=100,
            latency=lat,
        ),
        sample(peer("shop/cart-v1", "cart", "v1"), payments, protocol="grpc", requests=40),
        sample(
            peer("shop/cart-v2", "cart", "v2"),
            payments,
            protocol="grpc",
            requests=60,
            errors_grpc=6,
        ),
        sample(peer("legacy/batch"), payments, requests=10, mesh=""),
        sample(
            peer("shop/frontend-v1", "frontend", "v1"),
            Peer("shop", "unknown", service="ghost"),
            requests=5,
            no_response=5,
        ),
        sample(
            peer("pay/payments-v1", "payments", "v1"),
            peer("legacy/db"),
            protocol="tcp",
            requests=0,
            bytes_sent=1000,
            bytes_received=5000,
        ),
    ]
