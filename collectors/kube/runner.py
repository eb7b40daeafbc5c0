"""Running the informers of every served kind together, with one stop for all."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable
from types import FrameType

from .client import Transport
from .discovery import ServedKind
from .informer import Informer, InformerConfig, InformerHandler, InformerStatus


class InformerSet:
    """One informer per served kind, sharing a handler and a stop event."""

    def __init__(
        self,
        transport: Transport,
        kinds: Iterable[ServedKind],
        handler: InformerHandler | None = None,
        config: InformerConfig | None = None,
    ) -> None:
        self.stop_event = threading.Event()
        self.informers = {
            served.kind.name: Informer(served, transport, handler, config, self.stop_event)
            for served in kinds
        }

    def start(self) -> None:
        """Start every informer in its own thread."""
        for informer in self.informers.values():
            informer.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop all informers; True when every thread ended within `timeout` seconds."""
        self.stop_event.set()
        return all([informer.stop(timeout) for informer in self.informers.values()])

    def statuses(self) -> dict[str, InformerStatus]:
        """Kind → status."""
        return {name: informer.status for name, informer in self.informers.items()}

    def stale_kinds(self) -> list[str]:
        """The kinds whose store may be out of date right now."""
        return [name for name, status in self.statuses().items() if status.stale]

    def wait_synced(self, timeout: float) -> bool:
        """Block until every kind has completed a list, or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(status.synced for status in self.statuses().values()):
                return True
            time.sleep(0.02)
        return all(status.synced for status in self.statuses().values())


def stop_on_sigterm(stop_event: threading.Event) -> None:
    """Make SIGTERM (and SIGINT) set `stop_event`; call from the main thread.

    Signal handlers must not block, so this only sets the event: the main thread waits on
    it (`stop_event.wait()`) and then calls `InformerSet.stop()`, which also interrupts the
    open watches; informers already check the event between requests.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        stop_event.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
