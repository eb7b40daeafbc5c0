"""End to end: the simulator's cycles through the pipeline, the findings through REST."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.pipeline import backfill, run_cycle
from webapp.insights.models import CheckRun, Finding

pytestmark = pytest.mark.django_db(transaction=True)  # cycles publish on commit
STEP = timedelta(seconds=15)


def test_the_orphan_service_shows_up_through_the_api(simulator_source, t0, client, alice_token):
    for i in range(3):
        assert run_cycle(t0 + i * STEP, simulator_source, interval_s=15).status == "ok"
    response = client.get("/api/v1/insights", {"namespace": "shop"},
                          HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 200
    about = {(f["check"], f["subject"]["id"]): f for f in response.json()["results"]}
    orphan = about[("service_no_endpoints", "service:shop/recommendations")]
    # storefront sends it traffic (all 503), so no endpoints is critical
    assert orphan["severity"] == "critical"
    assert orphan["evidence"]["requests_in_window"] > 0
    assert "kubernetes.io/service-name=recommendations" in orphan["remedy"]["snippet"]
    assert ("service_selector_no_pods", "service:shop/recommendations") in about
    assert orphan["first_seen"] == t0.isoformat().replace("+00:00", "Z")
    assert orphan["last_seen"] == (t0 + 2 * STEP).isoformat().replace("+00:00", "Z")
    # every check ran, and none raised on the demo's cluster
    assert set(CheckRun.objects.values_list("status", flat=True)) == {"ok"}
    assert Finding.objects.filter(check_id="cluster_network", state="open").count() == 1


def test_a_failing_evaluation_does_not_fail_the_cycle(simulator_source, t0, monkeypatch):
    def broken(at, checks=None, window_s=None):
        raise RuntimeError("insights are down")

    monkeypatch.setattr("webapp.insights.services.evaluate", broken)
    assert run_cycle(t0, simulator_source, interval_s=15).status == "ok"
    assert not Finding.objects.exists()


def test_a_backfill_evaluates_once_for_its_newest_cycle(simulator_source, t0):
    results = backfill(60, interval_s=15, now=t0, source=simulator_source)
    assert [r.status for r in results] == ["ok"] * 4
    runs = set(CheckRun.objects.values_list("last_run_at", flat=True))
    assert runs == {max(r.at for r in results)}
    assert Finding.objects.filter(subject_id="service:shop/recommendations").exists()


def test_the_celery_task_reevaluates_a_cycle_without_changes(simulator_source, t0):
    from collectors.tasks import evaluate_insights

    assert run_cycle(t0, simulator_source, interval_s=15).status == "ok"
    before = list(Finding.objects.order_by("id").values())
    result = evaluate_insights.apply(args=[t0.timestamp()]).get()  # run here, eagerly
    assert result == {"status": "ok", "opened": 0, "resolved": 0, "failed_checks": []}
    assert list(Finding.objects.order_by("id").values()) == before
