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

from collectors.sources import Source, configured_source, prefetching
from webapp.dns.services import store_dns
from webapp.inventory.services import apply_inventory
from webapp.logs import cycle_context
from webapp.traffic.models import Backfill, Cycle
from webapp.traffic.services import store_samples

log = logging.getLogger("meshwatch.pipeline")
# A cycle still `running` this many intervals after it started is taken for dead.
_RUNNING_FOR_INTERVALS = 3
BACKFILL_PROGRESS_EVERY = 20  # cycles between progress writes
BACKFILL_CHUNK = 120  # cycles per range query: 30 minutes at 15 s, well under Prometheus' limits


@dataclass(frozen=True)
class CycleResult:
    """What a cycle did: `status` is ok, failed or skipped.

    Skipped: another worker had claimed it, or the pile-up guard stopped it (`error` says why,
    and its Cycle row has status `skipped`).
    """

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
    scheduled: bool | None = None,
) -> CycleResult:
    """Run the cycle for `at` (default: the current grid point) once, whoever asks first.

    `scheduled` (default: when `at` is not given) says a scheduler runs the current cycle,
    not a replay or a backfill, so the pile-up guard applies.
    1. A scheduled cycle is skipped, and recorded as such, when the previous one is still
       running or when it starts more than one interval after its `at` (see `_pile_up`).
    2. Claim the cycle by inserting its row; a second claimant for the same `at` skips.
    3. Fetch the source's records for the interval ending at `at`.
    4. Store inventory and samples in one transaction; a failure rolls all of it back and
       marks the cycle failed with its cause, and the next cycle runs as usual.
    5. After commit, publish to live subscribers.
    """
    interval = interval_s or settings.MESHWATCH_INTERVAL_S
    if scheduled is None:
        scheduled = at is None
    # One instant for both: a grid point taken from `now` is never "late" by `now`, however
    # close to the next grid point the worker picked the task up.
    now = datetime.now(UTC)
    at = at or aligned(now, interval)
    with cycle_context(at):  # every line logged on the cycle's behalf names it
        source = source or configured_source()
        reason = _pile_up(at, interval, now) if scheduled else ""
        if reason:
            return _skip(at, interval, source.name, reason)
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


def _pile_up(at: datetime, interval: float, now: datetime) -> str:
    """Why a scheduled cycle for `at` must not run now, or "" when it may.

    Running it anyway would stack cycles on a database or Prometheus that is already slower
    than the interval, and each stacked cycle would slow the others down further.
    """
    if now > at + timedelta(seconds=interval):
        return f"started {(now - at).total_seconds():.0f}s after its time, over one interval"
    window = timedelta(seconds=_RUNNING_FOR_INTERVALS * interval)
    # Older `at`s only (a backfill's are, but they fall outside the window), and a row
    # younger than the window: a worker that died mid-cycle must not block the rest forever.
    running = Cycle.objects.filter(
        status=Cycle.Status.RUNNING, at__lt=at, at__gte=at - window, started_at__gte=now - window
    ).exists()
    return "the previous cycle is still running" if running else ""


def _skip(at: datetime, interval: float, source: str, reason: str) -> CycleResult:
    """Record `at` as a skipped cycle (a gap that /metrics counts) and say so."""
    log.warning("cycle %s skipped: %s", at.isoformat(), reason)
    try:
        with transaction.atomic():
            Cycle.objects.create(
                at=at,
                interval_s=interval,
                source=source,
                status=Cycle.Status.SKIPPED,
                error=reason,
                duration_ms=0.0,
            )
    except IntegrityError:
        pass  # another worker claimed `at` meanwhile; its row tells what happened
    return CycleResult(at, "skipped", error=reason)


def _fetch_and_store(cycle: Cycle, source: Source, interval: float, publish: bool) -> int:
    records = source.fetch(cycle.at, interval)
    with transaction.atomic():
        apply_inventory(records.inventory)
        written = store_samples(cycle, records.edges)
        store_dns(cycle, records.dns)
        Cycle.objects.filter(pk=cycle.pk).update(
            status=Cycle.Status.OK, edges=written, gaps=list(records.gaps)
        )
        if publish:
            transaction.on_commit(lambda: _publish(cycle.at))
    return written


def _publish(at: datetime) -> None:
    from webapp.alerts.services import after_cycle
    from webapp.insights.services import after_cycle as evaluate_insights
    from webapp.live.broadcast import publish_cycle

    # Insights first: the insights topic and alerts' insight_severity rule read its findings.
    # Inline (a few ms per cycle); it logs its own failures and never raises.
    evaluate_insights(at)
    try:
        publish_cycle(at)
    except Exception:  # noqa: BLE001 - the data is stored; viewers catch up on resubscribe
        log.exception("publishing cycle %s failed", at.isoformat())
    # Alert rules judge the stored cycle: a Celery task with REDIS_URL, else right here.
    try:
        after_cycle(at)
    except Exception:  # noqa: BLE001 - alerting trouble must not fail the cycle
        log.exception("alert evaluation after cycle %s failed", at.isoformat())


def backfill(
    duration_s: float,
    interval_s: float | None = None,
    now: datetime | None = None,
    source: Source | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CycleResult]:
    """Run the cycles of the last `duration_s` seconds that are not stored yet, oldest first.

    Nothing is published: viewers get the history through their first snapshot. `progress`
    is called with (done, total) after every cycle. A source that can answer many cycles at
    once (Prometheus range queries) is asked a chunk at a time; each cycle still claims,
    stores and fails on its own, as a live one does.
    """
    interval = interval_s or settings.MESHWATCH_INTERVAL_S
    end = aligned(now or datetime.now(UTC), interval)
    steps = int(duration_s // interval)
    source = source or configured_source()
    times = [end - timedelta(seconds=interval * i) for i in range(steps, 0, -1)]
    stored = set(Cycle.objects.filter(at__in=times).values_list("at", flat=True))
    missing = [at for at in times if at not in stored]
    results: list[CycleResult] = []
    if not missing:
        return results
    run = Backfill.objects.create(source=source.name, total=len(missing))
    try:
        for chunk_start in range(0, len(missing), BACKFILL_CHUNK):
            chunk = missing[chunk_start : chunk_start + BACKFILL_CHUNK]
            chunk_source = prefetching(source, chunk, interval)
            for at in chunk:
                results.append(run_cycle(at, chunk_source, publish=False, interval_s=interval))
                if progress:
                    progress(len(results), len(missing))
                if len(results) % BACKFILL_PROGRESS_EVERY == 0:
                    _record_progress(run, results)
    finally:
        _record_progress(run, results, finished=True)
    _evaluate_newest(results)
    log.info(
        "backfill from %s: %d cycles, %d failed",
        source.name,
        len(results),
        sum(1 for r in results if r.status == "failed"),
    )
    return results


def _evaluate_newest(results: list[CycleResult]) -> None:
    """Judge the insights once for the newest backfilled cycle (backfills publish nothing)."""
    from webapp.insights.services import after_cycle as evaluate_insights

    newest = max((r.at for r in results if r.status == "ok"), default=None)
    if newest is not None:
        evaluate_insights(newest)


def _record_progress(run: Backfill, results: list[CycleResult], finished: bool = False) -> None:
    """Write how far the backfill got, for /api/v1/status, the pages and other processes."""
    Backfill.objects.filter(pk=run.pk).update(
        done=len(results),
        failed=sum(1 for r in results if r.status == "failed"),
        updated_at=datetime.now(UTC),
        finished_at=datetime.now(UTC) if finished else None,
    )
