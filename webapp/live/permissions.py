"""Who may open the live socket, and who may see what they subscribe to.

Checked at connect and at subscribe, before the socket joins a group (STYLE.md). Namespace
grants for users and teams arrive with the API issue; they belong in `subscription_denied`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from webapp.live.topics import Topic


def connect_denied(scope: Mapping[str, Any]) -> bool:
    """Whether to refuse the handshake (403): a bad token, or nobody logged in in login mode."""
    if scope.get("live_token_rejected"):
        return True
    user = scope.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    return settings.MESHWATCH_AUTH == "login" and not authenticated


def subscription_denied(scope: Mapping[str, Any], topic: Topic, options: Any) -> str | None:
    """Why this socket may not watch (topic, options), or None when it may.

    A token limited to some namespaces may only ask for those, by name: views are shared
    between sockets by their params, so "every namespace" must not mean something else for
    a limited token. User and team grants plug in here.
    """
    token = scope.get("live_token")
    allowed = set(getattr(token, "namespaces", None) or ())
    if not allowed:
        return None
    wanted = set(getattr(options, "namespaces", ()) or ())
    if not wanted or not wanted <= allowed:
        return f"this token may only watch namespaces {','.join(sorted(allowed))}; ask for them"
    return None
