"""Login on every page, unless the installation runs in anonymous (demo) mode."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

# Paths that answer without a session: probes and /metrics (no cluster data), login,
# static files, and the API, which authenticates per request and answers 401/403 itself.
_OPEN_PREFIXES = ("/healthz", "/readyz", "/metrics", "/login/", "/static/", "/api/", "/admin/")


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
