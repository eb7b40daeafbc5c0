"""Which source a cycle reads: chosen from the environment, as DESIGN.md §3 says.

None configured: the simulator. The Prometheus and Kubernetes sources plug in here when their
issues land; everything downstream sees the same records whichever source it is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from django.conf import settings

from collectors.records import CycleRecords


class Source(Protocol):
    """Anything that can say what the cluster and its traffic looked like at a time."""

    name: str

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        """Records for the interval of `interval_s` seconds ending at `at`."""
        ...


log = logging.getLogger("meshwatch.sources")


class PrefetchedSource:
    """A source whose answers for some cycles were fetched ahead, in one go.

    Cycles it holds are served from memory; any other time, or a prefetch that failed, goes
    to the wrapped source as usual, so a backfill degrades to per-cycle queries, not to gaps.
    """

    def __init__(self, inner: Source, records: dict[datetime, CycleRecords]) -> None:
        self.inner = inner
        self.name = inner.name
        self.records = records

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        held = self.records.pop(at, None)
        return held if held is not None else self.inner.fetch(at, interval_s)


def prefetching(source: Source, times: Sequence[datetime], interval_s: float) -> Source:
    """`source`, with the cycles at `times` fetched ahead when it can answer ranges."""
    fetch_range = getattr(source, "fetch_range", None)
    if fetch_range is None or not times:
        return source
    try:
        return PrefetchedSource(source, fetch_range(times, interval_s))
    except Exception as exc:  # noqa: BLE001 - per-cycle fetches will report their own errors
        log.warning(
            "prefetching %d cycles from %s failed (%s); fetching one by one",
            len(times),
            source.name,
            exc,
        )
        return source


class SimulatorSource:
    """The built-in demo cluster (collectors/simulator/)."""

    name = "simulator"

    def __init__(self, seed: int) -> None:
        from collectors.simulator import Simulator

        self.simulator = Simulator(seed)

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        return self.simulator.records_at(at, interval_s)


def configured_source() -> Source:
    """The source the environment selects: Prometheus when PROMETHEUS_URL is set.

    With only PROMETHEUS_URL, the graph and a minimal inventory come from telemetry alone,
    as Kiali builds them.
    """
    if settings.PROMETHEUS_URL:
        from collectors.mesh import MeshTelemetrySource

        return MeshTelemetrySource(
            settings.PROMETHEUS_URL,
            dialect=settings.MESHWATCH_MESH,
            timeout_s=settings.MESHWATCH_PROMETHEUS_TIMEOUT_S,
            max_edges=settings.MESHWATCH_MAX_EDGES,
        )
    return SimulatorSource(settings.MESHWATCH_SIMULATOR_SEED)
