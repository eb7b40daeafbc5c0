"""Two workers judging the same cycle at once: row locks let one write, the other no-ops."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.insights.helpers import draft, scripted
from webapp.insights.engine import Report, evaluate
from webapp.insights.models import CheckRun, Finding

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_at_once_open_each_finding_once(t0):
    if connection.vendor != "postgresql":
        pytest.fail("run this suite on PostgreSQL (DATABASE_URL): it needs row locks")
    barrier = threading.Barrier(2)

    def produce(ctx):
        barrier.wait(timeout=10)  # both workers have built their context before either writes
        return [draft("race", f"svc-{i}") for i in range(50)]

    check = scripted("race", produce)
    reports: list[Report] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            reports.append(evaluate(t0, [check]))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(r.opened for r in reports) == [0, 50]
    assert Finding.objects.filter(state="open").count() == 50
    assert CheckRun.objects.get(check_id="race").finding_count == 50
