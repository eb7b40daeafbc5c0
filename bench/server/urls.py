"""meshwatch's URLs, plus the floor of `GET /api/v1/graph`: the same bytes, precomputed.

The floor lives under /api/ so the same middleware stack runs for both (the login
middleware leaves /api/ to per-request authentication); it does no authentication, no
database read and no build: what is left is the server, Django and the bytes on the wire.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

GRAPH_BYTES_ENV = "MESHWATCH_BENCH_GRAPH_BYTES"


@cache
def _graph_bytes() -> bytes:
    return Path(os.environ[GRAPH_BYTES_ENV]).read_bytes()


def graph_bytes(request: HttpRequest) -> HttpResponse:
    """The graph's JSON exactly as the real endpoint answered it, read once and kept."""
    return HttpResponse(_graph_bytes(), content_type="application/json")


urlpatterns = [
    path("api/v1/bench/graph-bytes", graph_bytes),
    path("", include("webapp.urls")),
]
