"""Who may call the REST API, and what a token's scope lets it do.

- Anonymous callers: nothing, except reads in `anonymous` mode.
- Users (session or header mode): everything their namespaces allow; views check scope.
- Tokens: `read` only GET/HEAD/OPTIONS, `write` also changes, `admin` also the admin
  resources (a view with `required_scope = "admin"`: users, teams, grants, others' tokens).
  A token never does more than its user: an admin-scope token of a non-admin is refused on
  admin resources too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from webapp.accounts.models import ApiToken, Scope
from webapp.accounts.scoping import is_admin

if TYPE_CHECKING:
    from rest_framework.views import APIView


def required_scope(request: Request, view: APIView) -> str:
    """The token scope a request needs: the view's own, else by method."""
    declared = getattr(view, "required_scope", None)
    if declared == Scope.ADMIN:
        return Scope.ADMIN
    return Scope.READ if request.method in SAFE_METHODS else Scope.WRITE


class MeshwatchAccess(BasePermission):
    """Authenticated users and tokens within their scope; anyone, read-only, in `anonymous` mode."""

    message = "Authentication required: log in or send Authorization: Bearer <token>."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return settings.MESHWATCH_AUTH == "anonymous" and request.method in SAFE_METHODS
        needed = required_scope(request, view)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and not token.allows(needed):
            self.message = (f"This token's scope is {token.scope}; "
                            f"{request.method} here needs a {needed} token.")
            return False
        if needed == Scope.ADMIN and not is_admin(request.user):
            self.message = "Only admins may do this."
            return False
        return True


class AdminOnly(BasePermission):
    """Admins only (is_staff or superuser), for reads too: the audit log."""

    message = "Only admins may see this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_admin(request.user)
