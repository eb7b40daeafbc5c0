"""Several workers rolling up and pruning at once: no double count, no error (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection

from tests.traffic.test_rollups import BUCKET, M, _history, _totals
from webapp.traffic import rollups
from webapp.traffic.models import EdgeRollup, EdgeSample, RollupBucket
from webapp.traffic.queries import window_traffic

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    # SQLite serialises writers by design; the race these tests provoke needs real sessions.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgresql://...)")


def _in_threads(fns: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run each function in its own thread (own connection), all released at once."""
    barrier = threading.Barrier(len(fns))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(fn: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(fn())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_concurrent_roll_ups_neither_double_count_nor_fail(t0):
    _history(t0, 30)
    expected = _totals(window_traffic(t0 - 30 * M, t0))
    results, errors = _in_threads([lambda: rollups.roll_up(t0 + M, 15.0)] * 4)
    assert not errors and sum(results) == 6  # six buckets, each rolled by exactly one worker
    assert RollupBucket.objects.count() == 6 and EdgeRollup.objects.count() == 12
    results, errors = _in_threads(
        [lambda: rollups.apply_retention(t0 + 2 * M, interval_s=15.0, raw_retention_s=60)] * 4
    )
    assert not errors and sum(r.raw_pruned for r in results) == 6
    assert not EdgeSample.objects.exists()
    assert _totals(window_traffic(t0 - 30 * M, t0)) == expected


def test_a_worker_meeting_a_bucket_in_flight_waits_then_skips(t0, monkeypatch):
    """The deterministic race: A holds the claim uncommitted while B tries the same bucket."""
    _history(t0, 5)
    start = t0 - BUCKET
    inside, release = threading.Event(), threading.Event()
    summed = rollups.summed_edges

    def slow_in_a(rows, names):
        if threading.current_thread().name == "A":
            inside.set()
            release.wait(10)
        return summed(rows, names)

    monkeypatch.setattr(rollups, "summed_edges", slow_in_a)
    outcome: dict[str, object] = {}

    def roll(name: str) -> None:
        try:
            outcome[name] = rollups.roll_bucket(start)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcome[name] = exc
        finally:
            connection.close()

    a = threading.Thread(target=roll, args=("A",), name="A")
    a.start()
    assert inside.wait(10)
    b = threading.Thread(target=roll, args=("B",), name="B")
    b.start()
    time.sleep(0.5)
    assert b.is_alive()  # blocked on A's uncommitted claim, not failed, not double-writing
    release.set()
    a.join(10)
    b.join(10)
    assert outcome == {"A": True, "B": False}
    assert EdgeRollup.objects.filter(bucket__start=start).count() == 2


def test_pruning_raw_rows_twice_at_once_is_harmless(t0):
    _history(t0, 10)
    rollups.roll_up(t0 + M, 15.0)
    cutoff = t0 + timedelta(hours=1)
    results, errors = _in_threads([lambda: rollups.prune_raw(cutoff)] * 3)
    assert not errors and sum(results) == 2
    assert RollupBucket.objects.filter(raw_pruned=True).count() == 2
