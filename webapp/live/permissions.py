"""Who may open the live socket, and who may see what they subscribe to.

Checked at connect and at subscribe, before the socket joins a group (STYLE.md). What a
user or token may see comes from `webapp.accounts.scoping.visible_namespaces`; on the graph
topic the consumer also rewrites other namespaces' nodes as opaque external ones per socket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from webapp.live.topics import Topic


def connect_denied(scope: Mapping[str, Any]) -> bool:
    """Whether to refuse the handshake (403): a bad token, or nobody logged in (any mode but
    anonymous: in header mode, nobody a trusted proxy named)."""
    if scope.get("live_token_rejected"):
        return True
    user = scope.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    return settings.MESHWATCH_AUTH != "anonymous" and not authenticated


def socket_namespaces(scope: Mapping[str, Any]) -> set[str] | None:
    """The namespaces this socket's user (through its token, if any) may see; None: all."""
    from webapp.accounts.scoping import visible_namespaces

    return visible_namespaces(scope.get("user"), scope.get("live_token"))


def subscription_denied(scope: Mapping[str, Any], topic: Topic, options: Any) -> str | None:
    """Why this socket may not watch (topic, options), or None when it may.

    A socket whose user or token sees only some namespaces may only ask for those, by name:
    views are shared between sockets by their params, so "every namespace" must not mean
    something else for a limited caller.
    """
    allowed = socket_namespaces(scope)
    if allowed is None:
        return None
    if not allowed:
        return "you may not see any namespace; ask an admin for a grant"
    wanted = set(getattr(options, "namespaces", ()) or ())
    if not wanted or not wanted <= allowed:
        who = "this token" if getattr(scope.get("live_token"), "namespaces", None) else "you"
        return f"{who} may only watch namespaces {','.join(sorted(allowed))}; ask for them"
    return None
