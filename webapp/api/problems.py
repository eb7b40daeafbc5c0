"""Every error under /api/ as RFC 9457 problem details (`application/problem+json`).

A problem reads `{"type", "title", "status", "detail", "instance"}`; validation errors add
`errors`, DRF's field → messages mapping, kept as is so programs can point at the field.
`type` is "about:blank" (RFC 9457 §4.2.1): the HTTP status says what kind of problem it is
and `title` is that status's phrase. DRF exceptions come through `exception_handler`
(REST_FRAMEWORK's EXCEPTION_HANDLER); Django's own 400/403/404/500 for /api/ paths come
through the `handler*` views that webapp/urls.py names; anything else that answers an error
under /api/ in another shape (a view returning `{"detail": ...}` itself, a middleware, the
CSRF failure page) is rewritten by ProblemMiddleware, so the contract holds for every view.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
MAX_DETAIL_CHARS = 2000
INTERNAL_ERROR = "The server failed to answer this request; the error is logged."

log = logging.getLogger("webapp.api")


def problem(status: int, detail: str, instance: str = "",
            errors: Any = None) -> dict[str, Any]:
    """The problem document of `status` with a human `detail` about this occurrence."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail[:MAX_DETAIL_CHARS],
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def flatten(errors: Any, prefix: str = "") -> list[str]:
    """Validation messages as `field: message` sentences, nested fields dotted."""
    if isinstance(errors, dict):
        return [m for k, v in errors.items()
                for m in flatten(v, f"{prefix}{k}." if isinstance(v, dict) else f"{prefix}{k}: ")]
    if isinstance(errors, list):
        return [m for item in errors for m in flatten(item, prefix)]
    return [f"{prefix}{errors}"]


def problem_response(status: int, detail: str, request: Any = None, errors: Any = None,
                     headers: dict[str, str] | None = None) -> Response:
    """A DRF Response carrying a problem, for views that answer an error themselves."""
    instance = getattr(request, "path", "") if request is not None else ""
    return Response(problem(status, detail, instance, errors), status=status,
                    headers=headers, content_type=PROBLEM_JSON)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: DRF's own handling (headers such as Retry-After and
    WWW-Authenticate kept), its body turned into a problem; anything else is a logged 500."""
    request = context.get("request")
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an APIException: a bug. Log it with its traceback; the body says nothing more.
        log.exception("unhandled error in %s", getattr(request, "path", "?"))
        set_rollback()
        return problem_response(500, INTERNAL_ERROR, request)
    detail, errors = _detail_and_errors(exc, response.data)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return problem_response(response.status_code, detail, request, errors, headers)


def _detail_and_errors(exc: Exception, data: Any) -> tuple[str, Any]:
    """The problem's `detail` and, for field validation, `errors`."""
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict) and set(data) == {"detail"}:
            return str(data["detail"]), None
        if isinstance(data, list):  # serializer-wide errors arrive as a bare list
            data = {"non_field_errors": data}
        return "; ".join(flatten(data)) or "Invalid input.", data
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"]), None
    return "; ".join(flatten(data)), None


# --- Django's error views: problem+json under /api/, the usual HTML pages elsewhere --------


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _django_problem(request: HttpRequest, status: int, detail: str) -> JsonResponse:
    return JsonResponse(problem(status, detail, request.path), status=status,
                        content_type=PROBLEM_JSON)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused before any view (say, a suspicious header)."""
    if _api(request):
        return _django_problem(request, 400, "The request could not be understood.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403."""
    if _api(request):
        return _django_problem(request, 403, "You may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an unknown /api/ path (or a view's Http404) reads as a problem."""
    if _api(request):
        return _django_problem(request, 404, f"No API resource answers at {request.path[:200]}.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django already logged the exception; the body hides its internals."""
    if _api(request):
        return _django_problem(request, 500, INTERNAL_ERROR)
    return defaults.server_error(request)


# --- the safety net: any other error answer under /api/ ------------------------------------

KEPT_HEADERS = ("Retry-After", "WWW-Authenticate", "Allow")


def _detail_of(response: HttpResponse) -> tuple[str, Any]:
    """What an error response said, if it said it in JSON; else the status's phrase."""
    body: Any = None
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"], body.get("errors")
    if isinstance(body, dict | list) and body:
        return "; ".join(flatten(body)), None
    return _title(response.status_code), None


class ProblemMiddleware:
    """Rewrites error answers under /api/ that are not problem+json yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code < 400 or not _api(request) or response.streaming
                or response.get("Content-Type", "").startswith(PROBLEM_JSON)):
            return response
        detail, errors = _detail_of(response)
        rewritten = JsonResponse(problem(response.status_code, detail, request.path, errors),
                                 status=response.status_code, content_type=PROBLEM_JSON)
        for header in KEPT_HEADERS:
            if header in response:
                rewritten[header] = response[header]
        return rewritten
