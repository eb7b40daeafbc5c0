"""Writing what the mirror marked dirty: one transaction per batch, fenced by the lease."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.db import transaction

from collectors.kube.informer import InformerStatus
from collectors.records import Inventory
from webapp.inventory import lease, sync
from webapp.inventory.services import Scope, write_inventory
from webapp.inventory.watch.mirror import ALL, NAMESPACED_PARTS, PART_INPUTS, Mirror

log = logging.getLogger("meshwatch.watcher")


class LeaseLost(Exception):
    """Another watcher holds the lease now: stop writing."""


class Writer:
    """Applies informer events to the mirror and flushes dirty parts to the database."""

    def __init__(
        self,
        served: Collection[str],
        holder: str,
        lease_ttl_s: float,
        publish: Callable[[], None] | None = None,
    ) -> None:
        self.mirror = Mirror()
        self.served = set(served)
        self.holder = holder
        self.lease_ttl_s = lease_ttl_s
        self.publish = publish
        self.status_changed = True  # write the sync state on the first flush
        # Kinds whose list completed, as the queue says: an informer marks itself synced
        # just before it queues the list's changes, so its status alone could let a flush
        # write a part before its objects arrived (and delete every row of it).
        self.synced: set[str] = set()

    def take(self, event: tuple[Any, ...]) -> None:
        """One QueueHandler event: ("changes", kind, upserts, deletes) or a status change."""
        if event[0] == "changes":
            _, kind, upserts, deletes = event
            self.mirror.apply(kind, upserts, deletes)
        else:
            if event[0] == "synced":
                self.synced.add(event[1])
            self.status_changed = True

    def ready_parts(self) -> list[str]:
        """Dirty parts whose served inputs have all completed a list."""
        return [
            part
            for part in self.mirror.dirty
            if all(kind in self.synced for kind in PART_INPUTS[part] if kind in self.served)
        ]

    @property
    def pending(self) -> bool:
        """Whether anything waits to be written."""
        return bool(self.mirror.dirty) or self.status_changed

    def flush(self, statuses: Mapping[str, InformerStatus]) -> int:
        """Write the ready parts and the sync state in one transaction; rows changed.

        1. Renew the lease inside the transaction; lost: roll back, raise LeaseLost.
        2. Replace each ready part in its dirty namespaces (everywhere when ALL).
        3. Record the informers' statuses; after commit, publish the inventory topic.
        Dirty marks are cleared only after the commit: a failed write is retried whole.
        """
        ready = self.ready_parts()
        with transaction.atomic():
            if not lease.renew(self.holder, self.lease_ttl_s):
                raise LeaseLost(self.holder)
            changed = write_inventory(*self._inventory(ready), source="watcher") if ready else 0
            sync.record_statuses(statuses.values())
            if changed and self.publish is not None:
                transaction.on_commit(self.publish)
        for part in ready:
            del self.mirror.dirty[part]
        self.status_changed = False
        if changed:
            log.debug("watcher: %d rows changed (%s)", changed, ", ".join(ready))
        return changed

    def _inventory(self, ready: list[str]) -> tuple[Inventory, Scope]:
        dirty = {part: self.mirror.dirty[part] for part in ready}
        namespaced = {p: d for p, d in dirty.items() if p in NAMESPACED_PARTS}
        union: set[str] | None = set()
        for namespaces in namespaced.values():
            union = ALL if namespaces is ALL or union is ALL else union | namespaces
        inventory = self.mirror.inventory(union) if namespaced else Inventory()
        inventory = dataclasses.replace(
            inventory,
            namespaces=self.mirror.namespace_records(),
            facts=self.mirror.facts() if "facts" in dirty else None,
        )
        scope = Scope(
            parts={p: None if d is ALL else frozenset(d) for p, d in namespaced.items()},
            namespaces="namespaces" in dirty,
            nodes="nodes" in dirty,
            facts="facts" in dirty,
            adopt=True,
        )
        return inventory, scope
