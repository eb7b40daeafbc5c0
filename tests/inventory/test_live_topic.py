"""The live `inventory` topic: snapshot items with ids, and a delta after a watcher batch."""

from __future__ import annotations

import pytest

from collectors.kube.informer import InformerStatus
from webapp.inventory import lease
from webapp.inventory.live import InventoryOptions, publish_inventory
from webapp.inventory.watch.writer import Writer
from webapp.live.broadcast import ensure_state
from webapp.live.models import TopicDelta
from webapp.live.topics import TOPICS

from .test_mirror import parsed_pod

pytestmark = pytest.mark.django_db


def test_params_are_checked():
    assert TOPICS["inventory"].parse({"namespaces": "shop,bank"}).namespaces == ("bank", "shop")
    with pytest.raises(ValueError, match="namespace"):
        TOPICS["inventory"].parse({"namespaces": "Bad_Name"})


def test_a_watcher_batch_publishes_a_delta(django_capture_on_commit_callbacks):
    topic = TOPICS["inventory"]
    state = ensure_state(topic, InventoryOptions(("shop",)))
    assert state.snapshot["pods"] == [] and state.snapshot["staleness"]["source"] == "cycle"
    assert lease.acquire("w", 60)
    writer = Writer(["pods", "replicasets", "jobs"], "w", 60, publish=publish_inventory)
    for kind in ("pods", "replicasets", "jobs"):
        writer.take(("synced", kind, InformerStatus(kind, synced=True)))
    writer.take(("changes", "pods", [parsed_pod("shop", "a"), parsed_pod("bank", "b")], []))
    with django_capture_on_commit_callbacks(execute=True):
        writer.flush({})
    delta = TopicDelta.objects.get(state=state)
    assert [item["id"] for item in delta.data["upsert"]["pods"]] == ["pod:shop/a"]
    assert delta.data["upsert"]["workloads"][0]["ready_pods"] == 1
