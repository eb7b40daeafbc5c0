"""meshwatch's settings unchanged, plus the bench URLs (the floor views on the same server)."""

from webapp.settings import *  # noqa: F403 - the real settings are the point

ROOT_URLCONF = "bench.server.urls"
