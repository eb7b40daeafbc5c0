"""Envoy response flags on an edge: the proxy says why requests failed, so say what to look at.

Istio's telemetry carries Envoy's flags per request (webapp/traffic/flags.py). A 503 alone
could be the application's; a 503 with UH means the caller's proxy found no healthy
upstream and never sent it. The book's table maps each flag to the first thing to check.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import EdgeSample
from webapp.insights.checks import traffic_common as t
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy

ID = "traffic_response_flags"
BOOK_ROW = (
    "503 with UH flag → no healthy upstream: check endpoints and outlier detection "
    "(UF/URX: upstream connection failures and retries; UO: circuit breaker; NR: no route)"
)
# A finding once flagged requests reach this share of an edge's requests (and MIN_REQUESTS
# requests in the window); critical from Kiali's failure threshold for 5xx on.
FLAG_SHARE_WARNING = 0.01
FLAG_SHARE_CRITICAL = 0.10

# What each flag means and which family of remedy it belongs to.
MEANINGS: dict[str, tuple[str, str]] = {
    "UH": ("no healthy upstream: the cluster has no ready endpoint", "endpoints"),
    "NR": ("no route configured for the request (or no matching subset)", "endpoints"),
    "NC": ("upstream cluster not found", "endpoints"),
    "UF": ("upstream connection failure", "upstream"),
    "URX": ("retry or connect-attempt limit reached", "upstream"),
    "UC": ("upstream connection terminated", "upstream"),
    "UR": ("upstream remote reset", "upstream"),
    "LH": ("local health check failed", "upstream"),
    "UO": ("upstream overflow: circuit breaker limits reached", "overflow"),
    "UT": ("upstream request timeout", "timeout"),
    "DC": ("downstream connection terminated before a response", "timeout"),
    "SI": ("stream idle timeout", "timeout"),
    "LR": ("connection locally reset", "upstream"),
    "RL": ("rate limited locally or by the rate-limit service", "limits"),
    "UAEX": ("denied by the external authorization service", "limits"),
    "RLSE": ("rate-limit service error", "limits"),
    "DPE": ("downstream protocol error", "protocol"),
    "UPE": ("upstream protocol error", "protocol"),
    "UMSDR": ("upstream max stream duration reached", "timeout"),
    "DI": ("request delayed by fault injection", "fault"),
    "FI": ("request aborted by fault injection", "fault"),
}
FAMILY_TEXT = {
    "endpoints": "Check that the Service has ready endpoints and that the DestinationRule's "
    "subsets match pod labels (UH, NR).",
    "upstream": "Check the upstream pods' health and restarts, outlier detection ejecting "
    "them, and the VirtualService's retry policy (UF, URX).",
    "overflow": "Raise the DestinationRule's connectionPool limits or scale the upstream: "
    "the circuit breaker is refusing requests (UO).",
    "timeout": "Compare the VirtualService timeout with the upstream's latency, and the "
    "clients' own timeouts (UT, DC).",
    "limits": "Review the rate limits and authorization policy that refuse these requests.",
    "protocol": "Check the port's protocol: Service port names (http-, grpc-) or appProtocol.",
    "fault": "A VirtualService injects faults here: remove the fault block when done testing.",
    "other": "Look the flag up in Envoy's access-log documentation (%RESPONSE_FLAGS%).",
}


def _commands(edge: EdgeSample, families: list[str]) -> list[str]:
    """kubectl/istioctl lines for the flag families seen, with the edge's real names quoted."""
    dst, src = edge.destination, edge.source
    ns, svc = t.q(dst.namespace), t.q(dst.service or dst.workload)
    lines = [f"kubectl get destinationrule,virtualservice -n {ns} -o yaml"]
    if "endpoints" in families and dst.service:
        lines.insert(0, f"kubectl get endpointslices -n {ns} "
                        f"-l kubernetes.io/service-name={t.q(dst.service)} -o wide")  # fmt: skip
    if not dst.is_unknown:
        lines.append(f"kubectl get pods -n {ns} -l {t.q('app=' + (dst.app or dst.workload))} "
                     "-o wide")  # fmt: skip
    if not src.is_unknown:
        lines.append(f"istioctl proxy-config endpoints deploy/{t.q(src.workload)} "
                     f"-n {t.q(src.namespace)} | grep {svc}")  # fmt: skip
    return lines


def _flagged(edge: EdgeSample) -> dict[str, float]:
    return {flag: n for flag, n in edge.response_flags.items() if n > 0}


def finding(edge: EdgeSample, window_s: float) -> Draft | None:
    """The draft for one edge, or None when its flags stay under the thresholds."""
    flags = _flagged(edge)
    if not flags or edge.requests < t.MIN_REQUESTS:
        return None
    worst = max(flags.values())  # flags overlap (one request, several flags): not a sum
    share = worst / edge.requests
    if share < FLAG_SHARE_WARNING:
        return None
    ordered = sorted(flags, key=lambda f: (-flags[f], f))
    families = list(dict.fromkeys(MEANINGS.get(f, ("", "other"))[1] for f in ordered))
    subject = t.edge_subject(edge)
    named = ", ".join(f"{f} ({MEANINGS[f][0]})" if f in MEANINGS else f for f in ordered[:3])
    return Draft(
        check=ID,
        severity="critical" if share >= FLAG_SHARE_CRITICAL else "warning",
        subject=subject,
        title=f"Envoy flags {', '.join(ordered[:3])} on {subject.name}",
        message=f"{share:.1%} of the requests on {subject.name} carry Envoy response flags: "
        f"{named}. The proxy, not the application, failed or refused them.",
        evidence={
            "flags": {
                f: {
                    "requests": round(flags[f], 3),
                    "share": t.share(flags[f], edge.requests),
                    "meaning": MEANINGS.get(f, ("unknown flag", ""))[0],
                }
                for f in ordered
            },
            "rps": t.per_second(edge.requests, window_s),
            "flagged_rps": t.per_second(worst, window_s),
            "protocol": edge.protocol,
            "mesh": edge.mesh,
        },  # fmt: skip
        remedy=Remedy(
            " ".join(FAMILY_TEXT[f] for f in families),
            "\n".join(_commands(edge, families)),
            "shell",
        ),  # fmt: skip
        key=edge.protocol,
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per edge whose flagged share passes FLAG_SHARE_WARNING."""
    for edge in context.edges:
        draft = finding(edge, t.seconds(edge, context.window_s))
        if draft is not None:
            yield draft


CHECK = Check(
    id=ID,
    title="Requests failed by the proxy (Envoy response flags)",
    book_row=BOOK_ROW,
    run=run,
    description="Istio edges whose requests carry Envoy response flags (UH, NR, UF, URX, UO, "
    f"UT, DC, ...) on at least {FLAG_SHARE_WARNING:.0%} of their requests; critical from "
    f"{FLAG_SHARE_CRITICAL:.0%}. The remedy follows the flags seen.",
)
