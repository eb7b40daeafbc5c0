"""Node and edge ids, and the merging of samples onto one edge."""

from __future__ import annotations

from webapp.graph.traffic_map import (
    UNKNOWN_ID,
    EdgeTraffic,
    TrafficMap,
    app_id,
    edge_id,
    service_id,
    workload_id,
)

from .helpers import hist, peer, sample


def test_node_id_formats() -> None:
    assert workload_id("shop", "cart-v1") == "workload:shop/cart-v1"
    assert service_id("shop", "cart") == "service:shop/cart"
    assert app_id("shop", "cart") == "app:shop/cart"
    assert app_id("shop", "cart", "v2") == "app:shop/cart/v2"
    assert UNKNOWN_ID == "unknown"


def test_edge_id_names_both_ends_and_the_protocol() -> None:
    key = edge_id("workload:a/web", "service:b/api", "grpc")
    assert key == "workload:a/web>service:b/api|grpc"
    ends, protocol = key.rsplit("|", 1)
    assert ends.split(">") == ["workload:a/web", "service:b/api"] and protocol == "grpc"


def test_samples_on_one_edge_are_merged() -> None:
    traffic_map = TrafficMap()
    a = sample(
        peer("a/web"), peer("b/api"), errors_5xx=1, mtls_requests=100, latency=hist((10,), (60, 40))
    )
    b = sample(
        peer("a/web"),
        peer("b/api"),
        requests=50,
        interval_s=50,
        errors_4xx=5,
        latency=hist((10, 20), (10, 20, 20)),
    )
    traffic_map.add_sample("x", "y", a)
    edge = traffic_map.add_sample("x", "y", b)
    assert list(traffic_map.edges) == ["x>y|http"]
    t = edge.traffic
    assert (t.requests, t.errors_5xx, t.errors_4xx) == (150, 1, 5)
    assert t.rps == 2.0  # 100/100 + 50/50, each at its own interval
    assert (t.mtls_requests, t.mtls_known) == (100, 100)  # b could not tell
    assert t.latency is not None
    assert t.latency.bounds_ms[:-1] == (10, 20) and t.latency.counts == (70, 20, 60)


def test_mixed_meshes_on_one_edge_say_mixed() -> None:
    traffic_map = TrafficMap()
    traffic_map.add_sample("x", "y", sample(peer("a/web"), peer("b/api")))
    edge = traffic_map.add_sample("x", "y", sample(peer("a/web"), peer("b/api"), mesh="linkerd"))
    assert edge.mesh == "mixed"


def test_error_total_is_capped_at_requests() -> None:
    traffic = EdgeTraffic(requests=10, errors_5xx=8, no_response=8)
    assert traffic.errors == 10
    assert traffic.ratio(traffic.errors) == 1.0
    assert EdgeTraffic().ratio(5) == 0.0
