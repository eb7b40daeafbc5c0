"""`manage.py issue_token --user NAME [--namespaces a,b] [--admin] [--scope S] [--expires E]`.

Creates the user when needed and prints a new API token as the last word of its output.
`--admin` makes the user an admin (every namespace) and the token admin-scoped; `--namespaces`
grants the user those namespaces through a team of its own and limits the token to them.
Without either, the token sees what the user's teams are granted, and the command says so
when that is nothing. `--scope` is read, write (the default, as before scopes) or admin;
`--expires` a duration (`30d`), a time (ISO 8601 or Unix seconds) or `never`; unset, the
MESHWATCH_TOKEN_DEFAULT_DAYS default applies.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from webapp.accounts.models import NamespaceGrant, Scope, Team
from webapp.accounts.scoping import visible_namespaces
from webapp.accounts.tokens import DEFAULT_EXPIRY, issue_token
from webapp.env import parse_duration
from webapp.graph.options import OptionsError, parse_namespaces
from webapp.timeparse import parse_time


class Command(BaseCommand):
    help = "Create an API token (and the user, if new); the token is the last word printed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", required=True, help="username; created if absent")
        parser.add_argument("--namespaces", default="", help="comma-separated namespace subset")
        parser.add_argument("--admin", action="store_true", help="an admin token")
        parser.add_argument("--name", default="cli", help="a label for the token")
        parser.add_argument("--scope", choices=[s.value for s in Scope], default=None,
                            help="read, write or admin (default: write; admin with --admin)")
        parser.add_argument("--expires", default=None,
                            help="a duration (30d), a time (ISO 8601, Unix seconds) or never")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["user"].strip()
        if not username or len(username) > 150:
            raise CommandError("--user must be 1 to 150 characters")
        try:
            namespaces = list(parse_namespaces(options["namespaces"]))
        except OptionsError as exc:
            raise CommandError(f"--namespaces: {exc}") from exc
        expires_at = _expiry(options["expires"])
        scope = options["scope"] or (Scope.ADMIN if options["admin"] else Scope.WRITE)
        if scope == Scope.ADMIN and not options["admin"] and not _is_staff(username):
            raise CommandError("--scope admin needs an admin user: add --admin")
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if options["admin"] and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if namespaces:
            _grant(user, namespaces)
        token, raw = issue_token(
            user, name=options["name"], namespaces=namespaces, scope=scope, expires_at=expires_at
        )
        visible = visible_namespaces(user)
        sees = "every namespace" if visible is None else ",".join(sorted(visible)) or "nothing"
        if visible is not None and not visible:
            self.stderr.write(
                f"note: {username} has no namespace grants; the token sees nothing "
                "(use --namespaces or --admin, or add the user to a team)"
            )
        verb = "created user" if created else "user"
        until = (f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at
                 else "no expiry")
        self.stdout.write(
            f"{verb} {username}; token scope: {token.scope}; sees: {sees}; {until}; "
            "store it now, it is shown once:"
        )
        self.stdout.write(raw)


def _grant(user: Any, namespaces: list[str]) -> None:
    """Grant `namespaces` to `user` through a team of its own (named after the user)."""
    team, _ = Team.objects.get_or_create(name=f"user:{user.get_username()}"[:100])
    team.members.add(user)
    for namespace in namespaces:
        NamespaceGrant.objects.get_or_create(team=team, namespace=namespace, selector="")


def _is_staff(username: str) -> bool:
    return get_user_model().objects.filter(username=username, is_staff=True).exists()


def _expiry(text: str | None) -> Any:
    """`--expires` as a time, None for never, or the default expiry when not given."""
    if text is None:
        return DEFAULT_EXPIRY
    if text.strip().lower() == "never":
        return None
    now = timezone.now()
    try:
        at = now + timedelta(seconds=parse_duration(text))
    except ValueError:
        try:
            at = parse_time(text)
        except ValueError as exc:
            raise CommandError(
                f"--expires {text!r} is not a duration (30d), a time or never") from exc
    if at <= now:
        raise CommandError(f"--expires {text!r} is in the past")
    return at
