"""The watch_cluster loop: hold the lease, run the informers, write their batches.

1. Wait for the lease (lease.py); a standby retries every renew interval.
2. Discover the served kinds; while the API cannot be reached, mark the stored kinds stale
   and retry with backoff. Nothing is deleted meanwhile.
3. Start one informer per served kind; their events come through one queue, so this single
   thread owns the mirror and the database connection.
4. Drain whatever arrived together, then flush it as one transaction (the lease renewed
   inside it); renew and record sync state every renew interval even when idle.
5. On stop (SIGTERM) or a lost lease: stop the informers, release the lease, return.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, close_old_connections, connection

from collectors.kube.client import Transport
from collectors.kube.discovery import ServedKind, discover
from collectors.kube.informer import Backoff, InformerConfig, QueueHandler, describe
from collectors.kube.kinds import ALL_KINDS, ResourceKind
from collectors.kube.runner import InformerSet
from webapp.inventory import lease, sync
from webapp.inventory.watch.writer import LeaseLost, Writer

log = logging.getLogger("meshwatch.watcher")

# Ingresses are listed by the collector but not stored yet: not watching them keeps the
# RBAC the README documents down to what the watcher uses.
WATCHED_KINDS: tuple[ResourceKind, ...] = tuple(k for k in ALL_KINDS if k.name != "ingresses")


class ClusterWatcher:
    """One watcher process's work; `run` returns when `stop` is set."""

    def __init__(
        self,
        transport: Transport,
        holder: str,
        *,
        config: InformerConfig | None = None,
        lease_ttl_s: float = 15.0,
        kinds: Iterable[ResourceKind] = WATCHED_KINDS,
        publish: Callable[[], None] | None = None,
    ) -> None:
        self.transport = transport
        self.holder = holder
        self.config = config or InformerConfig()
        self.lease_ttl_s = lease_ttl_s
        self.renew_s = max(0.2, lease_ttl_s / 3)
        self.kinds = tuple(kinds)
        self.publish = publish
        self.holding = threading.Event()  # set while this watcher holds the lease

    def run(self, stop: threading.Event) -> None:
        """Watch while holding the lease, stand by otherwise, until `stop`."""
        try:
            while not stop.is_set():
                if self._try(lambda: lease.acquire(self.holder, self.lease_ttl_s)):
                    self.holding.set()
                    log.info("watcher %s: holding the lease", self.holder)
                    try:
                        self._watch(stop)
                    finally:
                        self.holding.clear()
                        self._try(lambda: lease.release(self.holder))
                stop.wait(self.renew_s)
        finally:
            connection.close()  # this thread's connection; the process may live on

    def _try(self, action: Callable[[], Any]) -> Any:
        try:
            close_old_connections()
            return action()
        except DatabaseError as exc:
            log.warning("watcher %s: database: %s", self.holder, exc)
            return None

    def _watch(self, stop: threading.Event) -> None:
        served = self._discover(stop)
        if served is None:
            return
        events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        informers = InformerSet(self.transport, served, QueueHandler(events), self.config)
        writer = Writer([s.kind.name for s in served], self.holder, self.lease_ttl_s, self.publish)
        informers.start()
        try:
            self._loop(stop, events, informers, writer)
        except LeaseLost:
            log.warning("watcher %s: lost the lease; standing by", self.holder)
        finally:
            informers.stop()

    def _discover(self, stop: threading.Event) -> list[ServedKind] | None:
        backoff = Backoff(self.config)
        known = [k.name for k in self.kinds if not k.optional]
        while not stop.is_set():
            try:
                served = discover(self.transport, self.kinds)
                log.info("watcher: watching %s", ", ".join(s.kind.name for s in served))
                return served
            except Exception as exc:  # noqa: BLE001 - any failure: the API is unreachable
                log.warning("watcher: discovery failed: %s", describe(exc))
                error = describe(exc)
                self._try(lambda: sync.mark_stale(known, error))  # noqa: B023 - called at once
                if not self._try(lambda: lease.renew(self.holder, self.lease_ttl_s)):
                    return None
                stop.wait(backoff.next())
        return None

    def _loop(
        self,
        stop: threading.Event,
        events: queue.Queue[tuple[Any, ...]],
        informers: InformerSet,
        writer: Writer,
    ) -> None:
        last_flush = 0.0
        while not stop.is_set():
            got = _drain(events, writer, timeout=min(0.1, self.renew_s))
            due = time.monotonic() - last_flush >= self.renew_s
            if not (got or due or writer.status_changed):
                continue
            try:
                close_old_connections()
                writer.flush(informers.statuses())
                last_flush = time.monotonic()
            except DatabaseError as exc:
                # The database is away: keep the mirror, retry; the lease may expire meanwhile,
                # and then the next flush finds out (LeaseLost) rather than double-writing.
                log.warning("watcher: writing a batch failed: %s", exc)
                stop.wait(min(1.0, self.renew_s))


def _drain(events: queue.Queue[tuple[Any, ...]], writer: Writer, timeout: float) -> int:
    """Hand everything queued to the writer; block up to `timeout` for the first event."""
    taken = 0
    try:
        event = events.get(timeout=timeout)
    except queue.Empty:
        return 0
    while True:
        writer.take(event)
        taken += 1
        try:
            event = events.get_nowait()
        except queue.Empty:
            return taken
