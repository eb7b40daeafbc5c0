"""Informers against a real HTTP API server (tests/support/kube_api.py) through the real
kubernetes client: pagination, watch, 410, 500, hung connections, restarts, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from collectors.kube.client import Timeouts, Transport, api_client_for_host
from collectors.kube.discovery import ServedKind, discover
from collectors.kube.informer import Informer, InformerHandler, InformerStatus
from collectors.kube.kinds import KINDS_BY_NAME, MESH_KINDS
from collectors.kube.runner import InformerSet
from tests.support.kube_api import CORE, KubeAPI, Resource

from .conftest import FAST, namespace, pod

PODS = ServedKind(KINDS_BY_NAME["pods"], "v1")


class Recorder(InformerHandler):
    """Keeps every callback, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changes: list[tuple[str, list[str], list[str]]] = []
        self.synced: list[InformerStatus] = []
        self.errors: list[tuple[BaseException, InformerStatus]] = []

    def on_changes(self, kind, upserts, deletes):
        with self.lock:
            self.changes.append((kind, [u.meta.key for u in upserts], list(deletes)))

    def on_synced(self, kind, status):
        with self.lock:
            self.synced.append(status)

    def on_error(self, kind, exc, status):
        with self.lock:
            self.errors.append((exc, status))


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> float:
    """Seconds until `check()` held; fails after `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(0.01)
    return time.monotonic() - start


@pytest.fixture
def run_informer(transport):
    started: list[Informer] = []

    def run(handler: InformerHandler, served: ServedKind = PODS, tr: Transport | None = None):
        informer = Informer(served, tr or transport, handler, FAST)
        informer.start()
        started.append(informer)
        return informer

    yield run
    for informer in started:
        informer.stop()


def test_paginated_initial_list_collects_everything(kube_api, run_informer):
    kube_api.apply(*[pod("shop", f"p{i}") for i in range(7)])
    rec = Recorder()
    informer = run_informer(rec)
    eventually(lambda: informer.status.synced)
    assert sorted(informer.snapshot()) == [f"shop/p{i}" for i in range(7)]
    lists = [q for path, q in kube_api.requests if path == "/api/v1/pods" and "watch" not in q]
    assert [q.get("limit") for q in lists] == ["2"] * 4  # 7 objects, pages of 2
    assert all("continue" in q for q in lists[1:])
    assert rec.changes[0][1] == [f"shop/p{i}" for i in range(7)]  # one batch for the list
    # The watch opens right after the list is synced; wait for it rather than race it.
    eventually(lambda: any(q.get("watch") == "true" for _, q in kube_api.requests))
    watch = next(q for path, q in kube_api.requests if q.get("watch") == "true")
    assert watch["resourceVersion"] == informer.status.resource_version
    assert watch["allowWatchBookmarks"] == "true"


def test_a_change_is_seen_within_a_second(kube_api, run_informer):
    kube_api.apply(pod("shop", "a"))
    rec = Recorder()
    informer = run_informer(rec)
    eventually(lambda: informer.status.synced)
    time.sleep(0.1)  # let the watch open
    kube_api.apply(pod("shop", "b", ip="10.0.0.9"))
    assert eventually(lambda: informer.get("shop/b") is not None, 1.0) < 1.0
    assert informer.get("shop/b").pod_ip == "10.0.0.9"
    kube_api.delete("v1", "Pod", "shop", "a")
    eventually(lambda: informer.get("shop/a") is None, 1.0)
    assert ("pods", [], ["shop/a"]) in rec.changes


def test_bookmarks_advance_the_resource_version(kube_api, run_informer):
    kube_api.apply(pod("shop", "a"))
    informer = run_informer(Recorder())
    eventually(lambda: informer.status.synced)
    kube_api.apply(namespace("elsewhere"))  # bumps the RV, but no pod event
    rv = str(kube_api.resource_version)
    eventually(lambda: informer.status.resource_version == rv, 10.0)


def test_410_relists_and_converges(kube_api, run_informer):
    kube_api.apply(pod("shop", "a"), pod("shop", "b"))
    rec = Recorder()
    informer = run_informer(rec)
    eventually(lambda: informer.status.synced)
    time.sleep(0.1)
    # While the history is lost, b disappears and c appears: only a relist can tell.
    kube_api.compact()
    kube_api.delete("v1", "Pod", "shop", "b")
    kube_api.apply(pod("shop", "c"))
    kube_api.compact()
    eventually(lambda: sorted(informer.snapshot()) == ["shop/a", "shop/c"])
    assert len(rec.synced) >= 2  # the initial list and at least one relist
    assert not rec.errors  # 410 is routine, not an error


def test_500_backs_off_and_recovers_without_losing_objects(kube_api, run_informer):
    kube_api.apply(pod("shop", "a"))
    kube_api.fail_next(3, what="list")
    rec = Recorder()
    informer = run_informer(rec)
    eventually(lambda: informer.status.synced)
    assert len(rec.errors) == 3 and all(s.stale for _, s in rec.errors)
    assert "HTTP 500" in rec.errors[0][1].last_error
    assert not informer.status.stale
    # A failing relist later deletes nothing.
    kube_api.fail_next(2, what="list")
    kube_api.compact()
    # The watch learns of the compaction when it next reconnects: allow for a loaded machine.
    eventually(lambda: len(rec.errors) >= 4, timeout=15.0)
    assert informer.get("shop/a") is not None
    eventually(lambda: not informer.status.stale)


def test_backoff_grows_between_retries(kube_api, run_informer):
    kube_api.fail_next(4, what="list")
    informer = run_informer(Recorder())
    eventually(lambda: informer.status.synced)
    # Backoff waits are 0.05, 0.1, 0.2, 0.3 s with up to 50% jitter: at least 0.6 s overall.
    lists = [
        t
        for t, (_, q) in zip(kube_api.request_times, kube_api.requests, strict=True)
        if "watch" not in q
    ]
    gaps = [b - a for a, b in zip(lists, lists[1:], strict=False)][:4]
    assert gaps[-1] > gaps[0] and sum(gaps) >= 0.6


def test_hung_connection_times_out_and_recovers(kube_api, run_informer):
    kube_api.apply(pod("shop", "a"))
    kube_api.hang_next(1, what="list")
    rec = Recorder()
    informer = run_informer(rec)
    eventually(lambda: informer.status.synced, 15.0)
    assert "Timeout" in rec.errors[0][1].last_error or "timed out" in rec.errors[0][1].last_error
    kube_api.hang_next(1, what="watch")
    kube_api.compact()  # the open watch ends with 410; after the relist the watch hangs
    eventually(lambda: len(rec.errors) >= 2, 4.0)  # the read timeout fired
    assert informer.status.stale
    kube_api.apply(pod("shop", "b"))
    eventually(lambda: informer.get("shop/b") is not None, 3.0)
    eventually(lambda: not informer.status.stale)


def test_server_killed_and_restarted_with_changed_objects():
    api = KubeAPI().start()
    port = api.port
    api.apply(pod("shop", "a"), pod("shop", "b"))
    transport = Transport(api_client_for_host(api.url), Timeouts(connect_s=0.5, read_s=1.0))
    rec = Recorder()
    informer = Informer(PODS, transport, rec, FAST)
    informer.start()
    try:
        eventually(lambda: informer.status.synced)
        last_good = informer.status.last_sync_at
        api.stop()  # mid-watch
        eventually(lambda: informer.status.stale, 15.0)
        assert sorted(informer.snapshot()) == ["shop/a", "shop/b"]  # nothing lost while down
        assert informer.status.last_sync_at >= last_good
        time.sleep(0.3)
        api = KubeAPI(port=port, start_rv=api.resource_version + 500).start()
        api.apply(pod("shop", "b", ip="10.9.9.9"), pod("shop", "c"))
        eventually(lambda: sorted(informer.snapshot()) == ["shop/b", "shop/c"], 5.0)
        assert informer.get("shop/b").pod_ip == "10.9.9.9"
        eventually(lambda: not informer.status.stale)
        assert rec.synced[-1].stale_since is None
    finally:
        informer.stop()
        api.stop()


def test_stop_returns_promptly_during_a_watch(kube_api, transport):
    informer = Informer(PODS, transport, Recorder(), FAST)
    informer.start()
    eventually(lambda: informer.status.synced)
    time.sleep(0.2)
    start = time.monotonic()
    assert informer.stop(timeout=2.0)
    assert time.monotonic() - start < 1.0


def test_stop_returns_promptly_during_backoff(kube_api, transport):
    kube_api.fail_next(100, what="list")
    informer = Informer(PODS, transport, Recorder(), FAST)
    informer.start()
    time.sleep(0.3)
    start = time.monotonic()
    assert informer.stop(timeout=2.0)
    assert time.monotonic() - start < 1.0


def test_discovery_starts_only_present_kinds(kube_api, transport):
    names = {s.kind.name for s in discover(transport)}
    assert "pods" in names and "endpointslices" in names
    assert not names & {k.name for k in MESH_KINDS}


def test_discovery_finds_mesh_crds_and_informer_set_syncs_them():
    crds = (
        Resource("security.istio.io", "v1", "peerauthentications", "PeerAuthentication"),
        Resource("policy.linkerd.io", "v1beta3", "servers", "Server"),
    )
    api = KubeAPI(resources=CORE + crds).start()
    try:
        api.apply(
            namespace("shop"),
            {
                "apiVersion": "security.istio.io/v1",
                "kind": "PeerAuthentication",
                "metadata": {"namespace": "istio-system", "name": "default"},
                "spec": {"mtls": {"mode": "STRICT"}},
            },
        )
        transport = Transport(api_client_for_host(api.url), Timeouts(0.5, 1.0))
        served = discover(transport)
        names = {s.kind.name for s in served}
        assert {"istio-peerauthentications", "linkerd-servers"} <= names
        assert "istio-destinationrules" not in names
        group = InformerSet(transport, served, Recorder(), FAST)
        group.start()
        try:
            assert group.wait_synced(5.0)
            pa = group.informers["istio-peerauthentications"].get("istio-system/default")
            assert pa.mode == "STRICT" and group.stale_kinds() == []
        finally:
            start = time.monotonic()
            assert group.stop(timeout=2.0)
            assert time.monotonic() - start < 2.0
    finally:
        api.stop()
