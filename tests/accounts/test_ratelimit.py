"""Login failures and token creations are limited per client address and per username."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from webapp.accounts import ratelimit
from webapp.accounts.models import RateLimitEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_per_minute(settings):
    settings.MESHWATCH_AUTH_RATE_LIMIT = (3, 60.0)


def _fail(client: Client, username: str = "alice"):
    return client.post("/login/", {"username": username, "password": "wrong"})


def test_the_limiter_counts_within_its_window():
    now = timezone.now()
    keys = [ratelimit.key("login", "user", "alice")]
    for seconds in (50, 30, 10):
        ratelimit.hit(keys, now=now - timedelta(seconds=seconds))
    # The oldest of the 3 (50 s ago) ages out in 10 s.
    assert ratelimit.retry_after(keys, now=now) == 10
    assert ratelimit.retry_after(keys, now=now + timedelta(seconds=11)) is None
    assert ratelimit.retry_after([ratelimit.key("login", "user", "bob")], now=now) is None


def test_old_events_are_forgotten():
    now = timezone.now()
    ratelimit.hit(["a"], now=now - timedelta(hours=1))
    ratelimit.hit(["b"], now=now)
    assert list(RateLimitEvent.objects.values_list("key", flat=True)) == ["b"]


def test_keys_are_bounded():
    assert len(ratelimit.key("login", "user", "x" * 10_000)) == 200


def test_login_failures_from_one_address_are_answered_429(alice):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(3):
        assert _fail(client, f"user{i}").status_code == 200  # the form again, with its error
    limited = client.post("/login/", {"username": "alice", "password": "alice-password-1"})
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another address is not limited (its username is fresh too).
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post("/login/", {"username": "alice", "password": "alice-password-1"}
                      ).status_code == 302


def test_login_failures_for_one_username_are_limited_from_any_address(alice):
    for i in range(3):
        _fail(Client(REMOTE_ADDR=f"198.51.100.{i + 1}"))
    limited = Client(REMOTE_ADDR="198.51.100.99").post(
        "/login/", {"username": "alice", "password": "alice-password-1"})
    assert limited.status_code == 429 and "Retry-After" in limited


def test_the_admin_login_counts_and_is_limited_too(alice):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    assert client.post("/admin/login/", {"username": "alice", "password": "x"}).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(alice, settings):
    from webapp.accounts.config import parse_networks

    settings.MESHWATCH_AUTH_TRUSTED_PROXIES = parse_networks("t", ["10.0.0.0/8"])
    for i in range(3):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").post(
            "/login/", {"username": f"u{i}", "password": "wrong"})
    same = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert same.post("/login/", {"username": "v", "password": "x"}).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.post("/login/", {"username": "w", "password": "x"}).status_code == 200


def test_token_creation_is_limited(alice):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(alice)
    for _ in range(3):
        assert client.post("/api/v1/tokens", {"name": "t"},
                           content_type="application/json").status_code == 201
    limited = client.post("/api/v1/tokens", {"name": "t"}, content_type="application/json")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    page = client.post("/tokens/", {"name": "t", "scope": "read"})
    assert page.status_code == 429 and "Retry-After" in page
