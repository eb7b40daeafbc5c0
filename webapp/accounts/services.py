"""Creating and revoking tokens on a caller's behalf: the rules the UI page and the API share.

1. Creation is rate limited per user and per client address (ratelimit.py), like logins.
2. A new token never exceeds its creator: its scope is at most the creator's (admin only for
   admins; through a token, at most that token's scope), and its namespaces are a subset of
   what the creator sees (through a token, of that token's).
3. A user revokes their own tokens; an admin (admin scope, if through a token) anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from webapp.accounts import ratelimit
from webapp.accounts.models import SCOPE_RANK, ApiToken, Scope
from webapp.accounts.scoping import is_admin, visible_namespaces
from webapp.accounts.tokens import DEFAULT_EXPIRY, issue_token, revoke_token
from webapp.graph.options import NAMESPACE_NAME

MAX_TOKEN_DAYS = 3650
MAX_NAMESPACES = 100


class TokenRequestError(ValueError):
    """A token request that cannot be honoured; the text is written for the caller."""


class RateLimited(Exception):
    """Too many token creations: `retry_after` seconds until the next is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many tokens created; try again in {retry_after} seconds")
        self.retry_after = retry_after


@dataclass(frozen=True)
class TokenRequest:
    """What a caller asks for: validated by `create_token`."""

    name: str = ""
    scope: str = Scope.READ
    namespaces: tuple[str, ...] = ()
    expires_in_days: int | None = None  # None: the default expiry; 0: never


def allowed_scopes(user: Any, via: ApiToken | None = None) -> list[str]:
    """The scopes `user` (through token `via`, if any) may give a new token."""
    scopes: list[str] = [s for s in SCOPE_RANK if s != Scope.ADMIN or is_admin(user)]
    if via is not None:
        scopes = [s for s in scopes if via.allows(s)]
    return scopes


def create_token(user: Any, want: TokenRequest, *, address: str | None,
                 via: ApiToken | None = None) -> tuple[ApiToken, str]:
    """Issue a token for `user` as asked; raises TokenRequestError or RateLimited."""
    name = want.name.strip()
    if len(name) > 100:
        raise TokenRequestError("name must be at most 100 characters")
    if want.scope not in allowed_scopes(user, via):
        raise TokenRequestError(
            f"scope must be one of {', '.join(allowed_scopes(user, via))}")
    namespaces = _namespaces(user, via, want.namespaces)
    expires_at = _expiry(want.expires_in_days)
    keys = [ratelimit.key("token", "user", user.get_username()),
            ratelimit.key("token", "address", address or "?")]
    wait = ratelimit.retry_after(keys)
    if wait is not None:
        raise RateLimited(wait)
    ratelimit.hit(keys)
    return issue_token(user, name=name, namespaces=namespaces, scope=want.scope,
                       expires_at=expires_at)


def _namespaces(user: Any, via: ApiToken | None, asked: tuple[str, ...]) -> list[str]:
    wanted = sorted({n.strip() for n in asked if n.strip()})
    if len(wanted) > MAX_NAMESPACES:
        raise TokenRequestError(f"at most {MAX_NAMESPACES} namespaces")
    bad = [n[:63] for n in wanted if not NAMESPACE_NAME.match(n)]
    if bad:
        raise TokenRequestError(f"not a namespace name: {', '.join(bad[:5])}")
    visible = visible_namespaces(user, via)
    if visible is not None:
        if not wanted:
            # A limited creator's token is pinned to what it sees now: "all" must not grow
            # when the creator's grants later do (through a token) or mean more than asked.
            wanted = sorted(visible) if via is not None else []
        hidden = sorted(set(wanted) - visible)
        if hidden:
            raise TokenRequestError(f"you may not see namespace(s) {', '.join(hidden[:5])}")
    return wanted


def _expiry(days: int | None) -> datetime | None:
    if days is None:
        return DEFAULT_EXPIRY
    if days < 0 or days > MAX_TOKEN_DAYS:
        raise TokenRequestError(f"expires_in_days must be 0 (never) to {MAX_TOKEN_DAYS}")
    return timezone.now() + timedelta(days=days) if days else None


def revocable(user: Any, via: ApiToken | None = None) -> Any:
    """The tokens `user` may revoke: their own, or every token for an admin."""
    if is_admin(user) and (via is None or via.allows(Scope.ADMIN)):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)


def revoke(user: Any, token_id: int, via: ApiToken | None = None) -> ApiToken | None:
    """Revoke token `token_id` if `user` may; the token, or None when not theirs to revoke."""
    token = revocable(user, via).select_related("user").filter(pk=token_id).first()
    if token is not None:
        revoke_token(token)
    return token
