"""Receivers and silences belong to a team or are global (admins only), and a viewer's
silence mutes only alerts of the namespaces it may see.

Personas: alice (admin), bob (team granted bookinfo), carol (team granted shop), dave (in
no team).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from tests.alerts.api import call
from tests.conftest import grant_namespaces
from webapp.accounts.tokens import issue_token
from webapp.alerts.models import Receiver, Silence

pytestmark = pytest.mark.django_db
HOOK = {"name": "ops", "kind": "webhook", "url": "http://127.0.0.1:9/hook",
        "secret": "s3cret-for-tests-0123456789"}


@pytest.fixture
def people(alice, bob):
    users = get_user_model().objects
    carol = users.create_user("carol", password="carol-password-1")
    dave = users.create_user("dave", password="dave-password-1")
    teams = {"bob": grant_namespaces(bob, "bookinfo"), "carol": grant_namespaces(carol, "shop")}
    tokens = {name: issue_token(user)[1]
              for name, user in (("alice", alice), ("bob", bob), ("carol", carol),
                                 ("dave", dave))}
    return tokens, teams


def _names(client, path: str, token: str) -> set[str]:
    body = call(client, "get", path, token).json()
    return {row.get("name") or row.get("comment") for row in body["results"]}


def test_a_viewers_receiver_belongs_to_its_team(client, people):
    tokens, teams = people
    created = call(client, "post", "/api/v1/receivers", tokens["bob"], HOOK)
    assert created.status_code == 201, created.json()
    assert created.json()["team"] == teams["bob"].name
    assert Receiver.objects.get().team == teams["bob"]
    assert _names(client, "/api/v1/receivers", tokens["alice"]) == {"ops"}
    assert _names(client, "/api/v1/receivers", tokens["carol"]) == set()
    rid = created.json()["id"]
    assert call(client, "get", f"/api/v1/receivers/{rid}", tokens["carol"]).status_code == 404
    assert call(client, "delete", f"/api/v1/receivers/{rid}", tokens["carol"]).status_code == 404


def test_global_receivers_are_for_admins_only(client, people):
    tokens, _teams = people
    created = call(client, "post", "/api/v1/receivers", tokens["alice"], HOOK).json()
    assert created["team"] is None
    assert _names(client, "/api/v1/receivers", tokens["bob"]) == set()
    rule = {"name": "r", "kind": "edge_error_ratio", "scope": {"namespaces": ["bookinfo"]},
            "receivers": [created["id"]]}
    refused = call(client, "post", "/api/v1/alert-rules", tokens["bob"], rule)
    assert refused.status_code == 400 and "receivers" in refused.json()["errors"]


def test_nobody_creates_for_another_team(client, people):
    tokens, teams = people
    response = call(client, "post", "/api/v1/receivers", tokens["bob"],
                    {**HOOK, "team": teams["carol"].name})
    assert response.status_code == 403 and teams["carol"].name in response.json()["detail"]
    mine = call(client, "post", "/api/v1/receivers", tokens["bob"], HOOK).json()
    moved = call(client, "patch", f"/api/v1/receivers/{mine['id']}", tokens["bob"],
                 {"team": teams["carol"].name})
    assert moved.status_code == 403
    assert Receiver.objects.get().team == teams["bob"]


def test_a_user_in_no_team_is_told_so(client, people):
    tokens, _teams = people
    response = call(client, "post", "/api/v1/receivers", tokens["dave"], HOOK)
    assert response.status_code == 400 and "no team" in response.json()["detail"]


def _silence(t0, **extra) -> dict:
    return {"matchers": {"alertname": "x"}, "starts_at": t0.isoformat(),
            "ends_at": (t0 + timedelta(hours=1)).isoformat(), "comment": "quiet", **extra}


def test_a_viewers_silence_mutes_only_its_namespaces(client, people, t0):
    tokens, teams = people
    created = call(client, "post", "/api/v1/silences", tokens["bob"], _silence(t0))
    assert created.status_code == 201, created.json()
    assert created.json()["namespaces"] == ["bookinfo"]
    assert created.json()["team"] == teams["bob"].name
    silence = Silence.objects.get()
    at = t0 + timedelta(minutes=5)
    assert silence.matches(1, {"alertname": "x", "namespace": "bookinfo"}, at)
    assert not silence.matches(1, {"alertname": "x", "namespace": "shop"}, at)
    assert not silence.matches(1, {"alertname": "x", "source_namespace": "bookinfo",
                                   "destination_namespace": "shop"}, at)
    assert not silence.matches(1, {"alertname": "x"}, at)  # cluster-wide: not bob's to mute


def test_a_viewer_cannot_silence_other_namespaces(client, people, t0):
    tokens, _teams = people
    response = call(client, "post", "/api/v1/silences", tokens["bob"],
                    _silence(t0, namespaces=["shop"]))
    assert response.status_code == 403 and "shop" in response.json()["detail"]
    assert not Silence.objects.exists()


def test_silences_are_seen_by_their_team_and_admins(client, people, t0):
    tokens, _teams = people
    call(client, "post", "/api/v1/silences", tokens["bob"], _silence(t0, comment="bob's"))
    call(client, "post", "/api/v1/silences", tokens["alice"], _silence(t0, comment="global"))
    assert _names(client, "/api/v1/silences", tokens["alice"]) == {"bob's", "global"}
    assert _names(client, "/api/v1/silences", tokens["bob"]) == {"bob's"}
    assert _names(client, "/api/v1/silences", tokens["carol"]) == set()
    everywhere = Silence.objects.get(comment="global")
    assert everywhere.team is None and everywhere.namespaces == []
    assert everywhere.matches(1, {"alertname": "x"}, t0 + timedelta(minutes=1))
