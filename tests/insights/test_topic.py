"""The live insights topic: snapshot, a delta when a cycle opens or resolves a finding,
bad params, and namespace scoping for a limited viewer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from collectors.records import (
    ClusterFactsRecord,
    CycleRecords,
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    NamespaceRecord,
    ServiceRecord,
)
from tests.conftest import grant_namespaces
from tests.live.conftest import (  # noqa: F401 - fixtures used by name
    anonymous,
    cycle,
    live,
    login_mode,
    memory_layer,
    receive,
    subscribe,
)
from webapp.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db(transaction=True)
ORPHAN = "service_no_endpoints:"


@dataclass
class Cluster:
    """shop/cart and bank/vault; `cart_ready` says whether cart has a ready endpoint."""

    cart_ready: bool = False
    name: str = "scripted"
    facts: ClusterFactsRecord = field(
        default_factory=lambda: ClusterFactsRecord(cni="calico", kube_proxy_mode="ipvs")
    )

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        endpoints = (EndpointRecord(("10.0.0.5",), ready=True, pod="cart-1"),)
        slices = (
            EndpointSliceRecord(
                "shop", "cart-x", "cart", endpoints=endpoints if self.cart_ready else ()
            ),
        )
        inventory = Inventory(
            namespaces=(NamespaceRecord("shop"), NamespaceRecord("bank")),
            services=(
                ServiceRecord("shop", "cart", selector={"app": "cart"}),
                ServiceRecord("bank", "vault", selector={"app": "vault"}),
            ),
            endpoint_slices=slices,
            facts=self.facts,
        )
        return CycleRecords(at, self.name, inventory)


def _ids(items: list[dict]) -> set[str]:
    return {f"{i['check']}|{i['subject']['id']}" for i in items}


@pytest.mark.usefixtures("anonymous")
async def test_a_snapshot_then_a_delta_when_a_finding_resolves(cycle):  # noqa: F811
    cluster = Cluster()
    await cycle(cluster)
    async with live() as ws:
        await subscribe(ws, {"check": "service_no_endpoints"}, topic="insights")
        snapshot = await receive(ws)
        assert (snapshot["type"], snapshot["topic"]) == ("snapshot", "insights")
        assert _ids(snapshot["data"]["findings"]) == {
            "service_no_endpoints|service:shop/cart",
            "service_no_endpoints|service:bank/vault",
        }
        cart = next(f for f in snapshot["data"]["findings"] if f["subject"]["name"] == "cart")
        assert cart["state"] == "open" and cart["remedy"]["language"] == "shell"

        cluster.cart_ready = True
        await cycle(cluster)
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        assert delta["data"]["remove"]["findings"] == [cart["id"]]
        # vault is still open and otherwise unchanged: only the document's seen_at moves.
        assert not delta["data"].get("upsert", {}).get("findings"), delta["data"]
        assert delta["data"]["seen_at"] > snapshot["data"]["seen_at"]
        assert cart["last_seen"] is None  # it was seen by the latest evaluation


@pytest.mark.usefixtures("anonymous")
async def test_bad_insights_params_are_an_error():
    async with live() as ws:
        await subscribe(ws, {"severity": "apocalyptic"}, topic="insights")
        error = await receive(ws)
        assert error["type"] == "error" and "severity" in error["detail"]


def _viewer() -> str:
    carol = get_user_model().objects.create_user("carol")
    grant_namespaces(carol, "shop")
    return issue_token(carol)[1]


@pytest.mark.usefixtures("login_mode")
async def test_a_limited_viewer_must_name_its_namespaces_and_sees_only_them(cycle):  # noqa: F811
    await cycle(Cluster())
    token = await database_sync_to_async(_viewer)()
    async with live(query=f"token={token}") as ws:
        await subscribe(ws, {}, topic="insights")
        refused = await receive(ws)
        assert refused["type"] == "error" and "shop" in refused["detail"]
        await subscribe(ws, {"namespaces": "bank"}, topic="insights")
        assert (await receive(ws))["type"] == "error"
        await subscribe(ws, {"namespaces": "shop"}, topic="insights")
        snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot"
        findings = snapshot["data"]["findings"]
        assert {f["namespace"] for f in findings} == {"shop"}
        assert "cluster_network|cluster" not in _ids(findings)


def _edge_finding_from_bank(at) -> None:
    from tests.insights.helpers import scripted
    from webapp.insights.checks.base import Draft, Subject
    from webapp.insights.engine import evaluate

    src, dst = "workload:bank/teller", "workload:shop/cart"
    subject = Subject("edge", f"edge:{src}>{dst}", "shop", "bank/teller → shop/cart")
    found = Draft("gamma", "warning", subject, "bank/teller → shop/cart fails 9%", "")
    evaluate(at, [scripted("gamma", lambda ctx: [found])])


@pytest.mark.usefixtures("login_mode")
async def test_a_limited_socket_reads_other_namespaces_ends_as_external(cycle, t0):  # noqa: F811
    await database_sync_to_async(_edge_finding_from_bank)(t0)
    token = await database_sync_to_async(_viewer)()
    admin = await database_sync_to_async(
        lambda: issue_token(get_user_model().objects.create_superuser("root"))[1]
    )()
    params = {"namespaces": "shop", "check": "gamma"}
    async with live(query=f"token={token}") as ws:
        await subscribe(ws, params, topic="insights")
        (limited,) = (await receive(ws))["data"]["findings"]
    async with live(query=f"token={admin}") as ws:
        await subscribe(ws, params, topic="insights")  # the same view, shared
        (whole,) = (await receive(ws))["data"]["findings"]
    assert whole["subject"]["id"] == "edge:workload:bank/teller>workload:shop/cart"
    assert whole["title"] == "bank/teller → shop/cart fails 9%"
    source = limited["subject"]["id"].removeprefix("edge:").split(">")[0]
    assert source.startswith("external:") and "bank" not in str(limited), limited
    assert limited["title"] == f"{source} → shop/cart fails 9%"
