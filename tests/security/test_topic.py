"""The live mtls topic: a snapshot, then a delta per cycle keyed by namespace and mismatch id."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.live.conftest import (  # noqa: F401 - fixtures used by name
    anonymous,
    cycle,
    live,
    memory_layer,
    receive,
    subscribe,
)
from tests.security.conftest import peer_authentication

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("anonymous")]


async def test_a_snapshot_then_a_delta(shop, cycle):  # noqa: F811
    await cycle(shop)
    async with live() as ws:
        await subscribe(ws, {"window": "1m"}, topic="mtls")
        snapshot = await receive(ws)
        assert (snapshot["type"], snapshot["topic"]) == ("snapshot", "mtls")
        data = snapshot["data"]
        assert [n["id"] for n in data["namespaces"]] == ["shop"]
        assert [m["id"] for m in data["mismatches"]] == ["missing_sidecar:shop"]

        # The namespace turns STRICT while legacy still sends plaintext.
        await cycle(replace(shop, policies=(peer_authentication("STRICT"),)))
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        upsert = delta["data"]["upsert"]
        assert [n["id"] for n in upsert["namespaces"]] == ["shop"]
        intended = upsert["namespaces"][0]["intended"]
        assert intended["modes"] == {"STRICT": 3, "NONE": 1} and intended["mode"] == "STRICT"
        assert intended["policies"] == ["PeerAuthentication shop/default"]
        assert [m["id"] for m in upsert["mismatches"]] == ["plaintext_to_strict:workload:shop/api"]


async def test_bad_mtls_params_are_an_error():
    async with live() as ws:
        await subscribe(ws, {"window": "nope"}, topic="mtls")
        error = await receive(ws)
        assert error["type"] == "error" and "window" in error["detail"]
