"""/api/v1/tokens: list own, create (shown once), revoke; never more than the creator has."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import grant_namespaces
from webapp.accounts.tokens import authenticate_token, issue_token

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(raw: str, **body):
    return Client().post("/api/v1/tokens", body, content_type="application/json", **_bearer(raw))


def test_it_lists_only_the_callers_tokens_without_secrets(alice, bob):
    _, bobs = issue_token(bob, name="bob's")
    issue_token(alice, name="alice's")
    rows = Client().get("/api/v1/tokens", **_bearer(bobs)).json()
    assert [r["name"] for r in rows] == ["bob's"]
    assert set(rows[0]) >= {"id", "prefix", "scope", "namespaces", "created_at", "expires_at",
                            "last_used_at", "revoked_at", "state"}
    assert "digest" not in rows[0] and "token" not in rows[0] and bobs not in str(rows)


def test_it_creates_within_the_creators_scope(bob):
    grant_namespaces(bob, "bookinfo", "shop")
    _, write = issue_token(bob, scope="write", namespaces=["bookinfo"])
    created = _post(write, name="sub", scope="read")
    assert created.status_code == 201
    body = created.json()
    token = authenticate_token(body["token"])
    # Through a limited token: pinned to that token's namespaces.
    assert token.scope == "read" and token.namespaces == ["bookinfo"] == body["namespaces"]
    assert _post(write, scope="admin").status_code == 400
    assert _post(write, namespaces=["shop"]).status_code == 400
    _, read = issue_token(bob, scope="read")
    assert _post(read, name="escalate").status_code == 403
    assert _post(write, expires_in_days=-1).status_code == 400
    assert _post(write, namespaces="bookinfo").status_code == 400


def test_anonymous_callers_own_no_tokens(settings):
    settings.MESHWATCH_AUTH = "anonymous"
    assert Client().get("/api/v1/tokens").status_code in (401, 403)
    assert Client().post("/api/v1/tokens", {}, content_type="application/json"
                         ).status_code in (401, 403)


def test_revoking_answers_404_for_someone_elses_token(alice, bob):
    alices, _ = issue_token(alice)
    _, bobs = issue_token(bob)
    assert Client().delete(f"/api/v1/tokens/{alices.pk}", **_bearer(bobs)).status_code == 404
    assert Client().get(f"/api/v1/tokens/{alices.pk}", **_bearer(bobs)).status_code == 404
    alices.refresh_from_db()
    assert alices.revoked_at is None
