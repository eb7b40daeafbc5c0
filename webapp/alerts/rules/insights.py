"""The insight kind: any finding of the continuous checks at or above a severity."""

from __future__ import annotations

from webapp.alerts.models import SEVERITY_RANK, Severity
from webapp.alerts.rules.base import Context, KindResult, Observation, RuleSpec

NO_INSIGHTS = "no insights are produced yet"


def insight_severity(spec: RuleSpec, context: Context) -> KindResult:
    """Findings whose severity ranks at or above `params.min_severity` (default warning)."""
    findings = context.insights()
    if not findings:
        return KindResult(note=NO_INSIGHTS)
    wanted = str(spec.params.get("min_severity", "warning"))
    floor = SEVERITY_RANK[Severity(wanted)] if wanted in Severity.values else 1
    found = []
    for finding in findings:
        if not spec.scope.has_namespace(finding.namespace):
            continue
        known = finding.severity in Severity.values
        rank = SEVERITY_RANK[Severity(finding.severity)] if known else 0
        labels = {"insight": finding.check, "namespace": finding.namespace, **finding.labels}
        evidence = {"severity": finding.severity, "message": finding.message}
        found.append(Observation(f"insight:{finding.id}", labels, float(rank), rank >= floor,
                                 evidence))
    return KindResult(tuple(found))
