"""API tokens: shown once, stored hashed, refused when revoked or expired."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from webapp.accounts.models import ApiToken
from webapp.accounts.tokens import authenticate_token, digest, issue_token

pytestmark = pytest.mark.django_db


def test_only_the_digest_is_stored(alice):
    token, raw = issue_token(alice)
    assert raw.startswith("mw_") and raw not in str(ApiToken.objects.values().get())
    assert token.digest == digest(raw)
    assert authenticate_token(raw).user == alice


def test_unknown_revoked_and_expired_tokens_are_refused(alice):
    assert authenticate_token("mw_nothing_here") is None
    assert authenticate_token("not-even-ours") is None
    token, raw = issue_token(alice)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert authenticate_token(raw) is None
    _, raw2 = issue_token(alice, expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate_token(raw2) is None


def test_an_inactive_user_cannot_use_a_token(alice):
    _, raw = issue_token(alice)
    alice.is_active = False
    alice.save()
    assert authenticate_token(raw) is None


def test_last_used_is_recorded(alice):
    token, raw = issue_token(alice)
    authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_issue_token_command_creates_the_user_and_prints_the_token_last(capsys):
    call_command("issue_token", "--user", "ci-bot", "--namespaces", "bookinfo,shop")
    out = capsys.readouterr().out
    raw = out.split()[-1]
    token = authenticate_token(raw)
    assert token is not None and token.user.username == "ci-bot"
    assert token.namespaces == ["bookinfo", "shop"]
    assert not token.user.has_usable_password()


def test_issue_token_again_keeps_the_user(alice, capsys):
    call_command("issue_token", "--user", "alice", "--admin")
    raw = capsys.readouterr().out.split()[-1]
    token = authenticate_token(raw)
    assert token.user == alice and token.is_admin and token.scope == "admin"


def test_issue_token_namespaces_grant_the_new_user_what_the_token_names(capsys):
    from webapp.accounts.scoping import visible_namespaces

    call_command("issue_token", "--user", "ci-bot", "--namespaces", "bookinfo")
    token = authenticate_token(capsys.readouterr().out.split()[-1])
    assert visible_namespaces(token.user, token) == {"bookinfo"}


def test_issue_token_admin_sees_everything_and_a_bare_user_nothing(capsys):
    from webapp.accounts.scoping import visible_namespaces

    call_command("issue_token", "--user", "ops", "--admin")
    token = authenticate_token(capsys.readouterr().out.split()[-1])
    assert visible_namespaces(token.user, token) is None
    call_command("issue_token", "--user", "nobody")
    captured = capsys.readouterr()
    assert "sees nothing" in captured.err
    assert visible_namespaces(authenticate_token(captured.out.split()[-1]).user) == set()


# --- scopes, expiry, last use, revocation -------------------------------------------------


def _call(method: str, path: str, raw: str, **data):
    from django.test import Client

    call = getattr(Client(), method)
    return call(path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_read_token_cannot_write_and_a_write_token_can(alice):
    _, read = issue_token(alice, scope="read")
    _, write = issue_token(alice, scope="write")
    rule = {"name": "r1", "kind": "edge_error_ratio", "threshold": 0.1}
    refused = _call("post", "/api/v1/alert-rules", read, **rule)
    assert refused.status_code == 403 and "needs a write token" in refused.json()["detail"]
    assert _call("get", "/api/v1/alert-rules", read).status_code == 200
    assert _call("post", "/api/v1/alert-rules", write, **rule).status_code == 201


def test_admin_resources_need_an_admin_scope_and_an_admin_user(alice, bob):
    _, write = issue_token(alice, scope="write")
    _, admin = issue_token(alice, scope="admin")
    bobs, _ = issue_token(bob, scope="write")
    assert _call("delete", f"/api/v1/tokens/{bobs.pk}", write).status_code == 404
    assert _call("delete", f"/api/v1/tokens/{bobs.pk}", admin).status_code == 204
    bobs.refresh_from_db()
    assert bobs.revoked_at is not None
    with pytest.raises(ValueError):
        issue_token(alice, scope="root")


def test_revoked_and_expired_tokens_answer_401_saying_why(alice):
    token, raw = issue_token(alice)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    revoked = _call("get", "/api/v1/status", raw)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert revoked["WWW-Authenticate"] == "Bearer"
    _, old = issue_token(alice, expires_at=timezone.now() - timedelta(minutes=1))
    expired = _call("get", "/api/v1/status", old)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    unknown = _call("get", "/api/v1/status", "mw_00000000_nope")
    assert unknown.status_code == 401 and "unknown" in unknown.json()["detail"]


def test_the_default_expiry_comes_from_the_setting(alice, settings):
    settings.MESHWATCH_TOKEN_DEFAULT_DAYS = 0
    assert issue_token(alice)[0].expires_at is None
    settings.MESHWATCH_TOKEN_DEFAULT_DAYS = 30
    token, _ = issue_token(alice)
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert issue_token(alice, expires_at=None)[0].expires_at is None  # explicit: never


def test_last_used_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    token, raw = issue_token(alice)
    authenticate_token(raw)
    token.refresh_from_db()
    first = token.last_used_at
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        authenticate_token(raw)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    with django_assert_num_queries(2):
        authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_issue_token_takes_scope_and_expiry(capsys, alice):
    call_command("issue_token", "--user", "ci-bot", "--scope", "read", "--expires", "7d")
    out = capsys.readouterr().out
    token = authenticate_token(out.split()[-1])
    assert token.scope == "read" and "token scope: read" in out
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    call_command("issue_token", "--user", "ci-bot", "--expires", "2099-01-01T00:00:00Z")
    token = authenticate_token(capsys.readouterr().out.split()[-1])
    assert token.expires_at.year == 2099 and token.scope == "write"  # the default, as before
    call_command("issue_token", "--user", "alice", "--scope", "admin")  # alice is staff
    assert authenticate_token(capsys.readouterr().out.split()[-1]).scope == "admin"


@pytest.mark.parametrize(("args", "message"), [
    (["--expires", "yesterday"], "not a duration"),
    (["--expires", "2001-01-01"], "in the past"),
    (["--scope", "admin"], "needs an admin user"),
])
def test_issue_token_refuses_bad_options(args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("issue_token", "--user", "ci-bot", *args)


def test_issue_token_never_expires_on_request(capsys, settings):
    settings.MESHWATCH_TOKEN_DEFAULT_DAYS = 10
    call_command("issue_token", "--user", "ci-bot", "--expires", "never")
    assert authenticate_token(capsys.readouterr().out.split()[-1]).expires_at is None
