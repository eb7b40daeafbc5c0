"""Fixtures for the watcher: the test API server with mesh CRDs, a small cluster, a runner."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from collectors.kube.client import Timeouts, Transport, api_client_for_host
from collectors.kube.informer import InformerConfig
from tests.support.kube_api import CORE, KubeAPI, Resource

CRDS = (
    Resource("security.istio.io", "v1", "peerauthentications", "PeerAuthentication"),
    Resource("security.istio.io", "v1", "authorizationpolicies", "AuthorizationPolicy"),
    Resource("networking.istio.io", "v1", "destinationrules", "DestinationRule"),
)
RESOURCES = CORE + CRDS
FAST = InformerConfig(
    page_size=3,
    watch_timeout_s=2,
    watch_grace_s=0.5,
    backoff_initial_s=0.05,
    backoff_max_s=0.3,
    jitter=0.5,
)
LEASE_TTL_S = 1.5


def eventually(check: Callable[[], Any], timeout: float = 15.0) -> float:
    """Seconds until `check()` is truthy; fails after `timeout`."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(0.02)


def meta(name: str, ns: str = "", **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name, "uid": f"uid-{ns}-{name}", **extra}
    if ns:
        m["namespace"] = ns
    return m


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, labels=labels or {})}


def node(name: str, cidr: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(name, annotations={"flannel.alpha.coreos.com/backend-type": "vxlan"}),
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def pod(
    ns: str,
    name: str,
    owner: str = "",
    labels: dict[str, str] | None = None,
    ip: str = "10.0.0.1",
    ready: bool = True,
    sidecar: bool = False,
) -> dict[str, Any]:
    containers = [{"name": "app", "image": "app:1"}]
    if sidecar:
        containers.append({"name": "istio-proxy", "image": "istio/proxyv2:1.24"})
    owners = (
        [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": owner, "controller": True}]
        if owner
        else []
    )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(name, ns, labels=labels or {}, ownerReferences=owners),
        "spec": {"containers": containers, "nodeName": "node-1"},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def deployment(ns: str, name: str, labels: dict[str, str], replicas: int = 2) -> list[dict]:
    """A Deployment and its ReplicaSet `<name>-abc12`."""
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app"}]}}
    spec = {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template}
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, ns), "spec": spec},
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": meta(
                f"{name}-abc12",
                ns,
                ownerReferences=[
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": name,
                        "controller": True,
                    }
                ],
            ),
            "spec": spec,
        },
    ]


def service(ns: str, name: str, selector: dict[str, str], ip: str = "10.96.0.10") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, ns),
        "spec": {
            "clusterIP": ip,
            "clusterIPs": [ip],
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        },
    }


def endpoint_slice(ns: str, svc: str, pods: dict[str, tuple[str, bool]]) -> dict:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": meta(f"{svc}-x1", ns, labels={"kubernetes.io/service-name": svc}),
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": [ip],
                "conditions": {"ready": ready},
                "targetRef": {"kind": "Pod", "name": name, "namespace": ns},
                "nodeName": "node-1",
            }
            for name, (ip, ready) in sorted(pods.items())
        ],
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    }


def cluster_objects() -> list[dict[str, Any]]:
    """A small cluster: shop (Istio, PERMISSIVE, default-deny) and kube-system plumbing."""
    web = {"app": "web", "version": "v1"}
    return [
        namespace("shop", {"istio-injection": "enabled"}),
        namespace("kube-system"),
        node("node-1", "10.244.0.0/24"),
        *deployment("shop", "web", web),
        pod("shop", "web-abc12-aaaaa", "web-abc12", {**web, "pod-template-hash": "abc12"},
            "10.244.0.5", sidecar=True),
        pod("shop", "web-abc12-bbbbb", "web-abc12", {**web, "pod-template-hash": "abc12"},
            "10.244.0.6", ready=False, sidecar=True),
        service("shop", "web", {"app": "web"}),
        endpoint_slice("shop", "web", {"web-abc12-aaaaa": ("10.244.0.5", True),
                                       "web-abc12-bbbbb": ("10.244.0.6", False)}),
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("default-deny", "shop"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": meta("default", "shop"),
            "spec": {"mtls": {"mode": "PERMISSIVE"}},
        },
        service("kube-system", "kube-dns", {"k8s-app": "kube-dns"}, "10.96.0.10"),
        pod("kube-system", "coredns-1", "", {"k8s-app": "kube-dns"}, "10.244.0.2"),
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("kube-proxy", "kube-system"),
            "data": {"config.conf": "mode: ipvs\n"},
        },
    ]  # fmt: skip


@pytest.fixture
def kube_api() -> Iterator[KubeAPI]:
    api = KubeAPI(resources=RESOURCES, bookmark_interval_s=0.3).start()
    yield api
    api.stop()


def transport_for(api: KubeAPI) -> Transport:
    return Transport(api_client_for_host(api.url), Timeouts(connect_s=0.5, read_s=1.0))


class Running:
    """A ClusterWatcher in a thread; `stop` ends it and waits."""

    def __init__(self, watcher: Any) -> None:
        self.watcher = watcher
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=watcher.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the watcher did not stop"


@pytest.fixture
def run_watcher(transactional_db) -> Iterator[Callable[..., Running]]:
    from django.db import connection

    from webapp.inventory.watch.runner import ClusterWatcher

    if connection.vendor == "sqlite":
        # The SQLite test database is in memory with a shared cache, where a reader locks
        # whole tables against the watcher thread's writes; reading uncommitted rows takes
        # no such locks. (PostgreSQL needs nothing of the sort.)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")

    started: list[Running] = []

    def run(api: KubeAPI, holder: str = "watcher-a", **kwargs: Any) -> Running:
        kwargs.setdefault("config", FAST)
        kwargs.setdefault("lease_ttl_s", LEASE_TTL_S)
        running = Running(ClusterWatcher(transport_for(api), holder, **kwargs))
        started.append(running)
        return running

    yield run
    for running in started:
        if running.thread.is_alive():
            running.stop()
