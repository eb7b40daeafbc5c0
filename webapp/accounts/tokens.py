"""Issuing and checking API tokens.

A token reads `mw_<prefix>_<secret>`. It carries 256 bits of randomness, so a plain SHA-256
digest is enough to store it (no salt or slow hash is needed against guessing), and lookups
stay a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from webapp.accounts.models import ApiToken

TOKEN_PREFIX = "mw_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(raw: str) -> str:
    """The stored form of a raw token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    user: User,
    *,
    name: str = "",
    namespaces: list[str] | None = None,
    is_admin: bool = False,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=digest(raw),
        namespaces=sorted(namespaces or []),
        is_admin=is_admin,
        expires_at=expires_at,
    )
    return token, raw


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token for `raw`, or None when unknown, revoked, expired or its user inactive."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        # Written at most once a minute per token, so reads do not turn into writes.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
