"""`python manage.py issue_token --user NAME [--namespaces a,b] [--admin]`.

Creates the user when needed and prints a new API token as the last word of its output.
`--admin` makes the user an admin (every namespace); `--namespaces` grants the user those
namespaces through a team of its own and limits the token to them. Without either, the
token sees what the user's teams are granted, and the command says so when that is nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from webapp.accounts.models import NamespaceGrant, Team
from webapp.accounts.scoping import visible_namespaces
from webapp.accounts.tokens import issue_token
from webapp.graph.options import OptionsError, parse_namespaces


class Command(BaseCommand):
    help = "Create an API token (and the user, if new); the token is the last word printed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", required=True, help="username; created if absent")
        parser.add_argument("--namespaces", default="", help="comma-separated namespace subset")
        parser.add_argument("--admin", action="store_true", help="an admin token")
        parser.add_argument("--name", default="cli", help="a label for the token")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["user"].strip()
        if not username or len(username) > 150:
            raise CommandError("--user must be 1 to 150 characters")
        try:
            namespaces = list(parse_namespaces(options["namespaces"]))
        except OptionsError as exc:
            raise CommandError(f"--namespaces: {exc}") from exc
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if options["admin"] and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if namespaces:
            _grant(user, namespaces)
        _, raw = issue_token(
            user, name=options["name"], namespaces=namespaces, is_admin=options["admin"]
        )
        visible = visible_namespaces(user)
        scope = "every namespace" if visible is None else ",".join(sorted(visible)) or "nothing"
        if visible is not None and not visible:
            self.stderr.write(
                f"note: {username} has no namespace grants; the token sees nothing "
                "(use --namespaces or --admin, or add the user to a team)"
            )
        verb = "created user" if created else "user"
        self.stdout.write(
            f"{verb} {username}; token sees: {scope}; store it now, it is shown once:"
        )
        self.stdout.write(raw)


def _grant(user: Any, namespaces: list[str]) -> None:
    """Grant `namespaces` to `user` through a team of its own (named after the user)."""
    team, _ = Team.objects.get_or_create(name=f"user:{user.get_username()}"[:100])
    team.members.add(user)
    for namespace in namespaces:
        NamespaceGrant.objects.get_or_create(team=team, namespace=namespace, selector="")
