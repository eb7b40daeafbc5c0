"""Shared fixtures: fixed times, the simulator source, and the named personas.

Tests run on whatever DATABASE_URL names: `make test` points it at this machine's real
PostgreSQL; without it they run on SQLite.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

T0 = datetime(2026, 11, 2, 14, 0, 0, tzinfo=UTC)  # a Monday afternoon: daytime load
# Overridable so that two suites on one machine (parallel work) do not share a Redis db.
REDIS_URL = os.environ.get("MESHWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def t0() -> datetime:
    """A cycle time on the 15 s grid."""
    return T0


@pytest.fixture
def simulator_source():
    from collectors.sources import SimulatorSource

    return SimulatorSource(seed=7)


@pytest.fixture
def alice(db):
    """The admin persona."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("alice", password="alice-password-1", is_staff=True)


@pytest.fixture
def bob(db):
    """A viewer persona: sees nothing until `grant_namespaces` gives it namespaces."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def alice_token(alice) -> str:
    from webapp.accounts.tokens import issue_token

    return issue_token(alice, name="test")[1]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached graphs must not leak between databases."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas get passwords; the production hasher's ~1 s per user buys tests nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def grant_namespaces(user, *namespaces: str, selector: str = "", team: str = ""):
    """Put `user` in a team granted `namespaces` (and `selector`, if given); returns the team."""
    from webapp.accounts.models import NamespaceGrant, Team

    team_row, _ = Team.objects.get_or_create(name=team or f"team-{user.username}")
    team_row.members.add(user)
    for namespace in namespaces:
        NamespaceGrant.objects.create(team=team_row, namespace=namespace)
    if selector:
        NamespaceGrant.objects.create(team=team_row, selector=selector)
    return team_row
