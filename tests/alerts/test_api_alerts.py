"""/api/v1/alerts, /api/v1/deliveries and /api/v1/silences: reading, filtering, retrying."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.alerts.api import call
from tests.alerts.conftest import FAULTY, Behaviour
from webapp.alerts import deliveries
from webapp.alerts.evaluation import evaluate_rules
from webapp.alerts.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def fired(source, cycles, make_rule, make_receiver, serve):
    down = serve(Behaviour(default="fail"))
    make_rule([make_receiver(down.url)], for_seconds=0)
    source.edges = FAULTY
    evaluate_rules(cycles(2))
    return down


def test_alerts_list_and_detail_with_history(client, alice_token, fired,
                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        listed = call(client, "get", "/api/v1/alerts?state=firing", alice_token).json()
    assert listed["count"] == 1
    (alert,) = listed["results"]
    assert alert["state"] == "firing" and alert["severity"] == "warning"
    assert alert["labels"]["destination_workload"] == "api"
    detail = call(client, "get", f"/api/v1/alerts/{alert['id']}", alice_token).json()
    assert [h["to_state"] for h in detail["history"]] == ["firing"]  # for 0: at once
    assert call(client, "get", "/api/v1/alerts?state=resolved", alice_token).json()[
        "results"] == []


def test_deliveries_show_every_attempt_and_dead_letters_can_be_retried(
        client, alice_token, fired, settings, django_capture_on_commit_callbacks):
    Delivery.objects.update(expires_at=timezone.now())  # too old for any retry
    deliveries.deliver_due()
    (dead,) = call(client, "get", "/api/v1/deliveries?status=dead", alice_token).json()["results"]
    assert dead["attempts"] == 1 and dead["attempt_log"][0]["status_code"] == 500
    assert dead["attempt_log"][0]["response_excerpt"] == "receiver is down"
    assert dead["payload"]["event"] == "firing"
    fired.server.behaviour.default = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"/api/v1/deliveries/{dead['id']}/retry", alice_token)
    assert response.status_code == 202
    assert Delivery.objects.get().status == "delivered"
    again = call(client, "post", f"/api/v1/deliveries/{dead['id']}/retry", alice_token)
    assert again.status_code == 409


def test_deliveries_list_costs_a_fixed_number_of_queries(client, alice_token, fired,
                                                         django_assert_max_num_queries):
    deliveries.deliver_due()
    with django_assert_max_num_queries(5):  # the page's COUNT is the fifth
        assert call(client, "get", "/api/v1/deliveries", alice_token).json()["count"] == 1


def test_silences_have_an_expiry(client, alice_token, t0):
    body = {"matchers": {"namespace": "shop"}, "starts_at": t0.isoformat(),
            "ends_at": (t0 + timedelta(hours=1)).isoformat(), "comment": "maintenance"}
    response = call(client, "post", "/api/v1/silences", alice_token, body)
    assert response.status_code == 201, response.json()
    bad = call(client, "post", "/api/v1/silences", alice_token,
               {**body, "ends_at": (t0 - timedelta(hours=1)).isoformat()})
    assert bad.status_code == 400 and "ends_at must be after" in bad.json()["detail"]
    assert call(client, "get", "/api/v1/silences?active=1", alice_token).json()["results"] == []
