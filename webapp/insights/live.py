"""The live `insights` topic: the findings a query selects, a delta after every cycle.

Params are the REST query's (`namespaces`, `severity`, `min_severity`, `check`,
`subject_kind`, `state`). The pipeline evaluates insights before it publishes, so each
cycle's delta carries that cycle's opened, changed and resolved findings. A viewer limited
to some namespaces must name them (live/permissions.py), which also keeps cluster-wide
findings (namespace "") out of its view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone

from webapp.insights.api.serializers import FindingSerializer
from webapp.insights.filters import FindingQuery
from webapp.insights.models import Finding

TOPIC = "insights"
MAX_ITEMS = 1000  # a snapshot past this keeps the most severe and says how many it left out


def parse_insights(params: Mapping[str, object]) -> FindingQuery:
    """Socket params as the REST query; ValueError names a bad one."""
    return FindingQuery.from_params(params)


def build_insights(query: FindingQuery) -> dict[str, Any]:
    """The snapshot: `findings` (REST's shape, by id), `counts` per severity, `left_off`."""
    rows = query.apply(Finding.objects.all())
    total = rows.count()
    findings = FindingSerializer(rows[:MAX_ITEMS], many=True).data
    counts = dict(rows.order_by().values_list("severity").annotate(n=Count("id")))
    return {
        "generated_at": timezone.now().isoformat(),
        "findings": list(findings),
        "counts": counts,
        "total": total,
        "left_off": max(0, total - MAX_ITEMS),
    }
