"""The inventory's REST endpoints: personas, pagination, filters, details, query counts."""

from __future__ import annotations

import pytest

from collectors.records import (
    ClusterFactsRecord,
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    MeshPolicyRecord,
    NamespaceRecord,
    NetworkPolicyRecord,
    NodeRecord,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from tests.conftest import grant_namespaces
from webapp.accounts.tokens import issue_token
from webapp.inventory.services import apply_inventory

pytestmark = pytest.mark.django_db
LISTS = [
    "namespaces",
    "nodes",
    "workloads",
    "pods",
    "services",
    "network-policies",
    "mesh-policies",
]


def _inventory(pods_per_workload: int = 1) -> Inventory:
    workloads, pods = [], []
    for ns in ("shop", "bank"):
        for app, tier in (("web", "front"), ("db", "data"), ("cache", "data")):
            labels = {"app": app, "tier": tier, "app.kubernetes.io/part-of": ns}
            workloads.append(WorkloadRecord(ns, app, app=app, labels=labels, mesh="istio"))
            for i in range(pods_per_workload):
                pods.append(
                    PodRecord(ns, f"{app}-{i}", workload=app, labels=labels, sidecar="istio",
                              ready=i % 2 == 0, ip=f"10.0.{len(pods)}.1", node="node-1")
                )  # fmt: skip
    return Inventory(
        namespaces=(NamespaceRecord("bank"), NamespaceRecord("shop", {}, "istio")),
        workloads=tuple(workloads),
        services=(
            ServiceRecord("shop", "web", selector={"app": "web"}, labels={"app": "web"}),
            ServiceRecord("bank", "db", headless=True, cluster_ip="None"),
        ),
        pods=tuple(pods),
        nodes=(NodeRecord("node-1", pod_cidrs=("10.244.0.0/24",), ready=True),),
        endpoint_slices=(
            EndpointSliceRecord(
                "shop",
                "web-x",
                "web",
                endpoints=(
                    EndpointRecord(("10.0.0.1",), ready=True, pod="web-0"),
                    EndpointRecord(("10.0.0.2",), ready=False, serving=False, pod="web-1"),
                ),
            ),
        ),
        network_policies=(
            NetworkPolicyRecord("shop", "default-deny", {}, ("Ingress",)),
            NetworkPolicyRecord(
                "bank",
                "allow-web",
                {"match_labels": {"app": "db"}},
                ("Ingress",),
                ({"peers": [], "ports": []},),
            ),
        ),  # fmt: skip
        mesh_policies=(
            MeshPolicyRecord(
                "shop", "default", "PeerAuthentication", "istio", {"mode": "PERMISSIVE"}
            ),
            MeshPolicyRecord("bank", "db", "AuthorizationPolicy", "istio", {"action": "ALLOW"}),
        ),  # fmt: skip
        facts=ClusterFactsRecord(
            cni="calico",
            kube_proxy_mode="ipvs",
            dns_service={"namespace": "kube-system", "name": "kube-dns"},
            node_pod_cidrs={"node-1": ("10.244.0.0/24",)},
        ),
    )


@pytest.fixture
def inventory():
    apply_inventory(_inventory())


@pytest.fixture
def api(client, alice_token):
    def get(path: str, token: str | None = alice_token, **params):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.get(f"/api/v1/{path}", params, **headers)

    return get


@pytest.mark.parametrize("path", [*LISTS, "cluster"])
def test_login_mode_needs_a_login_or_a_token(api, inventory, path):
    assert api(path, token=None).status_code == 401
    assert api(path, token="mw_not-a-token").status_code == 401
    assert api(path).status_code == 200


def test_a_session_works_and_anonymous_mode_reads(client, bob, inventory, settings):
    from webapp.inventory.models import Namespace

    grant_namespaces(bob, *Namespace.objects.values_list("name", flat=True))
    client.force_login(bob)
    assert client.get("/api/v1/pods").json()["count"] == 6
    client.logout()
    settings.MESHWATCH_AUTH = "anonymous"
    assert client.get("/api/v1/pods").status_code == 200


@pytest.mark.parametrize("path", LISTS)
def test_lists_are_paginated(api, inventory, path):
    body = api(path, page_size=1).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] >= 1 and len(body["results"]) == 1 and body["previous"] is None
    if body["count"] > 1:
        second = api(path, page_size=1, page=2).json()
        assert second["previous"] and second["results"] != body["results"]


def test_namespace_filter(api, inventory):
    body = api("workloads", namespace="shop").json()
    assert body["count"] == 3 and {w["namespace"] for w in body["results"]} == {"shop"}
    assert api("pods", namespace="shop,bank").json()["count"] == 6
    assert api("pods", namespace="Not_A_Namespace").status_code == 400
    assert [n["name"] for n in api("namespaces", namespace="shop").json()["results"]] == ["shop"]
    assert api("namespaces", namespace="bank,nowhere").json()["count"] == 1
    assert api("namespaces", namespace="Not_A_Namespace").status_code == 400


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("app=web", {"shop/web", "bank/web"}),
        ("app==web,tier=front", {"shop/web", "bank/web"}),
        ("tier!=data", {"shop/web", "bank/web"}),
        ("app in (db, cache),app.kubernetes.io/part-of=bank", {"bank/db", "bank/cache"}),
        ("app notin (web)", {"shop/db", "shop/cache", "bank/db", "bank/cache"}),
        ("tier", {"shop/web", "shop/db", "shop/cache", "bank/web", "bank/db", "bank/cache"}),
        ("!tier", set()),
        ("app.kubernetes.io/part-of=shop,tier!=front", {"shop/db", "shop/cache"}),
    ],
)
def test_label_selectors(api, inventory, selector, expected):
    body = api("workloads", labels=selector).json()
    assert {f"{w['namespace']}/{w['name']}" for w in body["results"]} == expected


@pytest.mark.parametrize(
    "selector", ["app=(web", "a b", "app=web)", "bad key=1", "app=" + "x" * 64, "x=1;drop"]
)
def test_bad_selectors_are_refused_with_a_reason(api, inventory, selector):
    response = api("pods", labels=selector)
    assert response.status_code == 400 and "labels" in response.json()["detail"]


def test_details(api, inventory):
    pod = api("pods/shop/web-0").json()
    assert pod["mesh"]["sidecar"] == "istio" and pod["dns"]["ndots"] == 5
    workload = api("workloads/shop/web").json()
    assert (workload["pods"], workload["ready_pods"], workload["sidecar_pods"]) == (1, 1, 1)
    service = api("services/shop/web").json()
    assert service["endpoints"] == {"ready": 1, "not_ready": 1}
    assert [e["pod"] for e in service["endpoint_list"]] == ["web-0", "web-1"]
    assert api("services/bank/db").json()["headless"] is True
    assert api("nodes/node-1").json()["pods"] == 6
    assert api("namespaces/shop").json()["mesh"] == "istio"
    assert api("network-policies/shop/default-deny").json()["default_deny_ingress"] is True
    assert api("network-policies/bank/allow-web").json()["default_deny_ingress"] is False
    pa = api("mesh-policies/shop/PeerAuthentication/default").json()
    assert pa["spec"]["mode"] == "PERMISSIVE"
    assert api("pods/shop/nope").status_code == 404
    assert api("mesh-policies", kind="AuthorizationPolicy").json()["count"] == 1


def test_cluster(api, inventory):
    body = api("cluster").json()
    assert body["cni"]["plugin"] == "calico" and body["kube_proxy"]["mode"] == "ipvs"
    assert body["dns_service"]["name"] == "kube-dns"
    assert body["node_pod_cidrs"] == {"node-1": ["10.244.0.0/24"]}
    assert body["counts"]["pods"] == 6
    assert body["staleness"] == {
        "source": "cycle",
        "stale": False,
        "stale_since": None,
        "last_sync_at": None,
        "watcher": None,
        "kinds": [],
    }


def test_a_token_limited_to_namespaces_sees_only_them(api, bob, inventory):
    grant_namespaces(bob, "shop", "bank")
    _, token = issue_token(bob, name="shop-only", namespaces=["shop"])
    assert {p["namespace"] for p in api("pods", token=token).json()["results"]} == {"shop"}
    assert [n["name"] for n in api("namespaces", token=token).json()["results"]] == ["shop"]
    assert api("pods/bank/web-0", token=token).status_code == 404
    assert api("pods", token=token, namespace="bank").json()["count"] == 0
    assert api("nodes", token=token).json()["count"] == 1  # cluster-scoped
    # ...but its pod count is of the visible pods: bank's are nobody else's business.
    assert api("nodes/node-1").json()["pods"] == 6
    assert api("nodes/node-1", token=token).json()["pods"] == 3
    assert api("nodes", token=token).json()["results"][0]["pods"] == 3


def test_the_live_topic_counts_node_pods_of_its_namespaces_only(inventory):
    from webapp.inventory.live import InventoryOptions, inventory_snapshot

    assert [n["pods"] for n in inventory_snapshot(InventoryOptions(("shop",)))["nodes"]] == [3]
    assert [n["pods"] for n in inventory_snapshot(InventoryOptions(()))["nodes"]] == [6]


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_rows(api, path, django_assert_max_num_queries):
    apply_inventory(_inventory(pods_per_workload=1))
    api(path)  # the token's first use records last_used_at; not part of the count
    with django_assert_max_num_queries(4):  # token, count, page
        small = api(path, labels="tier").json()
    apply_inventory(_inventory(pods_per_workload=30))
    with django_assert_max_num_queries(4):
        large = api(path, labels="tier").json()
    assert large["count"] >= small["count"]


def test_the_graph_shows_pods_ready_sidecars_and_idle_workloads(api, inventory):
    body = api("graph", idle="true", namespaces="shop").json()
    web = next(n for n in body["nodes"] if n["id"] == "workload:shop/web")
    assert web["idle"] is True and (web["pods"], web["ready_pods"]) == (1, 1)
    assert web["sidecar"] == {"status": "all", "meshed_pods": 1}
    body = api("graph", idle="true", namespaces="shop", graph_type="service").json()
    service = next(n for n in body["nodes"] if n["id"] == "service:shop/web")
    assert service["endpoints"] == {"ready": 1, "not_ready": 1, "workloads": ["workload:shop/web"]}


def test_the_schema_documents_the_inventory(api):
    schema = api("schema/").content.decode()
    assert "/api/v1/pods/{namespace}/{name}" in schema and "/api/v1/cluster" in schema
