"""Traffic leaving the mesh unaccounted: PassthroughCluster, BlackHoleCluster, unknown hosts.

With outboundTrafficPolicy ALLOW_ANY (Istio's default) a sidecar forwards a request for a host
it does not know through PassthroughCluster: it works, but nobody declared it, no policy or
telemetry names the host, and mTLS/egress rules cannot apply. Under REGISTRY_ONLY the same
request goes to BlackHoleCluster and fails. Either way the fix is to declare the host.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import EdgeSample
from webapp.insights.checks import traffic_common as t
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy

ID = "traffic_passthrough"
BOOK_ROW = (
    "Traffic to PassthroughCluster/BlackHoleCluster → egress leaving the mesh unaccounted: "
    "add a ServiceEntry and set outboundTrafficPolicy REGISTRY_ONLY"
)
PASSTHROUGH = "PassthroughCluster"
BLACKHOLE = "BlackHoleCluster"
# Services telemetry names when it could not tell where a request went.
UNKNOWN_SERVICES = ("", "unknown")
# Below this many requests (or bytes, for TCP) in the window an egress edge is not reported.
MIN_REQUESTS = 1.0
MIN_BYTES = 1024.0


def kind_of(edge: EdgeSample) -> str | None:
    """ "passthrough", "blackhole", "unknown" (no workload, no service) or None."""
    dst = edge.destination
    if not dst.is_unknown:
        return None
    if dst.service == PASSTHROUGH:
        return "passthrough"
    if dst.service == BLACKHOLE:
        return "blackhole"
    if dst.service in UNKNOWN_SERVICES and not edge.source.is_unknown:
        return "unknown"
    return None  # an orphan Service: service_no_endpoints and traffic_response_flags say it


def service_entry(namespace: str) -> str:
    """A ServiceEntry to fill in with the host, plus the mesh-wide policy that keeps it honest."""
    return (
        "# Declare the external host (find it in the client's config or DNS lookups):\n"
        "apiVersion: networking.istio.io/v1\n"
        "kind: ServiceEntry\n"
        "metadata:\n"
        "  name: external-api\n"
        f"  namespace: {namespace}\n"
        "spec:\n"
        "  hosts:\n"
        "    - api.example.com  # the external host\n"
        "  location: MESH_EXTERNAL\n"
        "  resolution: DNS\n"
        "  ports:\n"
        "    - number: 443\n"
        "      name: tls\n"
        "      protocol: TLS\n"
        "---\n"
        "# Then refuse undeclared hosts mesh-wide (IstioOperator / istiod meshConfig):\n"
        "meshConfig:\n"
        "  outboundTrafficPolicy:\n"
        "    mode: REGISTRY_ONLY\n"
    )


MESSAGES = {
    "passthrough": "left the mesh through PassthroughCluster: the host is not declared, so no "
    "ServiceEntry, egress policy or telemetry names it.",
    "blackhole": "was dropped by BlackHoleCluster: outboundTrafficPolicy is REGISTRY_ONLY and "
    "the host is not declared, so these requests fail.",
    "unknown": "went to a destination telemetry could not name (no workload, no Service): "
    "egress or a route to nowhere.",
}
SEVERITY = {"passthrough": "warning", "blackhole": "critical", "unknown": "info"}


def finding(edge: EdgeSample, window_s: float) -> Draft | None:
    """The draft for one edge out of the mesh, or None when it is not one (or is idle)."""
    kind = kind_of(edge)
    moved = edge.bytes_sent + edge.bytes_received
    if kind is None or (edge.requests < MIN_REQUESTS and moved < MIN_BYTES):
        return None
    subject = t.edge_subject(edge)
    volume = (f"{t.per_second(edge.requests, window_s):g} requests/s" if edge.requests
              else f"{t.per_second(moved, window_s):g} bytes/s")  # fmt: skip
    return Draft(
        check=ID,
        severity=SEVERITY[kind],
        subject=subject,
        title=f"{t.label(edge.source)} sends traffic out of the mesh undeclared ({kind})",
        message=f"Traffic from {t.label(edge.source)} ({volume}, {edge.protocol}) "
        + MESSAGES[kind],
        evidence={
            "cluster": edge.destination.service or "unknown",
            "protocol": edge.protocol,
            "rps": t.per_second(edge.requests, window_s),
            "bytes_sent_per_s": t.per_second(edge.bytes_sent, window_s),
            "bytes_received_per_s": t.per_second(edge.bytes_received, window_s),
            "errors": round(edge.errors_4xx + edge.errors_5xx + edge.no_response, 3),
        },
        remedy=Remedy(
            "Declare the host with a ServiceEntry in the client's namespace, then set "
            "outboundTrafficPolicy to REGISTRY_ONLY so new undeclared egress is refused "
            "rather than silently passed through.",
            service_entry(subject.namespace or "default"),
            "yaml",
        ),
        key=edge.protocol,
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per client edge to PassthroughCluster, BlackHoleCluster or nowhere known."""
    for edge in context.edges:
        draft = finding(edge, t.seconds(edge, context.window_s))
        if draft is not None:
            yield draft


CHECK = Check(
    id=ID,
    title="Egress leaving the mesh unaccounted",
    book_row=BOOK_ROW,
    run=run,
    description="Edges whose destination is Istio's PassthroughCluster (warning), "
    "BlackHoleCluster (critical) or a destination with neither workload nor Service (info).",
)
