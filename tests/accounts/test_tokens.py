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
    assert token.user == alice and token.is_admin


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
