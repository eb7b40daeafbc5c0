"""DRF authentication by `Authorization: Bearer <token>`."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from webapp.accounts.tokens import check_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Accepts API tokens issued by `issue_token`, the UI or the API.

    A bad token answers 401 with the reason (unknown, revoked, expired), never falling back
    to the session: a program should learn that its token stopped working.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[object, object] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        check = check_token(raw.strip())
        if check.token is None:
            raise exceptions.AuthenticationFailed(check.error)
        return check.token.user, check.token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
