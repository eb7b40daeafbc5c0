"""Edges failing by Kiali's health rules: the graph paints them red, this says so continuously.

The thresholds are the graph's (webapp/graph/options.HealthThresholds, configured through
MESHWATCH_HEALTH_*), so a finding and a red or orange edge always agree. Only crossings
count: Kiali's "any error is degraded" would report every edge with one stray 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import EdgeSample
from webapp.graph.options import HealthThresholds
from webapp.insights.checks import traffic_common as t
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy

ID = "traffic_error_ratio"
BOOK_ROW = (
    "High 5xx/4xx/gRPC error ratio on an edge → read the server's logs and the edge's "
    "response codes; check recent rollouts of both ends"
)
# The context may carry the thresholds the engine read from settings (extra["health"]).
EXTRA_KEY = "health"


def thresholds(context: InsightContext) -> HealthThresholds:
    """The configured thresholds: from the context, else from settings."""
    given = context.extra.get(EXTRA_KEY)
    if isinstance(given, HealthThresholds):
        return given
    from webapp.graph.services import health_thresholds

    return health_thresholds()


def crossings(edge: EdgeSample, limits: HealthThresholds) -> list[tuple[str, str, float, float]]:
    """(severity, error class, ratio, threshold) for every threshold the edge crosses.

    As in the graph's edge_health: requests without a response count with the 5xx, and a
    threshold is crossed at ≥.
    """
    ratio = {
        "5xx": (edge.errors_5xx + edge.no_response) / edge.requests,
        "4xx": edge.errors_4xx / edge.requests,
        "grpc": edge.errors_grpc / edge.requests,
    }
    rules = [
        ("critical", "5xx", limits.failure_5xx),
        ("critical", "4xx", limits.failure_4xx),
        ("critical", "grpc", limits.failure_grpc),
        ("warning", "4xx", limits.degraded_4xx),
    ]
    found = [(sev, cls, ratio[cls], limit) for sev, cls, limit in rules if ratio[cls] >= limit]
    # A 4xx ratio past the failure line is not also reported as merely degraded.
    critical = {cls for sev, cls, _, _ in found if sev == "critical"}
    return [f for f in found if f[0] == "critical" or f[1] not in critical]


def finding(edge: EdgeSample, window_s: float, limits: HealthThresholds) -> Draft | None:
    """The draft for one edge, or None when it is healthy by the thresholds (or too quiet)."""
    if edge.requests < t.MIN_REQUESTS:
        return None
    crossed = crossings(edge, limits)
    if not crossed:
        return None
    severity = "critical" if any(c[0] == "critical" for c in crossed) else "warning"
    subject = t.edge_subject(edge)
    worded = ", ".join(f"{ratio:.1%} {cls} (threshold {limit:.0%})"
                       for _, cls, ratio, limit in crossed)  # fmt: skip
    dst = edge.destination
    ns, name = t.q(dst.namespace), t.q(dst.workload if not dst.is_unknown else dst.service)
    return Draft(
        check=ID,
        severity=severity,
        subject=subject,
        title=f"{subject.name} fails {crossed[0][2]:.0%} of requests ({crossed[0][1]})",
        message=f"Requests on {subject.name} over the last {window_s:.0f} s: {worded}.",
        evidence={
            "rps": t.per_second(edge.requests, window_s),
            "requests": round(edge.requests, 3),
            "errors": {
                "5xx": round(edge.errors_5xx, 3),
                "4xx": round(edge.errors_4xx, 3),
                "grpc": round(edge.errors_grpc, 3),
                "no_response": round(edge.no_response, 3),
            },
            "ratios": {cls: round(ratio, 4) for _, cls, ratio, _ in crossed},
            "thresholds": {f"{sev}_{cls}": limit for sev, cls, _, limit in crossed},
            "response_flags": dict(edge.response_flags),
            "protocol": edge.protocol,
        },  # fmt: skip
        remedy=Remedy(
            "Read the server's logs for these errors and compare with its latest rollout; "
            "4xx point at the client's requests, 5xx and gRPC errors at the server or what it "
            "depends on.",
            "\n".join(
                (
                    f"kubectl logs -n {ns} deploy/{name} --since=10m | tail -n 100",
                    f"kubectl rollout history -n {ns} deploy/{name}",
                )
            )
            if not dst.is_unknown
            else f"kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={name}",
            "shell",
        ),  # fmt: skip
        key=edge.protocol,
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per edge past a health threshold."""
    limits = thresholds(context)
    for edge in context.edges:
        draft = finding(edge, t.seconds(edge, context.window_s), limits)
        if draft is not None:
            yield draft


CHECK = Check(
    id=ID,
    title="Edges past the error-ratio thresholds",
    book_row=BOOK_ROW,
    run=run,
    description="Kiali's edge health rules (5xx and no response ≥ 10%, 4xx ≥ 20%, gRPC ≥ 10%: "
    "critical; 4xx ≥ 10%: warning), as configured by MESHWATCH_HEALTH_*, on edges with at "
    f"least {t.MIN_REQUESTS:g} requests in the window.",
)
