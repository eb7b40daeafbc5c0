"""Through the real Redis channel layer: a worker's publish reaches a socket of another loop."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer
from django.db import connections

from collectors.pipeline import run_cycle
from tests.live.conftest import INTERVAL, by_id, edge, live, receive, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis,
              pytest.mark.usefixtures("anonymous")]
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_layer(settings):
    """channels_redis on a dedicated db, under a prefix of this test's own."""
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"mwtest-{uuid.uuid4().hex[:12]}"},
    }}


def _worker_cycle(at, source) -> str:
    """What a Celery worker does: its own thread, its own event loop, its own DB connection."""
    try:
        return run_cycle(at, source, interval_s=INTERVAL.total_seconds()).status
    finally:
        connections.close_all()


async def test_a_delta_published_by_a_worker_thread_arrives_through_redis(redis_layer, source,
                                                                          t0):
    assert await asyncio.to_thread(_worker_cycle, t0, source) == "ok"
    async with live() as ws:
        await subscribe(ws, {"window": "15s"})
        snapshot = await receive(ws)
        source.edges = (edge("web", "api"), edge("api", "db"))
        assert await asyncio.to_thread(_worker_cycle, t0 + INTERVAL, source) == "ok"
        delta = await receive(ws)
        assert delta["type"] == "delta" and delta["seq"] == snapshot["seq"] + 1
        assert "workload:shop/db" in by_id(delta["data"]["upsert"]["nodes"])
    await get_channel_layer().flush()
