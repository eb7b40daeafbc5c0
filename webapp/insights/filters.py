"""The findings query both REST (`/api/v1/insights?...`) and the live topic parse.

`severity=warning,critical` or `min_severity=warning`, `namespace=a,b` (also `namespaces`),
`check=a,b`, `subject_kind=service,pod`, `state=open|resolved|all` (default open) and
`ordering=-severity,first_seen`. Every value is checked; a bad one is a ValueError whose
sentence names it, which callers turn into a 400 or a socket error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from webapp.graph.options import parse_namespaces
from webapp.insights.checks.base import SEVERITIES, SUBJECT_KINDS
from webapp.insights.models import SEVERITY_RANK, Finding

STATES = ("open", "resolved", "all")
# Public ordering names → columns; `severity` sorts by rank, not alphabetically.
ORDERINGS = {
    "severity": "severity_rank",
    "first_seen": "first_seen",
    "last_seen": "last_seen",
    "resolved_at": "resolved_at",
    "check": "check_id",
    "namespace": "namespace",
    "subject": "subject_id",
    "title": "title",
    "id": "id",
}
DEFAULT_ORDERING = ("-severity", "namespace", "check", "subject")
_CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MAX_ITEMS = 50


def _items(value: object, name: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    raw = value if isinstance(value, list | tuple) else str(value).split(",")
    items = tuple(sorted({str(i).strip() for i in raw if str(i).strip()}))
    if len(items) > _MAX_ITEMS:
        raise ValueError(f"{name}: at most {_MAX_ITEMS} values")
    return items


def _among(items: tuple[str, ...], allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    for item in items:
        if item not in allowed:
            raise ValueError(f"{name} {item[:40]!r} is not one of {', '.join(allowed)}")
    return items


@dataclass(frozen=True)
class FindingQuery:
    """A parsed findings query; empty tuples mean "any"."""

    severities: tuple[str, ...] = ()
    min_severity: str = ""
    namespaces: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    subject_kinds: tuple[str, ...] = ()
    state: str = "open"
    ordering: tuple[str, ...] = DEFAULT_ORDERING
    at: None = None  # never pinned: findings are "now"

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> FindingQuery:
        """Parse query or socket params; raises ValueError naming the bad parameter."""
        min_severity = str(params.get("min_severity") or "").strip()
        if min_severity:
            _among((min_severity,), SEVERITIES, "min_severity")
        checks = _items(params.get("check") or params.get("checks"), "check")
        for check in checks:
            if not _CHECK_ID.match(check):
                raise ValueError(f"check {check[:40]!r} is not a check id")
        state = str(params.get("state") or "open").strip()
        _among((state,), STATES, "state")
        return cls(
            severities=_among(_items(params.get("severity"), "severity"), SEVERITIES, "severity"),
            min_severity=min_severity,
            namespaces=parse_namespaces(params.get("namespace") or params.get("namespaces")),
            checks=checks,
            subject_kinds=_among(
                _items(params.get("subject_kind"), "subject_kind"), SUBJECT_KINDS, "subject_kind"
            ),
            state=state,
            ordering=_ordering(params.get("ordering")),
        )

    def as_params(self) -> dict[str, object]:
        """The canonical params (live views are shared by them)."""
        return {
            "severity": ",".join(self.severities),
            "min_severity": self.min_severity,
            "namespaces": ",".join(self.namespaces),
            "check": ",".join(self.checks),
            "subject_kind": ",".join(self.subject_kinds),
            "state": self.state,
            "ordering": ",".join(self.ordering),
        }

    def apply(self, queryset: QuerySet[Finding]) -> QuerySet[Finding]:
        """`queryset` narrowed and ordered by this query."""
        if self.state != "all":
            queryset = queryset.filter(state=self.state)
        if self.severities:
            queryset = queryset.filter(severity__in=self.severities)
        if self.min_severity:
            queryset = queryset.filter(severity_rank__gte=SEVERITY_RANK[self.min_severity])
        if self.namespaces:
            queryset = queryset.filter(namespace__in=self.namespaces)
        if self.checks:
            queryset = queryset.filter(check_id__in=self.checks)
        if self.subject_kinds:
            queryset = queryset.filter(subject_kind__in=self.subject_kinds)
        columns = [("-" if o.startswith("-") else "") + ORDERINGS[o.lstrip("-")]
                   for o in self.ordering]
        return queryset.order_by(*columns, "id")


def _ordering(value: object) -> tuple[str, ...]:
    if value in (None, ""):
        return DEFAULT_ORDERING
    items = [i.strip() for i in str(value).split(",") if i.strip()][:_MAX_ITEMS]
    for item in items:
        if item.lstrip("-") not in ORDERINGS:
            raise ValueError(f"ordering {item[:40]!r}: use one of {', '.join(ORDERINGS)}")
    return tuple(items) or DEFAULT_ORDERING


def scoped(queryset: QuerySet[Finding], visible: set[str] | None) -> QuerySet[Finding]:
    """Only findings `visible` allows: cluster-wide ones (namespace "") need every namespace."""
    return queryset if visible is None else queryset.filter(namespace__in=sorted(visible))
