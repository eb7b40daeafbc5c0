"""The database lease: one holder at a time, expiry, release, and fenced batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from webapp.inventory import lease
from webapp.inventory.models import WatcherLease
from webapp.inventory.watch.writer import LeaseLost, Writer

pytestmark = pytest.mark.django_db


def test_only_one_holder_until_it_expires():
    assert lease.acquire("a", 10)
    assert not lease.acquire("b", 10)
    assert lease.acquire("a", 10)  # renewing by taking again is fine
    WatcherLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert lease.acquire("b", 10)
    assert not lease.renew("a", 10) and lease.renew("b", 10)


def test_release_lets_a_standby_in_at_once():
    assert lease.acquire("a", 60)
    lease.release("a")
    assert lease.acquire("b", 60)
    lease.release("a")  # no longer the holder: nothing happens
    assert WatcherLease.objects.get().holder == "b"


def test_a_writer_that_lost_the_lease_writes_nothing():
    from collectors.kube.informer import InformerStatus

    from .test_mirror import parsed_pod

    assert lease.acquire("a", 60)
    writer = Writer(["pods", "replicasets", "jobs"], "a", 60)
    for kind in ("pods", "replicasets", "jobs"):
        writer.take(("synced", kind, InformerStatus(kind, synced=True)))
    writer.take(("changes", "pods", [parsed_pod("shop", "web-1")], []))
    WatcherLease.objects.update(holder="b")  # another watcher took over meanwhile
    with pytest.raises(LeaseLost):
        writer.flush({})
    from webapp.inventory.models import Pod

    assert not Pod.objects.exists()


def test_the_watcher_owns_the_inventory_for_the_handover_grace(settings):
    settings.MESHWATCH_WATCH_HANDOVER_S = 60
    assert not lease.watcher_owns_inventory()
    lease.acquire("a", 10)
    lease.release("a")
    assert lease.watcher_owns_inventory()
    later = timezone.now() + timedelta(seconds=61)
    assert not lease.watcher_owns_inventory(later)
