"""Applying a listing upserts what is listed and deletes what is gone."""

import pytest

from collectors.records import (
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServicePort,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.inventory.models import Namespace, Pod, Service, Workload
from webapp.inventory.queries import current_inventory
from webapp.inventory.services import apply_inventory

pytestmark = pytest.mark.django_db


def _inventory(version: str = "v1", with_db: bool = True) -> Inventory:
    workloads = [WorkloadRecord("shop", "web", app="web", version=version, mesh="istio")]
    if with_db:
        workloads.append(WorkloadRecord("shop", "db", kind="StatefulSet", app="db"))
    return Inventory(
        namespaces=(NamespaceRecord("shop", {"istio-injection": "enabled"}, "istio"),),
        workloads=tuple(workloads),
        services=(
            ServiceRecord(
                "shop", "web", selector={"app": "web"}, ports=(ServicePort(80, name="http"),)
            ),
        ),
        pods=(
            PodRecord(
                "shop",
                "web-1",
                workload="web",
                ip="10.0.0.1",
                sidecar="istio",
                search=("shop.svc.cluster.local",),
            ),
        ),
    )


def test_apply_then_read_back_is_the_same_inventory():
    apply_inventory(_inventory())
    assert current_inventory() == _inventory()


def test_changes_update_in_place_and_missing_rows_go():
    apply_inventory(_inventory())
    web_pk = Workload.objects.get(name="web").pk
    apply_inventory(_inventory(version="v2", with_db=False))
    web = Workload.objects.get(name="web")
    assert web.pk == web_pk and web.version == "v2"
    assert not Workload.objects.filter(name="db").exists()


def test_a_namespace_that_disappears_takes_its_objects_along():
    apply_inventory(_inventory())
    apply_inventory(Inventory())
    assert not Namespace.objects.exists()
    assert not (Workload.objects.exists() or Service.objects.exists() or Pod.objects.exists())


def test_objects_of_unlisted_namespaces_are_ignored():
    inventory = Inventory(workloads=(WorkloadRecord("ghost", "w"),))
    apply_inventory(inventory)
    assert not Workload.objects.exists()


def test_reading_costs_a_fixed_number_of_queries(django_assert_num_queries):
    apply_inventory(_inventory())
    with django_assert_num_queries(10):
        current_inventory()


def test_names_longer_than_their_columns_are_cut_but_stay_distinct():
    huge_a, huge_b = "a" * 1_000_000, "a" * 999_999 + "b"
    inventory = Inventory(
        namespaces=(NamespaceRecord("shop"), NamespaceRecord("N" * 300)),
        workloads=(WorkloadRecord("shop", huge_a, kind="K" * 100), WorkloadRecord("shop", huge_b)),
    )
    apply_inventory(inventory)
    names = sorted(Workload.objects.values_list("name", flat=True))
    assert len(names) == 2 and names[0] != names[1]
    assert all(len(name) == 253 for name in names)
    assert list(Namespace.objects.values_list("name", flat=True)) == ["shop"]


def test_every_part_round_trips_and_a_second_apply_changes_nothing():
    from webapp.inventory.models import Endpoint, Node
    from webapp.inventory.services import Scope, write_inventory

    from .test_api import _inventory as full_inventory

    inventory = full_inventory()
    apply_inventory(inventory)
    assert current_inventory() == inventory
    assert Endpoint.objects.count() == 2 and Node.objects.count() == 1
    assert write_inventory(inventory, Scope.everything(), source="cycle") == 0


def test_a_listing_without_facts_or_nodes_removes_them():
    from webapp.inventory.models import ClusterFacts, Node

    from .test_api import _inventory as full_inventory

    apply_inventory(full_inventory())
    apply_inventory(_inventory())
    assert not ClusterFacts.objects.exists() and not Node.objects.exists()
