"""A small sliding-window limiter for login failures and token creations.

Events are rows of `RateLimitEvent` in the database, so every web replica sees the same
counts (Django's cache is per process unless configured otherwise, so it is not used). A key
is limited once it holds `limit` events within the last `window` seconds; it is free again
when enough of them have aged out, which is what Retry-After says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from webapp.accounts.models import RateLimitEvent

_MAX_KEY = 200


def key(kind: str, what: str, value: str) -> str:
    """A limiter key such as `login:address:10.0.0.7` or `login:user:alice` (bounded)."""
    return f"{kind}:{what}:{value}"[:_MAX_KEY]


def retry_after(keys: Iterable[str], *, limit: int | None = None,
                window_s: float | None = None, now: datetime | None = None) -> int | None:
    """Seconds until every key is under its limit again, or None when none is limited."""
    limit, window_s = _rate(limit, window_s)
    now = now or timezone.now()
    since = now - timedelta(seconds=window_s)
    wait = 0.0
    for name in set(keys):
        times = list(RateLimitEvent.objects.filter(key=name, at__gt=since)
                     .order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            # The limit-th newest event must age out before one more is allowed.
            wait = max(wait, (times[limit - 1] - since).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None


def hit(keys: Iterable[str], *, window_s: float | None = None,
        now: datetime | None = None) -> None:
    """Count one event under each key, and forget events older than the window."""
    _, window_s = _rate(None, window_s)
    now = now or timezone.now()
    RateLimitEvent.objects.bulk_create(RateLimitEvent(key=name, at=now) for name in set(keys))
    RateLimitEvent.objects.filter(at__lt=now - timedelta(seconds=window_s)).delete()


def _rate(limit: int | None, window_s: float | None) -> tuple[int, float]:
    default_limit, default_window = settings.MESHWATCH_AUTH_RATE_LIMIT
    return limit or default_limit, window_s or default_window
