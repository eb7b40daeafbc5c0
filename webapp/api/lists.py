"""What every list endpoint shares: pagination, `ordering=` and the `since`/`until` window.

A viewset declares what it allows and nothing else:

    ordering_fields = {"name": "name", "namespace": "namespace__name"}  # API name → ORM path
    time_field = "created_at"                                            # since/until filter

Unknown ordering fields and unreadable times are a 400 naming them (DRF's own OrderingFilter
drops unknown fields silently, which reads as "sorted" when it was not).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ParseError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from webapp.timeparse import parse_time

MAX_ORDERING_TERMS = 5


class Pagination(PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `?page=` and `?page_size=` (at most 1000)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_query_description = "Page number, from 1."
    page_size_query_description = "Results per page: 100 unless given, at most 1000."


def _declared(view: Any) -> Mapping[str, str]:
    fields = getattr(view, "ordering_fields", None) or {}
    return fields if isinstance(fields, Mapping) else {name: name for name in fields}


class DeclaredOrdering(BaseFilterBackend):
    """`?ordering=name,-created_at` over the view's declared `ordering_fields` only."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        fields = _declared(view)
        raw = request.query_params.get("ordering", "")
        if not fields or not raw.strip():
            return queryset
        terms = [t.strip() for t in raw.split(",") if t.strip()]
        if len(terms) > MAX_ORDERING_TERMS:
            raise ParseError(f"ordering takes at most {MAX_ORDERING_TERMS} fields")
        order = []
        for term in terms:
            name = term.removeprefix("-")
            if name not in fields:
                raise ParseError(f"ordering: {name[:60]!r} is not one of "
                                 f"{', '.join(sorted(fields))}")
            order.append(("-" if term.startswith("-") else "") + fields[name])
        return queryset.order_by(*order, "pk")  # pk last: pages stay stable on ties

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = sorted(_declared(view))
        if not fields:
            return []
        return [{
            "name": "ordering", "required": False, "in": "query",
            "description": "Comma-separated fields to sort by; a leading - sorts descending. "
            f"One of: {', '.join(fields)}.",
            "schema": {"type": "string"},
        }]


def _time(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse_time(raw[:64])
    except ValueError as exc:
        raise ParseError(f"{name}: {exc}") from exc


class TimeWindow(BaseFilterBackend):
    """`?since=TIME&until=TIME` (Unix seconds or ISO 8601) on the view's `time_field`."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        field = getattr(view, "time_field", None)
        if not field:
            return queryset
        since = _time(request.query_params, "since")
        until = _time(request.query_params, "until")
        if since and until and until < since:
            raise ParseError("until must not be before since")
        if since:
            queryset = queryset.filter(**{f"{field}__gte": since})
        if until:
            queryset = queryset.filter(**{f"{field}__lt": until})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        field = getattr(view, "time_field", None)
        if not field:
            return []
        return [
            {"name": name, "required": False, "in": "query", "schema": {"type": "string"},
             "description": f"Only rows whose {field} is {text} this time "
             "(Unix seconds or ISO 8601)."}
            for name, text in (("since", "at or after"), ("until", "before"))
        ]


TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")
MAX_FILTER_VALUES = 50


def _cast(name: str, kind: type, raw: str) -> Any:
    if kind is bool:
        if raw.lower() in TRUE + FALSE:
            return raw.lower() in TRUE
        raise ParseError(f"{name}: {raw[:40]!r} is not true or false")
    if kind is int:
        if not raw.isdigit() or len(raw) > 18:
            raise ParseError(f"{name}: {raw[:40]!r} is not a number")
        return int(raw)
    if "\x00" in raw:  # PostgreSQL cannot hold NUL in text: refuse it rather than fail
        raise ParseError(f"{name}: a value may not contain NUL")
    return raw[:253]


class EqualFilter(BaseFilterBackend):
    """`?field=a,b` over the view's declared `filter_fields`: API name → (ORM path, type,
    description); several comma-separated values match any of them."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        for name, (path, kind, _text) in getattr(view, "filter_fields", {}).items():
            raw = request.query_params.get(name)
            if raw is None or not raw.strip():
                continue
            values = [v.strip() for v in raw.split(",") if v.strip()][:MAX_FILTER_VALUES]
            casted = [_cast(name, kind, v) for v in values]
            if kind is bool:
                queryset = queryset.filter(**{path: casted[0]})
            else:
                queryset = queryset.filter(**{f"{path}__in": casted})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        types = {bool: "boolean", int: "string", str: "string"}
        return [
            {"name": name, "required": False, "in": "query", "description": text,
             "schema": {"type": types[kind]}}
            for name, (_path, kind, text) in getattr(view, "filter_fields", {}).items()
        ]
