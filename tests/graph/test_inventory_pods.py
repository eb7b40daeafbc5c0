"""Pods on graph nodes (count, ready, sidecar status), service endpoints, and idle nodes."""

from __future__ import annotations

from collectors.records import (
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.graph.appenders import idle_nodes, inventory
from webapp.graph.options import GraphOptions
from webapp.graph.render import render_node

from .helpers import context, peer, sample, traffic_map

LABELS = {"app": "web"}


def _inventory() -> Inventory:
    return Inventory(
        namespaces=(NamespaceRecord("shop", mesh="istio"),),
        workloads=(
            WorkloadRecord("shop", "web", app="web", labels=LABELS, mesh="istio"),
            WorkloadRecord("shop", "db", app="db", labels={"app": "db"}),
        ),
        services=(ServiceRecord("shop", "web", selector=LABELS),),
        pods=(
            PodRecord("shop", "web-1", "web", labels=LABELS, ready=True, sidecar="istio"),
            PodRecord("shop", "web-2", "web", labels=LABELS, ready=False, sidecar="istio"),
            PodRecord("shop", "web-3", "web", labels=LABELS, ready=True, sidecar=""),
            PodRecord("shop", "db-0", "db", labels={"app": "db"}, ready=True),
        ),
        endpoint_slices=(
            EndpointSliceRecord(
                "shop",
                "web-abc",
                "web",
                endpoints=(
                    EndpointRecord(("10.0.0.1",), ready=True, pod="web-1"),
                    EndpointRecord(("10.0.0.2",), ready=False, pod="web-2"),
                ),
            ),
        ),
    )


def test_workload_nodes_carry_pods_ready_and_sidecar_status():
    ctx = context(inventory=_inventory(), idle_nodes=True)
    result = traffic_map([sample(peer("shop/web"), peer("shop/db"))], ctx)
    inventory.apply(result, ctx)
    web = render_node(result.nodes["workload:shop/web"])
    assert (web["pods"], web["ready_pods"]) == (3, 2)
    assert web["sidecar"] == {"status": "partial", "meshed_pods": 2}
    db = render_node(result.nodes["workload:shop/db"])
    assert db["sidecar"]["status"] == "none" and db["endpoints"] is None


def test_service_nodes_link_to_their_endpoints():
    ctx = context("service", inventory=_inventory())
    result = traffic_map([sample(peer("shop/db"), peer("shop/web", service="web"))], ctx)
    inventory.apply(result, ctx)
    web = render_node(result.nodes["service:shop/web"])
    assert web["endpoints"] == {"ready": 1, "not_ready": 1, "workloads": ["workload:shop/web"]}
    assert (web["pods"], web["ready_pods"], web["sidecar"]["status"]) == (3, 2, "partial")


def test_idle_workloads_appear_when_asked_with_their_pods():
    ctx = context(inventory=_inventory(), idle_nodes=True)
    result = traffic_map([], ctx)
    idle_nodes.apply(result, ctx)
    inventory.apply(result, ctx)
    assert {n.id for n in result.nodes.values() if n.idle} == {
        "workload:shop/web",
        "workload:shop/db",
    }
    assert result.nodes["workload:shop/db"].ready_pods == 1


def test_idle_is_a_short_name_for_idle_nodes():
    assert GraphOptions.from_params({"idle": "true"}).idle_nodes
    assert not GraphOptions.from_params({}).idle_nodes
