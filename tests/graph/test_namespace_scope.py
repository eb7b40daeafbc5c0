"""The namespace scope appender."""

from __future__ import annotations

from webapp.graph.appenders import namespace_scope

from .helpers import context, peer, sample, shop_samples, traffic_map


def test_no_namespaces_means_all() -> None:
    ctx = context()
    result = traffic_map(shop_samples(), ctx)
    before = set(result.edges)
    namespace_scope.apply(result, ctx)
    assert set(result.edges) == before
    assert not any(node.outside for node in result.nodes.values())


def test_it_keeps_edges_touching_the_scope_and_marks_the_rest_outside() -> None:
    ctx = context(namespaces=("pay",))
    result = traffic_map(shop_samples(), ctx)
    namespace_scope.apply(result, ctx)
    assert set(result.edges) == {
        "workload:shop/cart-v1>workload:pay/payments-v1|grpc",
        "workload:shop/cart-v2>workload:pay/payments-v1|grpc",
        "workload:legacy/batch>workload:pay/payments-v1|http",
        "workload:pay/payments-v1>workload:legacy/db|tcp",
    }
    outside = {node_id for node_id, node in result.nodes.items() if node.outside}
    assert outside == {
        "workload:shop/cart-v1",
        "workload:shop/cart-v2",
        "workload:legacy/batch",
        "workload:legacy/db",
    }
    assert set(result.nodes) == outside | {"workload:pay/payments-v1"}


def test_the_unknown_node_is_never_outside() -> None:
    ctx = context(namespaces=("a",))
    samples = [
        sample(peer("unknown"), peer("a/web")),
        sample(peer("unknown"), peer("b/api")),
    ]
    result = traffic_map(samples, ctx)
    namespace_scope.apply(result, ctx)
    assert set(result.edges) == {"unknown>workload:a/web|http"}
    assert result.nodes["unknown"].outside is False
    assert "workload:b/api" not in result.nodes
