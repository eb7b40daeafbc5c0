"""The API tokens page: list, create (the token is shown once), revoke.

Plain server-rendered forms with CSRF; nothing here needs script. Login is enforced by the
accounts middleware; each user sees and revokes only their own tokens here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from webapp.accounts import services
from webapp.accounts.audit import client_address
from webapp.accounts.forms import TokenForm
from webapp.accounts.models import ApiToken
from webapp.accounts.tokens import default_expiry, revoke_token


@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; POST creates one (shown once) or, with `revoke`, revokes one."""
    if not request.user.is_authenticated:  # anonymous (demo) mode: nobody to own tokens
        raise Http404("API tokens belong to logged-in users")
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke(request, request.POST["revoke"])
    form = TokenForm(request.POST or None, scopes=services.allowed_scopes(request.user))
    if request.method != "POST":
        return _render(request, form, None, status=200)
    if not form.is_valid():
        return _render(request, form, None, status=400)
    try:
        token, raw = services.create_token(request.user, form.request(),
                                           address=client_address(request))
    except services.TokenRequestError as exc:
        form.add_error(None, str(exc))
        return _render(request, form, None, status=400)
    except services.RateLimited as exc:
        form.add_error(None, str(exc).capitalize() + ".")
        response = _render(request, form, None, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    fresh = TokenForm(scopes=services.allowed_scopes(request.user))
    return _render(request, fresh, {"token": token, "raw": raw}, status=200)


def _revoke(request: HttpRequest, raw_id: str) -> HttpResponse:
    """Revoke one of the user's own tokens (an admin revokes others' in the admin)."""
    token_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 19 else None
    own = (ApiToken.objects.filter(pk=token_id, user=_owner(request)).first()
           if token_id else None)
    if own is None:
        raise Http404("no such token of yours")
    revoke_token(own)
    messages.success(request, f"Token {own.prefix}… is revoked.")
    return redirect("ui:tokens")


def _render(request: HttpRequest, form: TokenForm, created: dict[str, Any] | None,
            status: int) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=_owner(request)).order_by("-created_at")[:200]
    response = render(request, "accounts/tokens.html", {
        "form": form, "created": created, "tokens": tokens,
        "default_expiry": default_expiry(), "now": timezone.now(),
    }, status=status)
    # The page may hold a token in the clear: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _owner(request: HttpRequest) -> Any:
    """The logged-in user (the views check `is_authenticated` first)."""
    return request.user
