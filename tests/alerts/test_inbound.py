"""POST /api/v1/alertmanager: reference payloads accepted, HA duplicates dropped, errors clear."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.alerts.api import call
from webapp.alerts.inbound import firing_inbound
from webapp.alerts.models import InboundAlert

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alertmanager"
GRAFANA = "webhook-v4.prometheus-msteams.grafana-inspired-payload.json"
OLDER = "webhook-v4.prometheus-msteams.prom_post_request.json"


def payload(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def post(client, token, body):
    return call(client, "post", "/api/v1/alertmanager", token, body)


@pytest.mark.parametrize("name, count", [(GRAFANA, 3), (OLDER, 1)])
def test_reference_payloads_are_accepted(client, alice_token, name, count):
    response = post(client, alice_token, payload(name))
    assert response.status_code == 200, response.json()
    assert response.json() == {"accepted": count, "duplicates": 0}
    assert len(firing_inbound()) == count
    listed = call(client, "get", "/api/v1/alertmanager", alice_token).json()
    assert {row["labels"]["alertname"] for row in listed} == {
        payload(name)["commonLabels"]["alertname"]}


def test_the_other_half_of_an_ha_pair_is_ignored(client, alice_token):
    post(client, alice_token, payload(GRAFANA))
    again = post(client, alice_token, payload(GRAFANA))
    assert again.json() == {"accepted": 0, "duplicates": 3}
    assert InboundAlert.objects.count() == 3


def test_a_resolve_takes_the_alert_off(client, alice_token):
    body = payload(GRAFANA)
    post(client, alice_token, body)
    body["status"] = "resolved"
    for alert in body["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2020-10-11T15:00:00Z"
    assert post(client, alice_token, body).json()["accepted"] == 3
    assert firing_inbound() == []


def test_a_bad_token_is_refused(client, db):
    assert post(client, "mw_nope_nope", payload(GRAFANA)).status_code == 401
    assert post(client, None, payload(GRAFANA)).status_code == 401


def test_a_session_is_not_enough(client, alice):
    client.force_login(alice)  # the endpoint is for Alertmanager: bearer tokens only
    assert post(client, None, payload(GRAFANA)).status_code == 401


@pytest.mark.parametrize("body, message", [
    ("{not json", "JSON parse error"),
    ("[]", "must be a JSON object"),
    ({"version": "3", "alerts": []}, '"version" must be "4"'),
    ({"version": "4"}, '"alerts" must be a list'),
    ({"version": "4", "alerts": [{"labels": {}}]}, "alerts[0].labels must name the alert"),
    ({"version": "4", "alerts": [{"labels": {"a": "b"}, "startsAt": "soon"}]},
     "alerts[0].startsAt is not an RFC 3339 time"),
    ({"version": "4", "alerts": [{"labels": {"a": "b"}, "status": "maybe"}]},
     'alerts[0].status must be "firing" or "resolved"'),
])
def test_a_malformed_body_gets_a_400_saying_what_is_wrong(client, alice_token, body, message):
    response = post(client, alice_token, body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not InboundAlert.objects.exists()
