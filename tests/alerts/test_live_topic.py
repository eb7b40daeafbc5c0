"""The live `alerts` topic: a snapshot of current alerts, then a delta after an evaluation."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.alerts.conftest import FAULTY
from tests.live.conftest import live, receive, subscribe
from webapp.alerts.services import run_after_cycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def open_mode(settings):
    settings.MESHWATCH_AUTH = "anonymous"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def test_a_firing_alert_arrives_as_a_delta(source, cycles, make_rule):
    await database_sync_to_async(make_rule)(for_seconds=0)
    await database_sync_to_async(cycles)(1)
    async with live() as ws:
        await subscribe(ws, {"state": "firing"}, topic="alerts")
        snapshot = await receive(ws)
        assert (snapshot["type"], snapshot["data"]["alerts"]) == ("snapshot", [])
        source.edges = FAULTY
        at = await database_sync_to_async(cycles)(1)
        await database_sync_to_async(run_after_cycle)(at)
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        (item,) = delta["data"]["upsert"]["alerts"]
        assert item["id"].startswith("alert:") and item["state"] == "firing"


async def test_a_bad_state_is_refused():
    async with live() as ws:
        await subscribe(ws, {"state": "exploded"}, topic="alerts")
        message = await receive(ws)
        assert message["type"] == "error" and "state must be among" in message["detail"]


def test_a_view_naming_namespaces_shows_only_their_alerts():
    from webapp.alerts.live import AlertsOptions

    options = AlertsOptions.from_params({"namespaces": "shop,bookinfo"})
    assert options.namespaces == ("bookinfo", "shop")
    assert AlertsOptions.from_params(options.as_params()) == options
    with pytest.raises(ValueError, match="namespace"):
        AlertsOptions.from_params({"namespaces": "Not A Namespace"})
