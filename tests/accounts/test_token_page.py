"""The API tokens page: list, create (shown once), revoke; plain forms with CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import grant_namespaces
from webapp.accounts.models import ApiToken
from webapp.accounts.tokens import authenticate_token, issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_client(bob) -> Client:
    grant_namespaces(bob, "bookinfo", "shop")
    client = Client()
    client.force_login(bob)
    return client


def test_it_needs_a_login(settings):
    settings.MESHWATCH_AUTH = "login"
    response = Client().get("/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_creates_a_token_and_shows_it_once(bob_client, bob):
    page = bob_client.post("/tokens/", {"name": "ci <b>", "scope": "read",
                                        "namespaces": "bookinfo", "expires_in_days": "30"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    raw = re.search(r'id="mw-token-value">(mw_[^<]+)<', page.content.decode()).group(1)
    token = authenticate_token(raw)
    assert token.user == bob and token.scope == "read" and token.namespaces == ["bookinfo"]
    assert "ci &lt;b&gt;" in page.content.decode()  # names are escaped, never HTML
    again = bob_client.get("/tokens/").content.decode()
    assert raw not in again and f"mw_{token.prefix}_…" in again and "read" in again


def test_it_refuses_what_the_user_may_not_have(bob_client):
    admin = bob_client.post("/tokens/", {"name": "x", "scope": "admin"})
    assert admin.status_code == 400 and not ApiToken.objects.exists()
    hidden = bob_client.post("/tokens/", {"name": "x", "scope": "read",
                                          "namespaces": "kube-system"})
    assert hidden.status_code == 400 and "kube-system" in hidden.content.decode()
    bad = bob_client.post("/tokens/", {"name": "x", "scope": "read", "namespaces": "Not_Valid"})
    assert bad.status_code == 400 and not ApiToken.objects.exists()


def test_it_revokes_only_the_users_own_tokens(bob_client, bob, alice):
    mine, raw = issue_token(bob)
    theirs, alices = issue_token(alice)
    response = bob_client.post("/tokens/", {"revoke": str(mine.pk)})
    assert response.status_code == 302
    assert authenticate_token(raw) is None
    assert bob_client.post("/tokens/", {"revoke": str(theirs.pk)}).status_code == 404
    assert bob_client.post("/tokens/", {"revoke": "junk"}).status_code == 404
    assert authenticate_token(alices) is not None
    assert "revoked" in bob_client.get("/tokens/").content.decode()


def test_the_forms_need_csrf(bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post("/tokens/", {"name": "x", "scope": "read"}).status_code == 403
    page = client.get("/tokens/")
    token = page.cookies["csrftoken"].value
    ok = client.post("/tokens/", {"name": "x", "scope": "read", "csrfmiddlewaretoken": token})
    assert ok.status_code == 200 and ApiToken.objects.count() == 1


def test_the_anonymous_demo_has_no_token_page(settings):
    settings.MESHWATCH_AUTH = "anonymous"
    assert Client().get("/tokens/").status_code == 404
