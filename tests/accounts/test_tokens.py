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
