"""Probes: `/healthz` says the process is alive, `/readyz` that its dependencies answer."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger("meshwatch.health")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: answers without touching anything else."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers a query and the channel layer takes a message."""
    checks = {"database": _check_database(), "channel_layer": _check_channel_layer()}
    ready = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - a probe reports every failure, it never raises
        log.warning("readyz: database: %s", exc)
        return f"error: {type(exc).__name__}"


def _check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        return "error: no channel layer configured"
    try:
        async_to_sync(layer.send)("meshwatch.readyz", {"type": "readyz.probe"})
        return "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("readyz: channel layer: %s", exc)
        return f"error: {type(exc).__name__}"
