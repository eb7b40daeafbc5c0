"""Small helpers for the API tests: JSON calls with a bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def call(client: Client, method: str, path: str, token: str | None = None,
         body: Any = None) -> Any:
    """`client.<method>(path)` with JSON and, if given, `Authorization: Bearer <token>`."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs.update(data=body if isinstance(body, str | bytes) else json.dumps(body),
                      content_type="application/json")
    return getattr(client, method)(path, **kwargs)
