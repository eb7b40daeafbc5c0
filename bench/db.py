"""The harness's own database and Redis: never the project's, the tests' or anyone else's.

`prepare` drops and recreates the bench database (default `meshwatch_bench`), points this
process's environment at it and at Redis db 10, sets Django up and migrates. The names are
checked against the databases that must never be touched.
"""

from __future__ import annotations

import os

import psycopg

SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/10"
FORBIDDEN = {"meshwatch", "test_meshwatch", "mwlead", "postgres", "template0", "template1"}


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def check_name(name: str) -> None:
    """Refuse any name that is not obviously a bench database."""
    if name in FORBIDDEN or not name.startswith("meshwatch_bench"):
        raise SystemExit(f"refusing database {name!r}: bench databases are meshwatch_bench*")


def recreate(name: str) -> None:
    """Drop (closing its connections) and create the database `name`."""
    check_name(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(name: str) -> None:
    """Drop the bench database at the end of a run."""
    check_name(name)
    from django.db import connections

    connections.close_all()
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(name: str) -> dict[str, str]:
    """What the harness and the servers it starts read: its database, Redis db 10."""
    return {
        "DATABASE_URL": database_url(name),
        "REDIS_URL": REDIS_URL,
        "MESHWATCH_AUTH": "login",
        "MESHWATCH_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    }


def prepare(name: str) -> dict[str, str]:
    """Recreate the database, set Django up on it, migrate; returns the environment used."""
    recreate(name)
    env = environment(name)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "webapp.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    flush_redis()
    return env


def flush_redis() -> None:
    """Empty Redis db 10 (ours alone), so no stale group membership survives a run."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def api_token() -> str:
    """A fresh admin token for the HTTP and websocket clients."""
    from django.contrib.auth import get_user_model

    from webapp.accounts.tokens import issue_token

    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    return issue_token(user, name="bench", is_admin=True)[1]
