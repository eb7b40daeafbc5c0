"""Who is on the other end of a websocket: session cookie, or an API token for programs.

`LiveAuthMiddlewareStack(inner)` is Channels' cookie + session + auth stack, with API tokens
on top: `?token=<raw>` (browsers cannot set headers on a websocket) or an
`Authorization: Bearer <raw>` header. A token, when given, decides; an unknown, revoked or
expired one marks the scope so the consumer refuses the handshake rather than falling back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from webapp.accounts.tokens import authenticate_token


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
            token = await database_sync_to_async(authenticate_token)(raw)
            scope = dict(scope, live_token=token, live_token_rejected=token is None)
            if token is not None:
                scope["user"] = token.user
        return await super().__call__(scope, receive, send)


def LiveAuthMiddlewareStack(inner: Any) -> Any:  # noqa: N802 - named like Channels' stacks
    """Session and token authentication around `inner`, for webapp/asgi.py."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
