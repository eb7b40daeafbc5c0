"""One collection cycle: fetch → store (one transaction) → after commit, publish.

Celery beat runs it in production (collectors/tasks.py), the demo's in-process scheduler runs
the same function, and so do `manage.py collect` and the tests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from collectors.sources import Source, configured_source
from webapp.inventory.services import apply_inventory
from webapp.traffic.models import Cycle
from webapp.traffic.services import store_samples

log = logging.getLogger("meshwatch.pipeline")


@dataclass(frozen=True)
class CycleResult:
    """What a cycle did: `status` is ok, failed or skipped (another worker had claimed it)."""

    at: datetime
    status: str
    edges: int = 0
    duration_ms: float = 0.0
    error: str = ""


def aligned(now: datetime, interval_s: float) -> datetime:
    """`now` rounded down to the interval grid, so every worker names a cycle the same way."""
    step = int(interval_s * 1000)
    millis = int(now.timestamp() * 1000) // step * step
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def run_cycle(
    at: datetime | None = None,
    source: Source | None = None,
    *,
    publish: bool = True,
    interval_s: float | None = None,
) -> CycleResult:
    """Run the cycle for `at` (default: the current grid point) once, whoever asks first.

    1. Claim the cycle by inserting its row; a second claimant for the same `at` skips.
    2. Fetch the source's records for the interval ending at `at`.
    3. Store inventory and samples in one transaction; a failure rolls all of it back and
       marks the cycle failed with its cause, and the next cycle runs as usual.
    4. After commit, publish to live subscribers.
    """
    interval = interval_s or settings.MESHWATCH_INTERVAL_S
    at = at or aligned(datetime.now(UTC), interval)
    source = source or configured_source()
    try:
        with transaction.atomic():  # a savepoint, so a lost claim leaves callers' work intact
            cycle = Cycle.objects.create(at=at, interval_s=interval, source=source.name)
    except IntegrityError:
        return CycleResult(at, "skipped")
    started = time.perf_counter()
    try:
        edges = _fetch_and_store(cycle, source, interval, publish)
    except Exception as exc:  # noqa: BLE001 - any failure of one cycle must not stop the next
        elapsed = (time.perf_counter() - started) * 1000
        log.exception("cycle %s from %s failed", at.isoformat(), source.name)
        Cycle.objects.filter(pk=cycle.pk).update(
            status=Cycle.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            duration_ms=elapsed,
        )
        return CycleResult(at, "failed", 0, elapsed, str(exc))
    elapsed = (time.perf_counter() - started) * 1000
    Cycle.objects.filter(pk=cycle.pk).update(duration_ms=elapsed)
    # Backfilled cycles are logged quietly: an hour of history is 240 of them.
    log.log(
        logging.INFO if publish else logging.DEBUG,
        "cycle %s: %d edges in %.0f ms",
        at.isoformat(),
        edges,
        elapsed,
    )
    return CycleResult(at, "ok", edges, elapsed)


def _fetch_and_store(cycle: Cycle, source: Source, interval: float, publish: bool) -> int:
    records = source.fetch(cycle.at, interval)
    with transaction.atomic():
        apply_inventory(records.inventory)
        written = store_samples(cycle, records.edges)
        Cycle.objects.filter(pk=cycle.pk).update(
            status=Cycle.Status.OK, edges=written, gaps=list(records.gaps)
        )
        if publish:
            transaction.on_commit(lambda: _publish(cycle.at))
    return written


def _publish(at: datetime) -> None:
    from webapp.live.broadcast import publish_cycle

    try:
        publish_cycle(at)
    except Exception:  # noqa: BLE001 - the data is stored; viewers catch up on resubscribe
        log.exception("publishing cycle %s failed", at.isoformat())


def backfill(
    duration_s: float,
    interval_s: float | None = None,
    now: datetime | None = None,
    source: Source | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CycleResult]:
    """Run the cycles of the last `duration_s` seconds that are not stored yet, oldest first.

    Nothing is published: viewers get the history through their first snapshot. `progress`
    is called with (done, total) after every cycle.
    """
    interval = interval_s or settings.MESHWATCH_INTERVAL_S
    end = aligned(now or datetime.now(UTC), interval)
    steps = int(duration_s // interval)
    source = source or configured_source()
    times = [end - timedelta(seconds=interval * i) for i in range(steps, 0, -1)]
    stored = set(Cycle.objects.filter(at__in=times).values_list("at", flat=True))
    missing = [at for at in times if at not in stored]
    results = []
    for done, at in enumerate(missing, start=1):
        results.append(run_cycle(at, source, publish=False, interval_s=interval))
        if progress:
            progress(done, len(missing))
    return results
