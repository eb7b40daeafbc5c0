"""Istio telemetry → edge records: the queries of one cycle and the pure parser of their answers.

One cycle sends a fixed set of queries over every namespace at once (DESIGN.md §1): the cost
on Prometheus does not grow with viewers or namespaces. Each query is
`sum by (<Kiali's labels>, reporter, ...) (rate(<metric>[range]))`, evaluated at the cycle time.
`rate` over a range of at least a minute rather than `increase` over the 15 s interval: with a
15 s scrape an interval-long range holds one point and `increase` answers nothing. The parser
multiplies the rates by the interval, so samples still add up over any window.

Reporter handling (Kiali's rule, applied per edge): Istio reports a request once from the
client's proxy (reporter="source") and once from the server's (reporter="destination").
An edge that has destination-reported rows is counted from them alone; an edge with only
source-reported rows (traffic leaving the mesh, PassthroughCluster, BlackHoleCluster, an
unknown or sidecar-less destination, egress) is counted from those. So each request counts once.

`response_flags` (Envoy's UH, UF, URX, NR, UO, ... or "-") becomes requests per flag on the
edge, bounded as webapp/traffic/flags.py says; the chosen reporter's rows only, like the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from collectors.mesh.common import (
    UNKNOWN,
    UNKNOWN_PEER,
    EdgeKey,
    Edges,
    MeshQuery,
    known,
    response_class,
)
from collectors.prometheus import Sample
from collectors.records import EdgeSample, Peer

MESH = "istio"

# Kiali's group-by labels (DESIGN.md §6), plus the reporter we deduplicate on.
EDGE_LABELS = (
    "source_cluster", "source_workload_namespace", "source_workload",
    "source_canonical_service", "source_canonical_revision",
    "destination_cluster", "destination_service_namespace", "destination_service",
    "destination_service_name", "destination_workload_namespace", "destination_workload",
    "destination_canonical_service", "destination_canonical_revision",
)  # fmt: skip
REQUEST_LABELS = (
    *EDGE_LABELS, "request_protocol", "response_code", "grpc_response_status",
    "response_flags", "connection_security_policy",
)  # fmt: skip

REQUESTS = "istio_requests_total"
DURATION_MS = "istio_request_duration_milliseconds_bucket"
DURATION_S = "istio_request_duration_seconds_bucket"
TCP_SENT = "istio_tcp_sent_bytes_total"
TCP_RECEIVED = "istio_tcp_received_bytes_total"
TCP_OPENED = "istio_tcp_connections_opened_total"
REQUEST_BYTES = "istio_request_bytes_sum"
RESPONSE_BYTES = "istio_response_bytes_sum"

# metric → the labels its query groups by (besides `reporter`).
FAMILIES: dict[str, tuple[str, ...]] = {
    REQUESTS: REQUEST_LABELS,
    DURATION_MS: (*EDGE_LABELS, "request_protocol", "le"),
    DURATION_S: (*EDGE_LABELS, "request_protocol", "le"),
    TCP_SENT: (*EDGE_LABELS, "connection_security_policy"),
    TCP_RECEIVED: (*EDGE_LABELS, "connection_security_policy"),
    TCP_OPENED: (*EDGE_LABELS, "connection_security_policy"),
    REQUEST_BYTES: (*EDGE_LABELS, "request_protocol"),
    RESPONSE_BYTES: (*EDGE_LABELS, "request_protocol"),
}
# The metric whose presence says "this Prometheus has Istio telemetry".
MARKERS = (REQUESTS, TCP_OPENED)


def queries(range_s: int, available: frozenset[str] | None = None) -> list[MeshQuery]:
    """The cycle's queries, over all namespaces; metrics absent from `available` are skipped."""
    result = []
    for metric, labels in FAMILIES.items():
        if available is not None and metric not in available:
            continue
        by = ",".join(("reporter", *labels))
        selector = '{reporter=~"source|destination"}'
        result.append(MeshQuery(metric, f"sum by ({by}) (rate({metric}{selector}[{range_s}s]))"))
    return result


def source_peer(labels: Mapping[str, str]) -> Peer:
    """The client end of a row; every unattributed client is the one unknown peer."""
    workload = known(labels.get("source_workload"))
    if not workload:
        return UNKNOWN_PEER
    return Peer(
        namespace=known(labels.get("source_workload_namespace")) or UNKNOWN,
        workload=workload,
        app=known(labels.get("source_canonical_service")),
        version=known(labels.get("source_canonical_revision")),
    )


def destination_peer(labels: Mapping[str, str]) -> Peer:
    """The server end of a row.

    The workload's own namespace when the workload is known, else the service's: a request
    that reached no pod is still placed where its service lives. The service name "unknown"
    is kept for such requests (Kiali's "unknown" service node: e.g. 404 NR, no route).
    """
    workload = known(labels.get("destination_workload"))
    service = labels.get("destination_service_name", "")
    if workload:
        return Peer(
            namespace=known(labels.get("destination_workload_namespace"))
            or known(labels.get("destination_service_namespace"))
            or UNKNOWN,
            workload=workload,
            app=known(labels.get("destination_canonical_service")),
            version=known(labels.get("destination_canonical_revision")),
            service=known(service),
        )
    return Peer(
        namespace=labels.get("destination_service_namespace") or UNKNOWN,
        workload=UNKNOWN,
        service=service,
    )


def security(labels: Mapping[str, str]) -> str | None:
    """connection_security_policy as "mtls", "plain" or None (unknown)."""
    policy = labels.get("connection_security_policy", "")
    if policy == "mutual_tls":
        return "mtls"
    if policy == "none":
        return "plain"
    return None


def edge_key(labels: Mapping[str, str], tcp: bool = False) -> EdgeKey:
    """The edge a row belongs to."""
    protocol = "tcp" if tcp else labels.get("request_protocol", "http").lower()
    if protocol not in ("http", "grpc", "tcp"):
        protocol = "http"  # e.g. "http2": still an HTTP edge
    return EdgeKey(source_peer(labels), destination_peer(labels), protocol, MESH)


def parse(
    results: Mapping[str, Sequence[Sample]], interval_s: float
) -> tuple[list[EdgeSample], list[str]]:
    """Edge samples (and gap messages) from the answers to `queries()`, keyed by metric.

    Values are per-second rates. Steps:
    1. drop non-finite values (and say so); 2. choose a reporter per edge;
    3. fold each family into the edge totals, counting only the chosen reporter's rows.
    """
    edges = Edges()
    rows = {
        metric: [(edge_key(s.labels, metric.startswith("istio_tcp")), s) for s in
                 edges.finite(metric, results.get(metric, ()))]
        for metric in FAMILIES
    }  # fmt: skip
    chosen = choose_reporters(row for family in rows.values() for row in family)

    def counted(metric: str) -> list[tuple[EdgeKey, Sample]]:
        return [
            (k, s)
            for k, s in rows[metric]
            if s.labels.get("reporter") == chosen.get(reporter_key(k))
        ]

    for key, s in counted(REQUESTS):
        cls = response_class(
            s.labels.get("response_code", ""), s.labels.get("grpc_response_status", "")
        )
        totals = edges.at(key)
        totals.add_requests(s.value * interval_s, cls, security(s.labels))
        totals.add_flags(s.value * interval_s, s.labels.get("response_flags"))
    for key, s in counted(TCP_OPENED):
        edges.at(key).add_requests(s.value * interval_s, "", security(s.labels))
    _add_bytes(edges, counted(TCP_RECEIVED) + counted(REQUEST_BYTES), interval_s, sent=True)
    _add_bytes(edges, counted(TCP_SENT) + counted(RESPONSE_BYTES), interval_s, sent=False)
    for metric, unit in ((DURATION_MS, "ms"), (DURATION_S, "s")):
        _add_histograms(edges, counted(metric), interval_s, unit)
    return edges.samples(interval_s), edges.gaps


def choose_reporters(rows: Iterable[tuple[EdgeKey, Sample]]) -> dict[tuple[str, ...], str]:
    """Per edge, "destination" when the server's proxy reported it, else "source".

    Edges are matched on workloads only (see `reporter_key`): the two proxies may disagree on
    a canonical revision or service name, and such a disagreement must not count twice.
    """
    chosen: dict[tuple[str, ...], str] = {}
    for key, sample in rows:
        reporter = sample.labels.get("reporter", "")
        coarse = reporter_key(key)
        if reporter == "destination" or (reporter == "source" and coarse not in chosen):
            chosen[coarse] = reporter
    return chosen


def reporter_key(key: EdgeKey) -> tuple[str, ...]:
    """The workload pair and protocol of an edge; the service only when no workload is known."""
    src, dst = key.source, key.destination
    service = dst.service if dst.is_unknown else ""
    return (src.namespace, src.workload, dst.namespace, dst.workload, service, key.protocol)


def _add_bytes(
    edges: Edges, rows: Sequence[tuple[EdgeKey, Sample]], interval_s: float, *, sent: bool
) -> None:
    """Istio's "received" bytes are the request direction: our `bytes_sent` (records.py)."""
    for key, sample in rows:
        totals = edges.at(key)
        if sent:
            totals.bytes_sent += sample.value * interval_s
        else:
            totals.bytes_received += sample.value * interval_s


def _add_histograms(
    edges: Edges, rows: Sequence[tuple[EdgeKey, Sample]], interval_s: float, unit: str
) -> None:
    grouped: dict[EdgeKey, list[tuple[str, float]]] = {}
    for key, sample in rows:
        if "le" in sample.labels:
            grouped.setdefault(key, []).append((sample.labels["le"], sample.value * interval_s))
    for key, buckets in grouped.items():
        edges.add_buckets(key, buckets, unit)
