"""DRF authentication by `Authorization: Bearer <token>`."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from webapp.accounts.tokens import authenticate_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Accepts API tokens issued by `issue_token` or the UI."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[object, object] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = authenticate_token(raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("The API token is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
