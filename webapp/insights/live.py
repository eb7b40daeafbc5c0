"""The live `insights` topic: the findings a query selects, a delta after every cycle.

Params are the REST query's (`namespaces`, `severity`, `min_severity`, `check`,
`subject_kind`, `state`). The pipeline evaluates insights before it publishes, so each
cycle's delta carries that cycle's opened, changed and resolved findings. A viewer limited
to some namespaces must name them (live/permissions.py), which also keeps cluster-wide
findings (namespace "") out of its view.

Every evaluation moves the `last_seen` of each finding still reported, so sending it with
each finding would make every delta carry every open finding again. The document has one
`seen_at` instead (the latest evaluation that saw a finding) and an open finding's
`last_seen` is null when it equals `seen_at`; a finding whose check failed since keeps its
own, older time. Clients read `last_seen ?? seen_at`; REST keeps the plain field.
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
    """The snapshot: `findings` (REST's shape, by id, `last_seen` as above), `seen_at`,
    `counts` per severity, `total` and `left_off`."""
    rows = query.apply(Finding.objects.all())
    total = rows.count()
    items = list(rows[:MAX_ITEMS])
    # Whole: a socket limited to some namespaces gets its copy rewritten (live/consumers.py,
    # insights/scope.py), as the graph's; the view is shared by every socket asking the same.
    findings = list(FindingSerializer(items, many=True).data)
    open_seen = [f.last_seen for f in items if f.state == Finding.State.OPEN]
    seen_at = max(open_seen, default=None)
    for item, doc in zip(items, findings, strict=True):
        if item.state == Finding.State.OPEN and item.last_seen == seen_at:
            doc["last_seen"] = None
    counts = dict(rows.order_by().values_list("severity").annotate(n=Count("id")))
    return {
        "generated_at": timezone.now().isoformat(),
        "seen_at": seen_at.isoformat() if seen_at else None,
        "findings": findings,
        "counts": counts,
        "total": total,
        "left_off": max(0, total - MAX_ITEMS),
    }
