"""REST views of the accounts app: the caller's own tokens, and the audit log for admins.

`/api/v1/tokens` lists and creates the caller's tokens; `DELETE /api/v1/tokens/<id>` revokes
one (an admin, with an admin-scope token if through one, anyone's). Creating needs a write
token or a session, and never yields more than the creator has (services.py).
`/api/v1/audit` is for admins only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts import services
from webapp.accounts.api import serializers as s
from webapp.accounts.audit import client_address
from webapp.accounts.models import ApiToken, AuditEvent
from webapp.accounts.permissions import AdminOnly, MeshwatchAccess
from webapp.api.lists import DeclaredOrdering, Pagination, TimeWindow


def _via(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class TokenListView(APIView):
    """The caller's own tokens (newest first); POST creates one, shown once."""

    # Anonymous (demo) callers own no tokens, even where anonymous reads are allowed.
    permission_classes = [MeshwatchAccess, IsAuthenticated]

    @extend_schema(responses={200: s.ApiTokenSerializer(many=True)})
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user).select_related("user")
        return Response(s.ApiTokenSerializer(tokens.order_by("-created_at")[:1000],
                                             many=True).data)

    @extend_schema(request=s.TokenCreateSerializer,
                   responses={201: s.CreatedTokenSerializer, 400: dict, 429: dict})
    def post(self, request: Request) -> Response:
        body = s.TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            token, raw = services.create_token(request.user, body.to_request(),
                                               address=client_address(request),
                                               via=_via(request))
        except services.TokenRequestError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except services.RateLimited as exc:
            return Response({"detail": str(exc).capitalize() + "."},
                            status=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(exc.retry_after)})
        data = dict(s.ApiTokenSerializer(token).data, token=raw)  # shown this once
        return Response(data, status=status.HTTP_201_CREATED)


_TOKEN_ID = OpenApiParameter("token_id", int, OpenApiParameter.PATH,
                             description="The token's id, from GET /api/v1/tokens.")


class TokenDetailView(APIView):
    """One of the caller's tokens; DELETE revokes it (admins: anyone's, with admin scope)."""

    permission_classes = [MeshwatchAccess, IsAuthenticated]

    @extend_schema(parameters=[_TOKEN_ID], responses={200: s.ApiTokenSerializer})
    def get(self, request: Request, token_id: int) -> Response:
        return Response(s.ApiTokenSerializer(self._token(request, token_id)).data)

    @extend_schema(parameters=[_TOKEN_ID], responses={204: None, 404: dict})
    def delete(self, request: Request, token_id: int) -> Response:
        token = services.revoke(request.user, self._token(request, token_id).pk, via=_via(request))
        if token is None:
            raise NotFound("No such token of yours.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _token(self, request: Request, token_id: int) -> ApiToken:
        token = services.revocable(request.user, _via(request)).select_related("user").filter(
            pk=token_id).first()
        if token is None:
            raise NotFound("No such token of yours.")
        return token


class AuditEventListView(generics.ListAPIView):
    """The audit log, newest first: `?action=token.create`, `?user=alice`, `since`/`until`."""

    permission_classes = [MeshwatchAccess, AdminOnly]
    serializer_class = s.AuditEventSerializer
    pagination_class = Pagination
    filter_backends = [TimeWindow, DeclaredOrdering]
    ordering_fields = {"at": "at", "action": "action", "username": "username"}
    time_field = "at"

    @extend_schema(parameters=[
        OpenApiParameter("action", str, description="Only this action, e.g. login.failure."),
        OpenApiParameter("user", str, description="Only this username."),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        rows = AuditEvent.objects.order_by("-at", "-id")
        params = self.request.query_params
        for name, field in (("action", "action"), ("user", "username")):
            value = params.get(name)
            if value is not None:
                if len(value) > 150:
                    raise ParseError(f"{name} is at most 150 characters")
                rows = rows.filter(**{field: value})
        return rows
