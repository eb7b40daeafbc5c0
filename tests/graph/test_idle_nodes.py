"""The idle nodes appender."""

from __future__ import annotations

from webapp.graph.appenders import idle_nodes

from .helpers import context, peer, sample, shop_inventory, shop_samples, traffic_map


def test_without_the_option_it_only_marks_silent_nodes() -> None:
    ctx = context(inventory=shop_inventory())
    samples = [
        sample(peer("a/web"), peer("a/api")),
        sample(peer("a/cron"), peer("a/api"), requests=0),
    ]
    result = traffic_map(samples, ctx)
    idle_nodes.apply(result, ctx)
    assert {n: node.idle for n, node in result.nodes.items()} == {
        "workload:a/web": False,
        "workload:a/api": False,
        "workload:a/cron": True,
    }


def test_tcp_bytes_count_as_traffic() -> None:
    ctx = context()
    result = traffic_map(
        [sample(peer("a/app"), peer("a/db"), protocol="tcp", requests=0, bytes_sent=10)], ctx
    )
    idle_nodes.apply(result, ctx)
    assert not result.nodes["workload:a/db"].idle


def test_it_adds_inventory_workloads_with_no_traffic() -> None:
    ctx = context(inventory=shop_inventory(), idle_nodes=True)
    result = traffic_map(shop_samples(), ctx)
    idle_nodes.apply(result, ctx)
    assert result.nodes["workload:legacy/reports"].idle
    assert not result.nodes["workload:shop/cart-v1"].idle


def test_it_adds_idle_services_in_the_service_graph_within_scope() -> None:
    ctx = context("service", namespaces=("legacy",), inventory=shop_inventory(), idle_nodes=True)
    result = traffic_map([], ctx)
    idle_nodes.apply(result, ctx)
    assert set(result.nodes) == {"service:legacy/reports"}
    assert result.nodes["service:legacy/reports"].idle


def test_it_adds_app_nodes_in_the_app_graphs() -> None:
    ctx = context("versioned_app", inventory=shop_inventory(), idle_nodes=True)
    result = traffic_map([], ctx)
    idle_nodes.apply(result, ctx)
    assert {"app:shop/cart/v1", "app:shop/cart/v2", "workload:legacy/db"} <= set(result.nodes)
    ctx = context("app", inventory=shop_inventory(), idle_nodes=True)
    result = traffic_map([], ctx)
    idle_nodes.apply(result, ctx)
    assert "app:shop/cart" in result.nodes and "app:shop/cart/v1" not in result.nodes
