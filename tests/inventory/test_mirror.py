"""The writer's mirror: what a batch marks dirty, and what a flush writes."""

from __future__ import annotations

import pytest

from collectors.kube.informer import InformerStatus
from collectors.kube.parse import parse_namespace, parse_pod
from webapp.inventory import lease
from webapp.inventory.models import Namespace, Pod, Workload
from webapp.inventory.watch.mirror import ALL, Mirror
from webapp.inventory.watch.writer import Writer

from .conftest import namespace, pod


def parsed_pod(ns: str, name: str, **kwargs):
    return parse_pod(pod(ns, name, **kwargs))


def test_a_batch_marks_its_namespaces_dirty():
    mirror = Mirror()
    mirror.dirty.clear()
    mirror.apply("pods", [parsed_pod("shop", "a")], ["bank/b"])
    assert mirror.dirty == {"pods": {"shop", "bank"}, "workloads": {"shop", "bank"}}
    mirror.apply("nodes", [], ["node-1"])
    assert mirror.dirty["nodes"] is ALL and mirror.dirty["facts"] is ALL


def test_a_new_namespace_rewrites_everything_in_it():
    mirror = Mirror()
    mirror.dirty.clear()
    mirror.apply("namespaces", [parse_namespace(namespace("shop"))], [])
    assert mirror.dirty["pods"] == {"shop"} and mirror.dirty["namespaces"] is ALL


@pytest.mark.django_db
def test_parts_wait_until_their_inputs_listed():
    assert lease.acquire("w", 60)
    writer = Writer(["namespaces", "pods", "replicasets", "jobs"], "w", 60)
    writer.take(("changes", "pods", [parsed_pod("shop", "a")], []))
    writer.take(("synced", "pods", InformerStatus("pods", synced=True)))
    writer.flush({})
    assert not Pod.objects.exists()  # replicasets and jobs have not listed yet
    for kind in ("replicasets", "jobs"):
        writer.take(("synced", kind, InformerStatus(kind, synced=True)))
    writer.flush({})
    assert [p.name for p in Pod.objects.all()] == ["a"]
    assert Namespace.objects.filter(name="shop").exists()  # adopted before it was listed
    assert Workload.objects.get().kind == "Pod"


@pytest.mark.django_db
def test_a_scoped_write_leaves_other_namespaces_alone():
    assert lease.acquire("w", 60)
    writer = Writer(["pods", "replicasets", "jobs"], "w", 60)
    for kind in ("pods", "replicasets", "jobs"):
        writer.take(("synced", kind, InformerStatus(kind, synced=True)))
    writer.take(("changes", "pods", [parsed_pod("shop", "a"), parsed_pod("bank", "b")], []))
    writer.flush({})
    Pod.objects.filter(name="b").update(ip="1.2.3.4")  # bank is not touched by the next batch
    writer.take(("changes", "pods", [parsed_pod("shop", "c")], ["shop/a"]))
    writer.flush({})
    assert sorted(Pod.objects.values_list("name", "ip")) == [("b", "1.2.3.4"), ("c", "10.0.0.1")]
