"""/api/v1/alert-rules: the fixed shape, validation with clear messages, personas."""

from __future__ import annotations

import pytest

from tests.alerts.api import call
from tests.conftest import grant_namespaces
from webapp.alerts.models import AlertRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(make_receiver):
    receiver = make_receiver("http://127.0.0.1:9/hook")
    return {"name": "ratings 5xx", "kind": "edge_error_ratio",
            "scope": {"namespaces": ["bookinfo"]}, "threshold": 0.1, "for_seconds": 30,
            "severity": "critical", "receivers": [receiver.pk]}


def test_it_creates_a_rule(client, alice_token, body):
    response = call(client, "post", "/api/v1/alert-rules", alice_token, body)
    assert response.status_code == 201, response.json()
    rule = response.json()
    assert {k: rule[k] for k in body} == body
    assert AlertRule.objects.get().created_by.username == "alice"


def test_a_viewer_may_write_too_but_anonymous_mode_may_not(client, bob, body, settings):
    from webapp.accounts.tokens import issue_token
    from webapp.alerts.models import Receiver

    team = grant_namespaces(bob, "bookinfo")
    Receiver.objects.filter(pk__in=body["receivers"]).update(team=team)  # bob's team's own
    token = issue_token(bob, scope="write")[1]
    assert call(client, "post", "/api/v1/alert-rules", token, body).status_code == 201
    settings.MESHWATCH_AUTH = "anonymous"
    response = call(client, "post", "/api/v1/alert-rules", None, {**body, "name": "x"})
    assert response.status_code == 401
    assert call(client, "get", "/api/v1/alert-rules").status_code == 200


@pytest.mark.parametrize("change, message", [
    ({"kind": "nope"}, "kind"),
    ({"scope": {"namespaces": ["Not_A_Namespace"]}}, "scope.namespaces"),
    ({"scope": {"pods": []}}, "scope is an object"),
    ({"annotations": {"summary": "bad $"}}, "annotation summary"),
    ({"receivers": [999]}, "receivers"),
    ({"severity": "page"}, "severity"),
])
def test_bad_rules_get_a_400_naming_the_field(client, alice_token, body, change, message):
    response = call(client, "post", "/api/v1/alert-rules", alice_token, {**body, **change})
    assert response.status_code == 400 and message in response.json()["detail"]


def test_it_updates_and_deletes(client, alice_token, body):
    rule = call(client, "post", "/api/v1/alert-rules", alice_token, body).json()
    path = f"/api/v1/alert-rules/{rule['id']}"
    assert call(client, "patch", path, alice_token, {"threshold": 0.2}).json()["threshold"] == 0.2
    assert call(client, "delete", path, alice_token).status_code == 204


def test_rules_filter_by_namespace_kind_and_order(client, alice_token):
    for name, namespace in (("b", "bookinfo"), ("a", "shop")):
        AlertRule.objects.create(name=name, kind="edge_error_ratio",
                                 scope={"namespaces": [namespace]})
    AlertRule.objects.create(name="c", kind="no_data", scope={})

    def names(query: str) -> list[str]:
        body = call(client, "get", f"/api/v1/alert-rules?{query}", alice_token).json()
        return [rule["name"] for rule in body["results"]]

    assert names("namespace=shop") == ["a"]
    assert names("kind=edge_error_ratio&ordering=name") == ["a", "b"]
    assert names("ordering=-name") == ["c", "b", "a"]
    bad = call(client, "get", "/api/v1/alert-rules?namespace=Not_A_NS", alice_token)
    assert bad.status_code == 400 and "Not_A_NS" in bad.json()["detail"]


def test_a_nul_in_json_fields_is_a_400_not_a_500(client, alice_token, body):
    response = call(client, "post", "/api/v1/alert-rules", alice_token,
                    {**body, "labels": {"team": "a\u0000b"}})
    assert response.status_code == 400 and "labels" in response.json()["errors"]
