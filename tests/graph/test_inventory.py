"""The inventory enrichment appender."""

from __future__ import annotations

from webapp.graph.appenders import inventory

from .helpers import context, peer, sample, shop_inventory, shop_samples, traffic_map


def test_it_enriches_workload_nodes() -> None:
    ctx = context(inventory=shop_inventory())
    result = traffic_map(shop_samples(), ctx)
    inventory.apply(result, ctx)
    cart = result.nodes["workload:shop/cart-v1"]
    assert (cart.workload_kind, cart.mesh, cart.pods, cart.in_inventory) == (
        "Deployment",
        "istio",
        2,
        True,
    )
    assert cart.labels == {"app": "cart", "version": "v1"}
    batch = result.nodes["workload:legacy/batch"]
    assert (batch.workload_kind, batch.mesh, batch.labels) == ("CronJob", "", {"job": "batch"})


def test_it_enriches_service_and_app_nodes() -> None:
    ctx = context("app", inventory=shop_inventory())
    result = traffic_map(shop_samples(), ctx)
    inventory.apply(result, ctx)
    cart = result.nodes["app:shop/cart"]
    assert (cart.pods, cart.mesh, cart.in_inventory) == (3, "istio", True)
    assert cart.labels == {"app": "cart"}  # the labels both versions share
    ctx = context("service", inventory=shop_inventory())
    result = traffic_map(shop_samples(), ctx)
    inventory.apply(result, ctx)
    service = result.nodes["service:shop/cart"]
    assert (service.workload_kind, service.pods, service.mesh) == ("Service", 3, "istio")


def test_unknown_to_inventory_keeps_telemetry_and_falls_back_to_namespace_mesh() -> None:
    ctx = context(inventory=shop_inventory())
    samples = [
        sample(peer("elsewhere/client"), peer("shop/ghost-v1"), mesh="linkerd"),
        sample(peer("shop/stranger"), peer("legacy/db"), mesh=""),
    ]
    result = traffic_map(samples, ctx)
    inventory.apply(result, ctx)
    assert result.nodes["workload:elsewhere/client"].mesh == "linkerd"
    assert result.nodes["workload:elsewhere/client"].in_inventory is False
    assert result.nodes["workload:shop/stranger"].mesh == "istio"  # shop is enrolled
    assert result.nodes["workload:legacy/db"].mesh == ""
