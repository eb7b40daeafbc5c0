"""Who may call the REST API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class MeshwatchAccess(BasePermission):
    """Authenticated users in `login` mode; anyone, read-only, in `anonymous` mode."""

    message = "Authentication required: log in or send Authorization: Bearer <token>."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return settings.MESHWATCH_AUTH == "anonymous" and request.method in SAFE_METHODS
