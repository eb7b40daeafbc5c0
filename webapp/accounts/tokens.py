"""Issuing and checking API tokens.

A token reads `mw_<prefix>_<secret>`. It carries 256 bits of randomness, so a plain SHA-256
digest is enough to store it (no salt or slow hash is needed against guessing), and lookups
stay a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from webapp.accounts import audit
from webapp.accounts.models import SCOPE_RANK, ApiToken, Scope

TOKEN_PREFIX = "mw_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(raw: str) -> str:
    """The stored form of a raw token."""
    return hashlib.sha256(raw.encode()).hexdigest()


# "Not given": the default expiry (MESHWATCH_TOKEN_DEFAULT_DAYS) applies; None means never.
DEFAULT_EXPIRY: Any = object()


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a raw token: the live token, or why it was refused."""

    token: ApiToken | None
    error: str = ""


def default_expiry(now: datetime | None = None) -> datetime | None:
    """When a token issued now expires by default (MESHWATCH_TOKEN_DEFAULT_DAYS; 0: never)."""
    days = settings.MESHWATCH_TOKEN_DEFAULT_DAYS
    return (now or timezone.now()) + timedelta(days=days) if days else None


def issue_token(
    user: User,
    *,
    name: str = "",
    namespaces: list[str] | None = None,
    is_admin: bool = False,
    scope: str = Scope.WRITE,
    expires_at: datetime | None = DEFAULT_EXPIRY,
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is never stored.

    The scope defaults to `write` (what every token could do before scopes); `is_admin`
    is the older spelling of `scope="admin"`. The creation is audited by id and prefix.
    """
    if scope not in SCOPE_RANK:
        raise ValueError(f"scope must be one of {', '.join(SCOPE_RANK)}")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=digest(raw),
        namespaces=sorted(namespaces or []),
        scope=Scope.ADMIN if is_admin else scope,
        expires_at=default_expiry() if expires_at is DEFAULT_EXPIRY else expires_at,
    )
    audit.record("token.create", _target(token), _detail(token))
    return token, raw


def revoke_token(token: ApiToken) -> bool:
    """Revoke `token` now; False when it was revoked already (nothing changes then)."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now)
    if changed:
        token.revoked_at = now
        audit.record("token.revoke", _target(token), _detail(token))
    return bool(changed)


def check_token(raw: str) -> TokenCheck:
    """The live token for `raw`, or a sentence saying why it is refused."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return TokenCheck(None, "The API token is not a meshwatch token (mw_…).")
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()
    now = timezone.now()
    if token is None:
        return TokenCheck(None, "The API token is unknown.")
    if token.revoked_at is not None:
        return TokenCheck(None, f"The API token {token.prefix} was revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        return TokenCheck(None, f"The API token {token.prefix} has expired.")
    if not token.user.is_active:
        return TokenCheck(None, f"The API token {token.prefix} belongs to an inactive user.")
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        # Written at most once a minute per token, so reads do not turn into writes; the
        # filter makes concurrent requests of that minute write once between them.
        ApiToken.objects.filter(pk=token.pk).exclude(
            last_used_at__gt=now - _LAST_USED_RESOLUTION).update(last_used_at=now)
        token.last_used_at = now
    return TokenCheck(token)


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token for `raw`, or None when unknown, revoked, expired or its user inactive."""
    return check_token(raw).token


def _target(token: ApiToken) -> str:
    return f"token {token.pk} ({token.prefix}) of {token.user.get_username()}"


def _detail(token: ApiToken) -> dict[str, Any]:
    return {"token_id": token.pk, "prefix": token.prefix, "owner": token.user.get_username(),
            "scope": token.scope, "namespaces": list(token.namespaces),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None}
