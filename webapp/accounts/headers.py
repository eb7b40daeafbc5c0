"""Header (SSO) mode: the user a trusted authenticating proxy names in request headers.

oauth2-proxy, or an ingress with `auth-url`, logs the user in and forwards the request with
X-Forwarded-User (and -Email, -Groups). Those headers are believed only when the direct peer
is one of MESHWATCH_AUTH_TRUSTED_PROXIES: anyone else could write them. Users are created
on first sight; groups decide membership of the Teams of the same names (groups without a
Team are ignored; personal `user:<name>` teams are left alone), and, when
MESHWATCH_AUTH_ADMIN_GROUPS is set, whether the user is staff.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from webapp.accounts import audit

log = logging.getLogger("meshwatch.accounts")

_MAX_GROUPS = 100
_MAX_GROUP = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PERSONAL_TEAM_PREFIX = "user:"


def header_identity(meta: Mapping[str, Any], peer: str | None) -> tuple[str, str, list[str]] | None:
    """(username, email, groups) from `meta` when `peer` is a trusted proxy; else None."""
    if settings.MESHWATCH_AUTH != "header" or not audit.is_trusted_proxy(peer):
        return None
    username = str(meta.get(settings.MESHWATCH_AUTH_HEADER_USER, "")).strip()
    if not username or len(username) > 150 or _CONTROL.search(username):
        return None
    email = str(meta.get(settings.MESHWATCH_AUTH_HEADER_EMAIL, "")).strip()[:254]
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    groups = [g.strip() for g in str(meta.get(settings.MESHWATCH_AUTH_HEADER_GROUPS, ""))
              .split(",")[:_MAX_GROUPS]]
    return username, email, sorted({g for g in groups if g and len(g) <= _MAX_GROUP})


def header_user(meta: Mapping[str, Any], peer: str | None) -> Any:
    """The active user the trusted proxy names, created or updated; None when not trusted."""
    identity = header_identity(meta, peer)
    if identity is None:
        return None
    username, email, groups = identity
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
        changed = _apply_profile(user, email, groups)
        if created or changed:
            user.save()
        _sync_teams(user, groups)
    if created:
        audit.record("user.create", f"user {username}", {"via": "header", "groups": groups},
                     user=user)
    return user if user.is_active else None


def _apply_profile(user: Any, email: str, groups: list[str]) -> bool:
    """Set email and (with admin groups configured) staff; whether anything changed."""
    changed = False
    if email and user.email != email:
        user.email, changed = email, True
    admin_groups = set(settings.MESHWATCH_AUTH_ADMIN_GROUPS)
    if admin_groups:
        staff = bool(admin_groups & set(groups))
        if user.is_staff != staff:
            user.is_staff, changed = staff, True
    return changed


def _sync_teams(user: Any, groups: list[str]) -> None:
    """Make the user a member of exactly the Teams its groups name (personal teams aside)."""
    from webapp.accounts.models import Team

    wanted = set(Team.objects.filter(name__in=groups).values_list("pk", flat=True))
    current = set(user.teams.exclude(name__startswith=PERSONAL_TEAM_PREFIX)
                  .values_list("pk", flat=True))
    if wanted - current:
        user.teams.add(*(wanted - current))
    if current - wanted:
        user.teams.remove(*(current - wanted))
