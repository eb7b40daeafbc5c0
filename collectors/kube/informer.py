"""Informers with client-go's semantics, one per resource kind.

1. List all objects page by page (`limit`/`continue`); the list's resourceVersion is where
   the watch starts. The local store is replaced only once the whole list has arrived, and
   deletions are the store minus the new list: a failed list deletes nothing.
2. Watch from that resourceVersion with bookmarks. Events update the store and reach the
   handler in batches (what arrived together is delivered together).
3. A watch the server ends (timeoutSeconds) resumes from the last resourceVersion seen.
   410 Gone, as an ERROR event or an HTTP status, means our resourceVersion is too old:
   relist at once.
4. Any other failure (HTTP 5xx, refused or hung connection, a bad line) marks the kind
   stale, waits an exponential backoff with jitter, and retries; staleness clears when the
   server answers again.

Handlers are called from the informer's own thread; see QueueHandler for a thread-safe
hand-off to a single consumer.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from kubernetes.client.exceptions import ApiException

from .client import StreamedResponse, Transport
from .discovery import ServedKind
from .parse import ParseError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InformerConfig:
    """Tunables; the defaults suit a real cluster, tests shrink them."""

    page_size: int = 500
    watch_timeout_s: int = 300  # asked of the server; it then ends the watch cleanly
    watch_grace_s: float = 30.0  # a watch silent this much past its timeout is hung
    backoff_initial_s: float = 0.8
    backoff_max_s: float = 30.0
    backoff_factor: float = 2.0
    jitter: float = 1.0  # each wait is base * (1 + jitter * random())
    max_batch: int = 500


class Gone(Exception):
    """The server no longer has our resourceVersion (410): relist."""


class WatchEventError(Exception):
    """An ERROR event other than 410 on a watch stream."""

    def __init__(self, code: Any, message: str) -> None:
        super().__init__(f"watch error {code}: {message}")
        self.code = code


def describe(exc: BaseException) -> str:
    """A one-line account of a failure (ApiException's str spans headers and body)."""
    if isinstance(exc, ApiException):
        return f"HTTP {exc.status} {exc.reason}"
    return f"{type(exc).__name__}: {exc}"[:300]


class Backoff:
    """Exponential backoff with jitter, as client-go's wait.Backoff."""

    def __init__(self, config: InformerConfig, rng: random.Random | None = None) -> None:
        self._config = config
        self._rng = rng or random.Random()
        self._attempt = 0

    def next(self) -> float:
        """Seconds to wait before the next attempt."""
        c = self._config
        base = min(c.backoff_max_s, c.backoff_initial_s * c.backoff_factor**self._attempt)
        self._attempt += 1
        return min(c.backoff_max_s, base * (1 + c.jitter * self._rng.random()))

    def reset(self) -> None:
        """Start over after a success."""
        self._attempt = 0


@dataclass(frozen=True)
class InformerStatus:
    """How current one kind's store is; `stale_since` is set while the server fails."""

    kind: str
    synced: bool = False  # a full list has completed at least once
    last_sync_at: float | None = None  # last moment the store was known current (Unix s)
    stale_since: float | None = None
    last_error: str = ""
    resource_version: str = ""
    objects: int = 0

    @property
    def stale(self) -> bool:
        """True while the API server cannot be reached or keeps failing."""
        return self.stale_since is not None


class InformerHandler:
    """Callbacks of an informer; override what you need (all default to no-ops)."""

    def on_changes(self, kind: str, upserts: list[Any], deletes: list[str]) -> None:
        """Parsed objects added or changed, and store keys removed, in one batch."""

    def on_synced(self, kind: str, status: InformerStatus) -> None:
        """A relist completed, or the server answers again after a failure."""

    def on_error(self, kind: str, exc: BaseException, status: InformerStatus) -> None:
        """A request failed; the store is kept and `status.stale` is now true."""

    def on_invalid(self, kind: str, error: ParseError) -> None:
        """An object that could not be parsed was skipped."""
        log.warning("%s", error)


class QueueHandler(InformerHandler):
    """Puts every callback on one queue as (callback name, kind, *arguments) tuples, so a
    single consumer (the watcher's writer) sees all kinds in order without locks."""

    def __init__(self, events: queue.Queue[tuple[Any, ...]] | None = None) -> None:
        self.events: queue.Queue[tuple[Any, ...]] = events or queue.Queue()

    def on_changes(self, kind: str, upserts: list[Any], deletes: list[str]) -> None:
        self.events.put(("changes", kind, upserts, deletes))

    def on_synced(self, kind: str, status: InformerStatus) -> None:
        self.events.put(("synced", kind, status))

    def on_error(self, kind: str, exc: BaseException, status: InformerStatus) -> None:
        self.events.put(("error", kind, exc, status))


class Informer:
    """List+watch of one kind into a local store (key → parsed object)."""

    def __init__(
        self,
        served: ServedKind,
        transport: Transport,
        handler: InformerHandler | None = None,
        config: InformerConfig | None = None,
        stop_event: threading.Event | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = served.kind.name
        self._path = served.path
        self._parse = served.kind.parser
        self._transport = transport
        self._handler = handler or InformerHandler()
        self._config = config or InformerConfig()
        self._stop = stop_event or threading.Event()
        self._clock = clock
        self._backoff = Backoff(self._config)
        self._lock = threading.Lock()
        self._store: dict[str, Any] = {}
        self._status = InformerStatus(kind=self.name)
        self._response: StreamedResponse | None = None
        self._thread: threading.Thread | None = None

    # --- reading the store ---------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """A copy of the store."""
        with self._lock:
            return dict(self._store)

    def get(self, key: str) -> Any:
        """The object stored under `namespace/name` (or `name`), or None."""
        with self._lock:
            return self._store.get(key)

    @property
    def status(self) -> InformerStatus:
        """The current staleness and sync state."""
        with self._lock:
            return replace(self._status, objects=len(self._store))

    # --- running -------------------------------------------------------------------

    def start(self) -> threading.Thread:
        """Run in a daemon thread (it dies with the process if a read is stuck)."""
        self._thread = threading.Thread(target=self.run, name=f"informer-{self.name}", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the loop to stop, interrupt an open watch, and wait; True if it ended."""
        self._stop.set()
        with self._lock:
            response = self._response
        if response is not None:
            response.shutdown()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def run(self) -> None:
        """The list+watch loop; returns when the stop event is set."""
        need_list = True
        while not self._stop.is_set():
            try:
                if need_list:
                    self._relist()
                    need_list = False
                self._watch()
            except Gone:
                need_list = True  # relist at once, as client-go does
            except Exception as exc:  # noqa: BLE001 - every failure is retried
                if self._stop.is_set():
                    break
                self._failed(exc)
                self._stop.wait(self._backoff.next())

    # --- list --------------------------------------------------------------------------

    def _relist(self) -> None:
        items: dict[str, Any] = {}
        token, version = "", ""
        while True:
            query: list[tuple[str, Any]] = [("limit", self._config.page_size)]
            if token:
                query.append(("continue", token))
            body = self._call(partial(self._transport.get_json, self._path, query))
            for raw in body.get("items") or []:
                parsed = self._parsed(raw)
                if parsed is not None:
                    items[parsed.meta.key] = parsed
            meta = body.get("metadata") or {}
            version, token = str(meta.get("resourceVersion") or ""), meta.get("continue") or ""
            if not token or self._stop.is_set():
                break
        if not self._stop.is_set():
            self._replace(items, version)

    def _replace(self, items: dict[str, Any], version: str) -> None:
        with self._lock:
            old = self._store
            upserts = [
                obj
                for key, obj in items.items()
                if key not in old or old[key].meta.resource_version != obj.meta.resource_version
            ]
            deletes = [key for key in old if key not in items]
            self._store = items
            self._status = replace(
                self._status,
                synced=True,
                last_sync_at=self._clock(),
                stale_since=None,
                last_error="",
                resource_version=version,
            )
        self._backoff.reset()
        if upserts or deletes:
            self._handler.on_changes(self.name, upserts, deletes)
        self._handler.on_synced(self.name, self.status)

    # --- watch -------------------------------------------------------------------------

    def _watch(self) -> None:
        query: list[tuple[str, Any]] = [
            ("watch", "true"),
            ("resourceVersion", self._status.resource_version),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", self._config.watch_timeout_s),
        ]
        read_s = self._config.watch_timeout_s + self._config.watch_grace_s
        response = self._call(lambda: self._transport.stream(self._path, query, read_s))
        with self._lock:
            self._response = response
        try:
            if not self._stop.is_set():
                self._connected()
                self._consume(response)
        finally:
            with self._lock:
                self._response = None
            response.close()

    def _consume(self, response: StreamedResponse) -> None:
        batch: dict[str, Any] = {}  # key → object, or None when deleted
        try:
            for line, more in response.lines():
                self._apply(json.loads(line), batch)
                if not more or len(batch) >= self._config.max_batch:
                    self._flush(batch)
                if self._stop.is_set():
                    return
        finally:
            self._flush(batch)  # what was applied to the store is always reported

    def _apply(self, event: dict[str, Any], batch: dict[str, Any]) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            code, message = obj.get("code"), str(obj.get("message", ""))[:500]
            if code == 410:
                raise Gone(message)
            raise WatchEventError(code, message)
        version = str((obj.get("metadata") or {}).get("resourceVersion") or "")
        if kind in ("ADDED", "MODIFIED", "DELETED"):
            parsed = self._parsed(obj)
            if parsed is not None:
                key = parsed.meta.key
                with self._lock:
                    if kind == "DELETED":
                        self._store.pop(key, None)
                    else:
                        self._store[key] = parsed
                batch[key] = None if kind == "DELETED" else parsed
        with self._lock:
            self._status = replace(
                self._status,
                last_sync_at=self._clock(),
                resource_version=version or self._status.resource_version,
            )

    def _flush(self, batch: dict[str, Any]) -> None:
        if not batch:
            return
        upserts = [obj for obj in batch.values() if obj is not None]
        deletes = [key for key, obj in batch.items() if obj is None]
        batch.clear()
        self._handler.on_changes(self.name, upserts, deletes)

    # --- health ------------------------------------------------------------------------

    def _call(self, request: Callable[[], Any]) -> Any:
        try:
            return request()
        except ApiException as exc:
            if exc.status == 410:
                raise Gone(str(exc.reason)) from exc
            raise

    def _parsed(self, raw: Any) -> Any:
        parsed = self._parse(raw)
        if isinstance(parsed, ParseError):
            self._handler.on_invalid(self.name, parsed)
            return None
        return parsed

    def _connected(self) -> None:
        with self._lock:
            was_stale = self._status.stale
            self._status = replace(
                self._status, last_sync_at=self._clock(), stale_since=None, last_error=""
            )
        self._backoff.reset()
        if was_stale:
            self._handler.on_synced(self.name, self.status)

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._status = replace(
                self._status,
                stale_since=self._status.stale_since or self._clock(),
                last_error=describe(exc),
            )
        log.info("informer %s: %s", self.name, describe(exc))
        self._handler.on_error(self.name, exc, self.status)
