"""Writing the audit log, and who the current request's caller is.

`AuditContextMiddleware` (middleware.py) puts the request in a context variable, so signal
receivers (signals.py) can name the caller without every view passing it along. DRF copies
the user and token it authenticates onto the Django request, so a bearer-token caller is
named too. Outside a request (Celery, management commands) the actor is empty: the system.

Nothing secret is ever written: callers pass names, ids and field names, never values of
secrets, and `record` bounds what it stores.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger("meshwatch.audit")

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "meshwatch_audit_request", default=None)
_MAX_TEXT = 200
_MAX_DETAIL_ITEMS = 50


def set_request(request: HttpRequest | None) -> contextvars.Token[HttpRequest | None]:
    """Make `request` the current one; returns the token to reset with."""
    return _request.set(request)


def reset_request(token: contextvars.Token[HttpRequest | None]) -> None:
    """Undo `set_request`."""
    _request.reset(token)


def current_request() -> HttpRequest | None:
    """The request being served in this context, if any."""
    return _request.get()


def client_address(request: Any) -> str | None:
    """The caller's address: the direct peer, or, when that is a trusted proxy, the nearest
    address in X-Forwarded-For that is not one (the rest of that header is the client's to
    write, so it is never believed)."""
    meta = getattr(request, "META", None) or {}
    peer = _address(meta.get("REMOTE_ADDR", ""))
    if peer is None or not is_trusted_proxy(peer):
        return peer
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed(forwarded[-20:]):
        address = _address(candidate)
        if address is None:
            break
        if not is_trusted_proxy(address):
            return address
    return peer


def is_trusted_proxy(address: str | None) -> bool:
    """Whether `address` is in MESHWATCH_AUTH_TRUSTED_PROXIES."""
    parsed = _address(address or "")
    if parsed is None:
        return False
    ip = ipaddress.ip_address(parsed)
    return any(ip in network for network in settings.MESHWATCH_AUTH_TRUSTED_PROXIES)


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def record(action: str, target: str = "", detail: dict[str, Any] | None = None, *,
           user: Any = None, token: Any = None, request: Any = None) -> None:
    """Write one audit event; the actor defaults to the current request's caller.

    Never raises: an audit write that fails is logged, and the action it describes (which
    has already happened) is not undone by a crash here.
    """
    from webapp.accounts.models import AuditEvent

    request = request if request is not None else current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
        token = token if token is not None else getattr(request, "auth", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    try:
        AuditEvent.objects.create(
            user=user if authenticated else None,
            username=(user.get_username() if authenticated else "")[:150],
            token_id=getattr(token, "pk", None),
            action=action[:64],
            target=str(target)[:_MAX_TEXT],
            detail=_bounded(detail or {}),
            client_address=client_address(request) if request is not None else None,
        )
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("could not write the audit event %s", action[:64])


def _bounded(detail: dict[str, Any]) -> dict[str, Any]:
    """At most 50 keys; strings and lists of strings cut to 200 characters."""
    out: dict[str, Any] = {}
    for key, value in list(detail.items())[:_MAX_DETAIL_ITEMS]:
        if isinstance(value, str):
            value = value[:_MAX_TEXT]
        elif isinstance(value, (list, tuple)):
            value = [str(v)[:_MAX_TEXT] for v in value[:_MAX_DETAIL_ITEMS]]
        elif not isinstance(value, (int, float, bool)) and value is not None:
            value = str(value)[:_MAX_TEXT]
        out[str(key)[:_MAX_TEXT]] = value
    return out
