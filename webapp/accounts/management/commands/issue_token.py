"""`python manage.py issue_token --user NAME [--namespaces a,b] [--admin]`.

Creates the user when needed and prints a new API token as the last word of its output.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from webapp.accounts.tokens import issue_token


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
        namespaces = [n.strip() for n in options["namespaces"].split(",") if n.strip()]
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        _, raw = issue_token(
            user, name=options["name"], namespaces=namespaces, is_admin=options["admin"]
        )
        scope = ",".join(namespaces) or "all granted namespaces"
        verb = "created user" if created else "user"
        self.stdout.write(
            f"{verb} {username}; token scope: {scope}; store it now, it is shown once:"
        )
        self.stdout.write(raw)
