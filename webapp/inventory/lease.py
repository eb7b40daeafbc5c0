"""The watcher's lease: one row per lease name, taken and renewed with conditional updates.

Why the database and not Redis: the lease guards writes to the database, so it lives in the
same transactions as those writes. Every batch the watcher writes first renews the lease in
the batch's own transaction (`renew`, a conditional UPDATE on holder and expiry); a watcher
that lost the lease (paused past the expiry while another took over) renews nothing, rolls
back and writes nothing: the lease fences writes, not only start-up. On PostgreSQL the
UPDATE also locks the row until commit, so two writers' batches cannot interleave. It works
the same on SQLite (the demo) and needs nothing but the database the watcher writes anyway.

1. `acquire`: one UPDATE … WHERE name = N AND (holder = me OR expires_at < now); when no
   row exists yet, an INSERT, whose unique name lets only one of two racing watchers win.
2. `renew` every few seconds, and inside every batch's transaction.
3. `release` on a clean stop, so a standby takes over at once instead of after the TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from webapp.inventory.models import WatcherLease

INVENTORY = "inventory"


def acquire(holder: str, ttl_s: float, name: str = INVENTORY) -> bool:
    """Take or keep the lease for `ttl_s` seconds; True when `holder` now holds it."""
    now = timezone.now()
    taken = (
        WatcherLease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=now + timedelta(seconds=ttl_s), acquired_at=now)
    )
    if taken:
        return True
    if WatcherLease.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            WatcherLease.objects.create(
                name=name,
                holder=holder,
                expires_at=now + timedelta(seconds=ttl_s),
                acquired_at=now,
            )
    except IntegrityError:
        return False  # another watcher inserted it first
    return True


def renew(holder: str, ttl_s: float, name: str = INVENTORY) -> bool:
    """Extend a lease `holder` still holds; False when it expired or another took it."""
    now = timezone.now()
    return bool(
        WatcherLease.objects.filter(name=name, holder=holder, expires_at__gte=now).update(
            expires_at=now + timedelta(seconds=ttl_s)
        )
    )


def release(holder: str, name: str = INVENTORY) -> None:
    """Give the lease up now (only if `holder` still has it)."""
    WatcherLease.objects.filter(name=name, holder=holder).update(expires_at=timezone.now())


def current(name: str = INVENTORY) -> WatcherLease | None:
    """The lease row, held or not."""
    return WatcherLease.objects.filter(name=name).first()


def watcher_owns_inventory(now: datetime | None = None) -> bool:
    """Whether a watcher holds the lease, or held it within MESHWATCH_WATCH_HANDOVER.

    The grace keeps a watcher's restart (or a short outage of it) from letting the next
    collection cycle replace the cluster's inventory with telemetry's guesses.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.MESHWATCH_WATCH_HANDOVER_S)
    return WatcherLease.objects.filter(name=INVENTORY, expires_at__gte=now - grace).exists()
