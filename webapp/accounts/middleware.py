"""Who the caller is and what every response carries.

- `HeaderAuthMiddleware`: in `header` mode, the user a trusted proxy names (headers.py);
- `LoginRequiredMiddleware`: login on every page, unless in anonymous (demo) mode;
- `LoginRateLimitMiddleware`: 429 for a client address or username with too many recent
  login failures (ratelimit.py);
- `AuditContextMiddleware`: makes the request the audit log's current one (audit.py);
- `SecurityHeadersMiddleware`: the strict Content-Security-Policy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from webapp.accounts import audit, ratelimit
from webapp.accounts.headers import header_user

log = logging.getLogger("meshwatch.accounts")
# The password forms whose failures count: meshwatch's login page and the Django admin's.
LOGIN_PATHS = ("/login/", "/admin/login/")

# Paths that answer without a session: probes and /metrics (no cluster data), login,
# static files, and the API, which authenticates per request and answers 401/403 itself.
_OPEN_PREFIXES = ("/healthz", "/readyz", "/metrics", "/login/", "/static/", "/api/", "/admin/")


class HeaderAuthMiddleware:
    """In `header` mode, the user named by a trusted proxy's headers replaces the session's.

    From any other peer the headers are ignored (and the caller is whoever its session says,
    usually nobody); the user is set per request, never stored in a session, so it ends
    when the proxy stops sending it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MESHWATCH_AUTH == "header":
            user = header_user(request.META, request.META.get("REMOTE_ADDR"))
            if user is not None:
                request.user = user
            elif request.META.get(settings.MESHWATCH_AUTH_HEADER_USER):
                log.warning("ignored the user header from untrusted peer %s",
                            str(request.META.get("REMOTE_ADDR", "?"))[:64])
        return self.get_response(request)


class LoginRateLimitMiddleware:
    """Answers a login POST 429 (with Retry-After) while its address or username is limited.

    Failures are counted by the `user_login_failed` receiver (signals.py), so every form
    that authenticates through Django counts the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in LOGIN_PATHS:
            wait = ratelimit.retry_after(login_keys(request, request.POST.get("username", "")))
            if wait is not None:
                response = HttpResponse(
                    f"Too many failed logins; try again in {wait} seconds.\n",
                    status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


def login_keys(request: HttpRequest, username: str) -> list[str]:
    """The limiter keys of a login attempt: its client address and the username tried."""
    keys = [ratelimit.key("login", "address", audit.client_address(request) or "?")]
    if username:
        keys.append(ratelimit.key("login", "user", username[:150]))
    return keys


class AuditContextMiddleware:
    """Makes the request the current one for audit records written while it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_request(request)
        try:
            return self.get_response(request)
        finally:
            audit.reset_request(token)


class LoginRequiredMiddleware:
    """Redirects anonymous visitors of any page to the login page in `login` mode."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MESHWATCH_AUTH != "anonymous"
            and not request.user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self' ws: wss:",
    "font-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
])


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (no inline script or style) on every response.

    The frontend loads only its own files, so nothing needs 'unsafe-inline'. Django's
    SecurityMiddleware sets nosniff, Referrer-Policy and COOP; XFrameOptionsMiddleware DENY.
    A view that sets its own policy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
