"""The audit log: who did what, from where; never a secret; read-only; for admins."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from tests.conftest import grant_namespaces
from webapp.accounts.models import AuditEvent, NamespaceGrant, Team
from webapp.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_logins_are_audited_by_username_only(alice):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/login/", {"username": "alice", "password": "not-her-password-123"})
    client.post("/login/", {"username": "alice", "password": "alice-password-1"})
    failure = AuditEvent.objects.get(action="login.failure")
    assert failure.detail == {"username": "alice"} and failure.client_address == "198.51.100.7"
    success = AuditEvent.objects.get(action="login.success")
    assert success.user == alice and success.username == "alice"
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "not-her-password-123" not in everything and "alice-password-1" not in everything


def test_token_creation_use_and_revocation_leave_no_secret(alice, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(alice)
    created = client.post("/api/v1/tokens", {"name": "ci", "scope": "write"},
                          content_type="application/json").json()
    raw = created["token"]
    Client().get("/api/v1/status", **_bearer(raw))
    Client().get("/api/v1/graph", **_bearer(raw + "x"))  # a bad one is logged as refused
    assert Client().delete(f"/api/v1/tokens/{created['id']}", **_bearer(raw)).status_code == 204
    assert Client().get("/api/v1/status", **_bearer(raw)).status_code == 401
    events = AuditEvent.objects.filter(action__startswith="token.")
    assert [e.action for e in events.order_by("id")] == ["token.create", "token.revoke"]
    revoke = events.get(action="token.revoke")
    assert revoke.token_id == created["id"] and revoke.username == "alice"
    assert revoke.detail["prefix"] == created["prefix"]
    secret = raw.split("_", 2)[2]
    rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert secret not in rows and secret not in caplog.text
    from webapp.accounts.tokens import digest

    assert digest(raw) not in rows


def test_team_and_grant_changes_are_audited(alice, bob):
    team = grant_namespaces(bob, "bookinfo", team="viewers")
    grant = NamespaceGrant.objects.get(team=team)
    grant.namespace = "shop"
    grant.save()
    grant.save()  # no change: no row
    team.members.remove(bob)
    grant.delete()
    team.delete()
    assert _actions() == ["team.create", "team.member_add", "grant.create", "grant.change",
                          "team.member_remove", "grant.delete", "team.delete"]
    change = AuditEvent.objects.get(action="grant.change")
    assert change.detail["fields"] == ["namespace"]


def test_alert_configuration_changes_are_audited_with_their_caller(alice, alice_token):
    client = Client(REMOTE_ADDR="198.51.100.7")
    receiver = client.post("/api/v1/receivers", {
        "name": "pager", "url": "https://hooks.example.org/very-secret-path",
        "secret": "receiver-secret-0123456789"}, content_type="application/json",
        **_bearer(alice_token))
    assert receiver.status_code == 201, receiver.content
    rule = client.post("/api/v1/alert-rules", {"name": "r", "kind": "edge_error_ratio",
                                              "threshold": 0.1},
                       content_type="application/json", **_bearer(alice_token)).json()
    client.patch(f"/api/v1/alert-rules/{rule['id']}", {"threshold": 0.2},
                 content_type="application/json", **_bearer(alice_token))
    client.delete(f"/api/v1/alert-rules/{rule['id']}", **_bearer(alice_token))
    actions = [a for a in _actions() if a.startswith(("receiver.", "alert_rule."))]
    assert actions == ["receiver.create", "alert_rule.create", "alert_rule.change",
                       "alert_rule.delete"]
    change = AuditEvent.objects.get(action="alert_rule.change")
    assert change.username == "alice" and change.token_id is not None
    assert change.client_address == "198.51.100.7" and "threshold" in change.detail["fields"]
    rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "receiver-secret-0123456789" not in rows and "very-secret-path" not in rows


def test_django_admin_actions_are_audited(alice):
    client = Client()
    client.force_login(alice)
    alice.is_superuser = True
    alice.save()
    response = client.post("/admin/accounts/team/add/", {
        "name": "ops", "grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content[:500]
    assert Team.objects.filter(name="ops").exists()
    event = AuditEvent.objects.get(action="admin.add")
    assert event.username == "alice" and "ops" in event.target


def test_the_audit_log_is_read_only_in_the_admin(alice):
    alice.is_superuser = True
    alice.save()
    client = Client()
    client.force_login(alice)
    issue_token(alice)
    event = AuditEvent.objects.get(action="token.create")
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_get_audit_is_for_admins(alice, bob, alice_token):
    issue_token(bob)
    _, bobs = issue_token(bob, scope="admin")
    assert Client().get("/api/v1/audit").status_code in (401, 403)
    assert Client().get("/api/v1/audit", **_bearer(bobs)).status_code == 403
    session = Client()
    session.force_login(alice)
    session.post("/api/v1/tokens", {"name": "mine"}, content_type="application/json")
    body = Client().get("/api/v1/audit", {"action": "token.create", "user": "alice"},
                        **_bearer(alice_token)).json()
    assert body["count"] == 1 and body["results"][0]["action"] == "token.create"
    assert body["results"][0]["username"] == "alice"
    # Issued outside a request (the fixtures, `issue_token`): no actor, the owner in detail.
    everyone = Client().get("/api/v1/audit", {"action": "token.create"},
                            **_bearer(alice_token)).json()
    assert everyone["count"] == 4
    assert {r["detail"]["owner"] for r in everyone["results"]} == {"alice", "bob"}
    assert Client().get("/api/v1/audit", {"since": "junk"},
                        **_bearer(alice_token)).status_code == 400


def test_the_evaluators_bookkeeping_is_not_audited(django_assert_num_queries):
    from django.utils import timezone

    from webapp.alerts.models import AlertRule

    rule = AlertRule.objects.create(name="r", kind="edge_error_ratio")
    rule.threshold = 0.5
    rule.save()  # a real change: audited
    rule.last_evaluated_at = timezone.now()
    with django_assert_num_queries(1):  # the UPDATE only: no read of the old row, no audit
        rule.save(update_fields=["last_evaluated_at"])
    rule.last_note = "no traffic"
    rule.save()  # every field saved, only bookkeeping changed
    assert _actions() == ["alert_rule.create", "alert_rule.change"]
