"""Insights REST views: a queryset, a serializer and the findings query; rules live elsewhere.

A finding in a namespace shows to whoever sees that namespace; a cluster-wide one (a node,
the cluster) only to whoever sees every namespace.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.scoping import request_namespaces
from webapp.insights.api import serializers
from webapp.insights.checks import all_checks
from webapp.insights.filters import ORDERINGS, FindingQuery, scoped
from webapp.insights.models import CheckRun, Finding
from webapp.inventory.api.views import InventoryPagination

FILTERS = [
    OpenApiParameter("severity", str, description="Severities, comma-separated: info,warning,"
                     "critical"),
    OpenApiParameter("min_severity", str, description="This severity or worse."),
    OpenApiParameter("namespace", str, description="Namespaces, comma-separated."),
    OpenApiParameter("check", str, description="Check ids, comma-separated."),
    OpenApiParameter("subject_kind", str, description="Subject kinds, comma-separated."),
    OpenApiParameter("state", str, enum=["open", "resolved", "all"],
                     description="Default open."),
    OpenApiParameter("ordering", str, description=f"Comma list of {', '.join(ORDERINGS)}; "
                     "a leading - reverses. Default -severity,namespace,check,subject."),
]


class FindingList(generics.ListAPIView):
    """GET /api/v1/insights: the findings the caller may see, filtered and paginated."""

    serializer_class = serializers.FindingSerializer
    pagination_class = InventoryPagination

    def get_queryset(self) -> QuerySet[Finding]:
        try:
            query = FindingQuery.from_params(self.request.query_params)
        except ValueError as exc:
            raise ParseError(str(exc)) from exc
        return query.apply(scoped(Finding.objects.all(), request_namespaces(self.request)))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "namespaces": request_namespaces(self.request)}

    @extend_schema(parameters=FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class FindingDetail(generics.RetrieveAPIView):
    """GET /api/v1/insights/<id>: one finding, open or resolved."""

    serializer_class = serializers.FindingSerializer
    lookup_url_kwarg = "id"

    def get_queryset(self) -> QuerySet[Finding]:
        return scoped(Finding.objects.all(), request_namespaces(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "namespaces": request_namespaces(self.request)}


class CheckList(APIView):
    """GET /api/v1/insights/checks: every check, its last run and its open findings."""

    @extend_schema(responses={200: serializers.CheckSerializer(many=True)})
    def get(self, request: Request) -> Response:
        runs = {r.check_id: r for r in CheckRun.objects.all()}
        visible = scoped(Finding.objects.filter(state=Finding.State.OPEN),
                         request_namespaces(request))
        counts = dict(visible.order_by().values_list("check_id").annotate(n=Count("id")))
        rows = [
            {
                "id": check.id,
                "title": check.title,
                "book_row": check.book_row,
                "description": check.description,
                "last_run": _run(runs.get(check.id)),
                "open_count": counts.get(check.id, 0),
            }
            for check in all_checks()
        ]
        return Response(serializers.CheckSerializer(rows, many=True).data)


def _run(run: CheckRun | None) -> dict[str, Any]:
    if run is None:
        return {"at": None, "status": "never", "error": "", "finding_count": 0,
                "duration_ms": 0.0}
    return {"at": run.last_run_at, "status": run.status, "error": run.error,
            "finding_count": run.finding_count, "duration_ms": run.duration_ms}
