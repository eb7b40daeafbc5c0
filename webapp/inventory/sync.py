"""How current the stored inventory is: per-kind sync state, and the staleness summary.

The watcher writes a `SyncState` row per informer (its last good sync, since when it has
been failing, the last error). The summary adds the lease: a watcher that died cannot say
that it is stale, so an expired lease makes the inventory stale from the lease's expiry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from collectors.kube.informer import InformerStatus
from webapp.inventory import lease
from webapp.inventory.models import SyncState


def _when(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, tz=UTC) if ts is not None else None


def record_statuses(statuses: Iterable[InformerStatus]) -> None:
    """Store each informer's status (only rows that changed are written)."""
    stored = {row.kind: row for row in SyncState.objects.all()}
    for status in statuses:
        values = dict(
            synced=status.synced or bool(stored.get(status.kind) and stored[status.kind].synced),
            last_sync_at=_when(status.last_sync_at) or _stored_sync(stored.get(status.kind)),
            stale_since=_when(status.stale_since),
            last_error=status.last_error[:500],
            object_count=status.objects,
        )
        row = stored.get(status.kind)
        if row is None:
            SyncState.objects.create(kind=status.kind, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            SyncState.objects.filter(pk=row.pk).update(**values, updated_at=timezone.now())


def _stored_sync(row: SyncState | None) -> datetime | None:
    # A restarted watcher has no sync of its own yet; the last one stored still stands.
    return row.last_sync_at if row is not None else None


def mark_stale(kinds: Iterable[str], error: str, now: datetime | None = None) -> None:
    """Mark `kinds` stale (keeping an earlier `stale_since`): the API cannot be read at all."""
    now = now or timezone.now()
    for kind in kinds:
        row, _ = SyncState.objects.get_or_create(kind=kind)
        row.stale_since = row.stale_since or now
        row.last_error = error[:500]
        row.save(update_fields=["stale_since", "last_error", "updated_at"])


@dataclass(frozen=True)
class Staleness:
    """Whether the stored inventory may be out of date, and since when.

    `source` is "watcher" once a watcher has written sync state, else "cycle" (the
    inventory comes with each collection cycle and is as current as the last one).
    `last_sync_at` is the oldest of the kinds' last good syncs: up to then, every kind is
    known to be current.
    """

    source: str
    stale: bool
    stale_since: datetime | None
    last_sync_at: datetime | None
    watcher: dict[str, object] | None = None
    kinds: list[dict[str, object]] = field(default_factory=list)


def staleness(now: datetime | None = None) -> Staleness:
    """The staleness summary of the inventory, for /api/v1/cluster and the inventory topic."""
    now = now or timezone.now()
    states = list(SyncState.objects.order_by("kind"))
    if not states:
        return Staleness("cycle", False, None, None)
    row = lease.current()
    alive = row is not None and row.expires_at >= now
    since = [s.stale_since for s in states if s.stale_since is not None]
    if not alive and row is not None:
        since.append(row.expires_at)
    synced = [s.last_sync_at for s in states if s.last_sync_at is not None]
    return Staleness(
        source="watcher",
        stale=bool(since),
        stale_since=min(since) if since else None,
        last_sync_at=min(synced) if len(synced) == len(states) else None,
        watcher=None
        if row is None
        else {"holder": row.holder, "expires_at": row.expires_at, "alive": alive},
        kinds=[
            {
                "kind": s.kind,
                "synced": s.synced,
                "last_sync_at": s.last_sync_at,
                "stale_since": s.stale_since,
                "last_error": s.last_error,
                "objects": s.object_count,
            }
            for s in states
        ],
    )
