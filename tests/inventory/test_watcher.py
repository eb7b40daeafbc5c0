"""watch_cluster's core loop against the test API server, through the real client."""

from __future__ import annotations

import time

import pytest

from tests.support.kube_api import KubeAPI
from webapp.inventory import models

from .conftest import RESOURCES, cluster_objects, eventually, pod

pytestmark = pytest.mark.django_db(transaction=True)


def _pods() -> dict[str, models.Pod]:
    return {
        f"{p.namespace.name}/{p.name}": p for p in models.Pod.objects.select_related("namespace")
    }


def _filled() -> bool:
    return (
        models.Pod.objects.count() == 3
        and models.MeshPolicy.objects.exists()
        and models.ClusterFacts.objects.exists()
        and models.Endpoint.objects.count() == 2
        # Pods can land before their Namespace's own informer has synced its labels.
        and models.Namespace.objects.filter(name="shop", mesh="istio").exists()
    )


def test_it_fills_the_inventory(kube_api, run_watcher):
    kube_api.apply(*cluster_objects())
    run_watcher(kube_api)
    eventually(_filled)
    web = models.Workload.objects.get(namespace__name="shop", name="web")
    assert (web.kind, web.replicas, web.ready_replicas, web.mesh) == ("Deployment", 2, 1, "istio")
    pod_row = _pods()["shop/web-abc12-aaaaa"]
    assert (pod_row.workload, pod_row.sidecar, pod_row.mesh_layout) == ("web", "istio", "container")
    assert pod_row.ndots == 5 and pod_row.search[0] == "shop.svc.cluster.local"
    assert models.Namespace.objects.get(name="shop").mesh == "istio"
    node = models.Node.objects.get(name="node-1")
    assert node.pod_cidrs == ["10.244.0.0/24"] and node.ready is True
    endpoints = models.Endpoint.objects.filter(slice__service="web").order_by("pod")
    assert [(e.pod, e.ready) for e in endpoints] == [
        ("web-abc12-aaaaa", True),
        ("web-abc12-bbbbb", False),
    ]
    assert models.NetworkPolicy.objects.get(name="default-deny").default_deny_ingress
    pa = models.MeshPolicy.objects.get(kind="PeerAuthentication")
    assert (pa.mesh, pa.spec["mode"], pa.spec["scope"]) == ("istio", "PERMISSIVE", "namespace")
    facts = models.ClusterFacts.objects.get()
    assert (facts.cni, facts.kube_proxy_mode) == ("flannel", "ipvs")
    assert facts.dns_service["name"] == "kube-dns" and facts.dns_service["ready_pods"] == 1
    assert set(models.SyncState.objects.values_list("kind", flat=True)) >= {"pods", "nodes"}
    assert not models.SyncState.objects.filter(stale_since__isnull=False).exists()


def test_a_change_appears_within_a_second(kube_api, run_watcher):
    kube_api.apply(*cluster_objects())
    run_watcher(kube_api)
    eventually(_filled)
    started = time.monotonic()
    kube_api.apply(pod("shop", "web-abc12-ccccc", "web-abc12", {"app": "web"}, "10.244.0.7"))
    eventually(lambda: "shop/web-abc12-ccccc" in _pods(), timeout=1.0)
    kube_api.delete("v1", "Pod", "shop", "web-abc12-aaaaa")
    eventually(lambda: "shop/web-abc12-aaaaa" not in _pods(), timeout=1.0)
    assert time.monotonic() - started < 2.0


def test_a_410_relists_and_nothing_is_lost(kube_api, run_watcher):
    kube_api.apply(*cluster_objects())
    run_watcher(kube_api)
    eventually(_filled)
    kube_api.compact()  # open watches end with ERROR 410; old resourceVersions are gone
    kube_api.apply(pod("shop", "late", ip="10.244.0.9"))
    kube_api.delete("v1", "Pod", "kube-system", "coredns-1")
    eventually(
        lambda: set(_pods()) == {"shop/web-abc12-aaaaa", "shop/web-abc12-bbbbb", "shop/late"}
    )
    relists = [q for path, q in kube_api.requests if path == "/api/v1/pods" and "watch" not in q]
    assert len(relists) >= 2
    assert models.Workload.objects.filter(name="late", kind="Pod").exists()
    eventually(lambda: models.ClusterFacts.objects.get().dns_service["ready_pods"] == 0)


def test_an_outage_marks_stale_deletes_nothing_and_converges(
    kube_api, client, settings, run_watcher
):
    # Anonymous reads: a token's first use is a write, which SQLite's shared-cache test
    # database would refuse while the watcher thread writes (PostgreSQL would not mind).
    settings.MESHWATCH_AUTH = "anonymous"
    kube_api.apply(*cluster_objects())
    run_watcher(kube_api)
    eventually(_filled)
    port, rv = kube_api.port, kube_api.resource_version
    kube_api.stop()
    eventually(lambda: models.SyncState.objects.filter(stale_since__isnull=False).exists())
    cluster = client.get("/api/v1/cluster").json()
    assert cluster["staleness"]["stale"] is True and cluster["staleness"]["stale_since"]
    assert cluster["staleness"]["last_sync_at"]
    time.sleep(0.5)  # retries keep failing meanwhile; still nothing is deleted
    assert len(_pods()) == 3 and models.Endpoint.objects.count() == 2

    restarted = KubeAPI(resources=RESOURCES, port=port, start_rv=rv + 500).start()
    try:
        changed = [o for o in cluster_objects() if o["metadata"]["name"] != "web-abc12-bbbbb"]
        restarted.apply(*changed, pod("shop", "new", ip="10.244.0.8"))
        restarted.apply(pod("shop", "web-abc12-aaaaa", "web-abc12", {"app": "web"}, "10.9.9.9"))
        eventually(
            lambda: set(_pods()) == {"shop/web-abc12-aaaaa", "shop/new", "kube-system/coredns-1"}
        )
        eventually(lambda: _pods()["shop/web-abc12-aaaaa"].ip == "10.9.9.9")
        eventually(lambda: not models.SyncState.objects.filter(stale_since__isnull=False).exists())
        cluster = client.get("/api/v1/cluster").json()
        assert (
            cluster["staleness"]["stale"] is False and cluster["staleness"]["stale_since"] is None
        )
    finally:
        restarted.stop()


def test_two_watchers_only_one_writes(kube_api, run_watcher):
    kube_api.apply(*cluster_objects())
    first = run_watcher(kube_api, "watcher-a")
    eventually(first.watcher.holding.is_set)
    second = run_watcher(kube_api, "watcher-b")
    eventually(_filled)
    time.sleep(1.0)  # several renew intervals: the standby must stay a standby
    assert not second.watcher.holding.is_set()
    assert models.WatcherLease.objects.get().holder == "watcher-a"
    watches = {q.get("resourceVersion") for path, q in kube_api.requests if q.get("watch")}
    assert watches  # only the holder watches: the standby does not even list

    first.stop()  # releases the lease: the standby takes over at once
    eventually(second.watcher.holding.is_set, timeout=15.0)
    kube_api.apply(pod("shop", "after", ip="10.244.0.10"))
    eventually(lambda: "shop/after" in _pods())
    assert models.WatcherLease.objects.get().holder == "watcher-b"


def test_the_cycle_leaves_a_watched_inventory_alone(kube_api, run_watcher, simulator_source, t0):
    from collectors import pipeline

    kube_api.apply(*cluster_objects())
    running = run_watcher(kube_api)
    eventually(_filled)
    running.stop()  # released just now: the handover grace still keeps the cycle out
    assert pipeline.run_cycle(t0, simulator_source, publish=False).status == "ok"
    assert set(_pods()) == {"shop/web-abc12-aaaaa", "shop/web-abc12-bbbbb", "kube-system/coredns-1"}
