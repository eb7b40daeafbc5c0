"""Samples to nodes and edges, for each graph type."""

from __future__ import annotations

from collectors.records import Inventory, Peer, ServiceRecord, WorkloadRecord

from .helpers import context, peer, sample, shop_inventory, shop_samples, traffic_map


def edges_of(graph_type: str) -> set[str]:
    ctx = context(graph_type, inventory=shop_inventory())
    return set(traffic_map(shop_samples(), ctx).edges)


def test_workload_graph() -> None:
    assert edges_of("workload") == {
        "unknown>workload:shop/frontend-v1|http",
        "workload:shop/frontend-v1>workload:shop/cart-v1|http",
        "workload:shop/frontend-v1>workload:shop/cart-v2|http",
        "workload:shop/cart-v1>workload:pay/payments-v1|grpc",
        "workload:shop/cart-v2>workload:pay/payments-v1|grpc",
        "workload:legacy/batch>workload:pay/payments-v1|http",
        # No pod answered: the service is all telemetry knows of the destination.
        "workload:shop/frontend-v1>service:shop/ghost|http",
        "workload:pay/payments-v1>workload:legacy/db|tcp",
    }


def test_app_graph_merges_versions_and_keeps_unlabelled_workloads() -> None:
    ctx = context("app", inventory=shop_inventory())
    result = traffic_map(shop_samples(), ctx)
    assert set(result.edges) == {
        "unknown>app:shop/frontend|http",
        "app:shop/frontend>app:shop/cart|http",
        "app:shop/cart>app:pay/payments|grpc",
        "workload:legacy/batch>app:pay/payments|http",
        "app:shop/frontend>service:shop/ghost|http",
        "app:pay/payments>workload:legacy/db|tcp",
    }
    cart = result.edges["app:shop/frontend>app:shop/cart|http"].traffic
    assert (cart.requests, cart.errors_5xx) == (200, 10)
    assert result.edges["app:shop/cart>app:pay/payments|grpc"].traffic.requests == 100


def test_versioned_app_graph() -> None:
    assert edges_of("versioned_app") == {
        "unknown>app:shop/frontend/v1|http",
        "app:shop/frontend/v1>app:shop/cart/v1|http",
        "app:shop/frontend/v1>app:shop/cart/v2|http",
        "app:shop/cart/v1>app:pay/payments/v1|grpc",
        "app:shop/cart/v2>app:pay/payments/v1|grpc",
        "workload:legacy/batch>app:pay/payments/v1|http",
        "app:shop/frontend/v1>service:shop/ghost|http",
        "app:pay/payments/v1>workload:legacy/db|tcp",
    }


def test_service_graph_reads_service_to_service() -> None:
    assert edges_of("service") == {
        "unknown>service:shop/frontend|http",
        "service:shop/frontend>service:shop/cart|http",
        "service:shop/cart>service:pay/payments|grpc",
        # batch is fronted by no service; db is called by no service name.
        "workload:legacy/batch>service:pay/payments|http",
        "service:shop/frontend>service:shop/ghost|http",
        "service:pay/payments>workload:legacy/db|tcp",
    }


def test_service_graph_falls_back_to_selectors_for_unobserved_routing() -> None:
    inventory = Inventory(
        workloads=(WorkloadRecord("a", "worker", labels={"app": "worker"}),),
        services=(
            ServiceRecord("a", "worker-b", selector={"app": "worker"}),
            ServiceRecord("a", "worker-a", selector={"app": "worker"}),
            ServiceRecord("a", "other", selector={"app": "other"}),
        ),
    )
    ctx = context("service", inventory=inventory)
    result = traffic_map([sample(peer("a/worker"), peer("b/api", service="api"))], ctx)
    # Nobody called worker in the window, so the selector decides; first name wins.
    assert list(result.edges) == ["service:a/worker-a>service:b/api|http"]


def test_service_graph_prefers_the_service_carrying_most_requests() -> None:
    samples = [
        sample(peer("x/c"), peer("a/w", service="small"), requests=1),
        sample(peer("x/c"), peer("a/w", service="big"), requests=9),
        sample(peer("a/w"), peer("b/api", service="api")),
    ]
    result = traffic_map(samples, context("service"))
    assert "service:a/big>service:b/api|http" in result.edges


def test_destination_without_workload_or_service_is_left_out() -> None:
    result = traffic_map([sample(peer("a/web"), Peer("a", "unknown"))])
    assert result.edges == {} and result.nodes == {}


def test_nodes_carry_kind_namespace_and_name() -> None:
    result = traffic_map(shop_samples(), context("versioned_app"))
    node = result.nodes["app:shop/cart/v2"]
    assert (node.kind, node.namespace, node.name, node.app, node.version) == (
        "app",
        "shop",
        "cart",
        "cart",
        "v2",
    )
    unknown = result.nodes["unknown"]
    assert (unknown.kind, unknown.namespace, unknown.name, unknown.mesh) == (
        "unknown",
        "",
        "unknown",
        "",
    )
    assert result.nodes["service:shop/ghost"].kind == "service"
