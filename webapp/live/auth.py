"""Who is on the other end of a websocket: session cookie, or an API token for programs.

`LiveAuthMiddlewareStack(inner)` is Channels' cookie + session + auth stack, with API tokens
on top: `?token=<raw>` (browsers cannot set headers on a websocket) or an
`Authorization: Bearer <raw>` header. A token, when given, decides; an unknown, revoked or
expired one marks the scope so the consumer refuses the handshake rather than falling back
(the reason is logged and kept as `live_token_error`; a refused handshake carries no body).

In `header` mode the user a trusted proxy names (webapp/accounts/headers.py) replaces the
session's, judged by the socket's direct peer (`scope["client"]`), as for HTTP requests.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings

from webapp.accounts.headers import header_user
from webapp.accounts.tokens import check_token

log = logging.getLogger("meshwatch.live")


def raw_token(scope: dict[str, Any]) -> str | None:
    """The token a websocket scope carries, header first, or None."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            kind, _, raw = value.decode("latin-1").partition(" ")
            if kind.lower() == "bearer" and raw.strip():
                return raw.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("token")
    return values[-1] if values else None


class TokenAuthMiddleware(BaseMiddleware):
    """Replaces the scope's user with a token's user; sets `live_token` / `live_token_rejected`."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        raw = raw_token(scope)
        if raw is not None:
            check = await database_sync_to_async(check_token)(raw)
            scope = dict(scope, live_token=check.token, live_token_rejected=check.token is None,
                         live_token_error=check.error)
            if check.token is not None:
                scope["user"] = check.token.user
            else:
                log.info("refused a live socket: %s", check.error)
        elif settings.MESHWATCH_AUTH == "header":
            user = await database_sync_to_async(header_user)(header_meta(scope), peer(scope))
            if user is not None:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


def peer(scope: dict[str, Any]) -> str | None:
    """The socket's direct peer address (never a forwarded one)."""
    client = scope.get("client")
    return str(client[0]) if client else None


def header_meta(scope: dict[str, Any]) -> dict[str, str]:
    """The scope's headers keyed as Django's META is (HTTP_X_FORWARDED_USER, ...).

    Names with an underscore are dropped, as Django does: X_Forwarded_User would otherwise
    pass for X-Forwarded-User behind a proxy that strips only the latter.
    """
    meta: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        text = name.decode("latin-1")
        if "_" in text:
            continue
        key = "HTTP_" + text.upper().replace("-", "_")
        meta[key] = value.decode("latin-1")
    return meta


def LiveAuthMiddlewareStack(inner: Any) -> Any:  # noqa: N802 - named like Channels' stacks
    """Session and token authentication around `inner`, for webapp/asgi.py."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
