"""Linkerd telemetry → edge records: the queries of one cycle and the pure parser of their answers.

Edges come from the client side (`direction="outbound"`): the client's proxy knows both ends,
itself from the pod-owner labels Prometheus attaches at scrape time (`namespace`,
`deployment`, `statefulset`, ...) and the server from the `dst_*` labels Linkerd's destination
service supplies. Counting only outbound rows counts each request once; inbound rows would
see the same requests again from the server's side.

- Requests: `request_total`; outcomes: `response_total` (status_code, grpc_status,
  classification). A request is counted as `max(requests, responses)` so that in-flight
  requests at the window's edge do not become phantom failures.
- Protocol: an edge whose responses carry `grpc_status` is gRPC, else HTTP.
- TCP (`tcp_*` with `peer="dst"`, the connection towards the server): Linkerd counts every
  connection, HTTP ones included, so the bytes of a pair that has HTTP traffic are added to
  that HTTP edge; only a pair without HTTP traffic (opaque TCP) becomes a TCP edge, with
  `tcp_open_total` as its "requests".
- mTLS: `tls="true"` is mutual TLS; any other value (`no_identity` with `no_tls_reason`,
  `false`) is plaintext; no `tls` label at all is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from collectors.mesh.common import (
    UNKNOWN,
    UNKNOWN_PEER,
    EdgeKey,
    Edges,
    KeyOf,
    MeshQuery,
    known,
    response_class,
)
from collectors.prometheus import Sample
from collectors.records import EdgeSample, Peer

MESH = "linkerd"

# Pod-owner labels: Prometheus adds them to the source at scrape time (a Job owner as
# `k8s_job`, because `job` is the scrape job's name), Linkerd adds them to dst_*.
SOURCE_OWNERS = ("deployment", "statefulset", "daemonset", "k8s_job", "replicaset")
DST_OWNERS = ("deployment", "statefulset", "daemonset", "job", "replicaset", "pod")
SOURCE_LABELS = ("namespace", *SOURCE_OWNERS, "app", "version")
DST_LABELS = (
    "dst_namespace", "dst_deployment", "dst_statefulset", "dst_daemonset", "dst_job",
    "dst_replicaset", "dst_service", "dst_app", "dst_version",
)  # fmt: skip
EDGE_LABELS = (*SOURCE_LABELS, *DST_LABELS, "tls")

REQUESTS = "request_total"
RESPONSES = "response_total"
LATENCY = "response_latency_ms_bucket"
TCP_READ = "tcp_read_bytes_total"
TCP_WRITE = "tcp_write_bytes_total"
TCP_OPEN = "tcp_open_total"

FAMILIES: dict[str, tuple[str, ...]] = {
    REQUESTS: EDGE_LABELS,
    RESPONSES: (*EDGE_LABELS, "classification", "status_code", "grpc_status"),
    LATENCY: (*EDGE_LABELS, "le"),
    TCP_READ: EDGE_LABELS,
    TCP_WRITE: EDGE_LABELS,
    TCP_OPEN: EDGE_LABELS,
}
MARKERS = (RESPONSES, LATENCY)


def queries(range_s: int, available: frozenset[str] | None = None) -> list[MeshQuery]:
    """The cycle's queries, over all namespaces; metrics absent from `available` are skipped."""
    result = []
    for metric, labels in FAMILIES.items():
        if available is not None and metric not in available:
            continue
        selector = (
            '{direction="outbound",peer="dst"}'
            if metric.startswith("tcp_")
            else ('{direction="outbound"}')
        )
        promql = f"sum by ({','.join(labels)}) (rate({metric}{selector}[{range_s}s]))"
        result.append(MeshQuery(metric, promql))
    return result


def _owner(labels: Mapping[str, str], prefix: str) -> str:
    for owner in DST_OWNERS if prefix else SOURCE_OWNERS:
        value = known(labels.get(prefix + owner))
        if value:
            return value
    return ""


def source_peer(labels: Mapping[str, str]) -> Peer:
    """The client end: the scraped pod's namespace and owner."""
    workload = _owner(labels, "")
    if not workload:
        return UNKNOWN_PEER
    return Peer(
        namespace=labels.get("namespace") or UNKNOWN,
        workload=workload,
        app=known(labels.get("app")),
        version=known(labels.get("version")),
    )


def destination_peer(labels: Mapping[str, str]) -> Peer:
    """The server end, from the dst_* labels; a service without a known owner stays a service."""
    return Peer(
        namespace=labels.get("dst_namespace") or UNKNOWN,
        workload=_owner(labels, "dst_") or UNKNOWN,
        app=known(labels.get("dst_app")),
        version=known(labels.get("dst_version")),
        service=known(labels.get("dst_service")),
    )


def security(labels: Mapping[str, str]) -> str | None:
    """The tls label as "mtls", "plain" or None (unknown)."""
    tls = labels.get("tls", "")
    if not tls:
        return None
    return "mtls" if tls == "true" else "plain"


def linkerd_class(labels: Mapping[str, str]) -> str:
    """The error class of a response_total row.

    HTTP/gRPC status first (as for Istio); a failure with neither an error status nor any
    status at all is a response that never completed: no_response.
    """
    cls = response_class(labels.get("status_code", ""), labels.get("grpc_status", ""))
    if not cls and labels.get("classification") == "failure":
        return "no_response"
    return cls


def parse(
    results: Mapping[str, Sequence[Sample]], interval_s: float
) -> tuple[list[EdgeSample], list[str]]:
    """Edge samples (and gap messages) from the answers to `queries()`, keyed by metric.

    Values are per-second rates. Steps: 1. drop non-finite values; 2. find gRPC pairs from
    the responses; 3. fold requests, responses, latency, then TCP into the edge totals.
    """
    edges = Edges()
    rows = {m: edges.finite(m, results.get(m, ())) for m in FAMILIES}
    grpc = {_pair(s.labels) for s in rows[RESPONSES] if s.labels.get("grpc_status")}
    http_pairs: set[tuple[Peer, Peer]] = set()

    def key(labels: Mapping[str, str]) -> EdgeKey:
        pair = _pair(labels)
        return EdgeKey(pair[0], pair[1], "grpc" if pair in grpc else "http", MESH)

    requested: dict[EdgeKey, float] = {}
    for s in rows[REQUESTS]:
        requested[key(s.labels)] = requested.get(key(s.labels), 0.0) + s.value * interval_s
    for s in rows[RESPONSES]:
        edges.at(key(s.labels)).add_requests(
            s.value * interval_s, linkerd_class(s.labels), security(s.labels)
        )
    for k, count in requested.items():
        totals = edges.at(k)
        totals.requests = max(totals.requests, count)
        http_pairs.add((k.source, k.destination))
    for k in edges.totals:
        http_pairs.add((k.source, k.destination))
    _add_latency(edges, rows[LATENCY], interval_s, key)
    _add_tcp(edges, rows, interval_s, http_pairs, key)
    return edges.samples(interval_s), edges.gaps


def _pair(labels: Mapping[str, str]) -> tuple[Peer, Peer]:
    return source_peer(labels), destination_peer(labels)


def _add_latency(edges: Edges, rows: Sequence[Sample], interval_s: float, key: KeyOf) -> None:
    grouped: dict[EdgeKey, list[tuple[str, float]]] = {}
    for s in rows:
        if "le" in s.labels:
            k = key(s.labels)
            grouped.setdefault(k, []).append((s.labels["le"], s.value * interval_s))
    for k, buckets in grouped.items():
        edges.add_buckets(k, buckets, "ms")


def _add_tcp(
    edges: Edges,
    rows: Mapping[str, Sequence[Sample]],
    interval_s: float,
    http_pairs: set[tuple[Peer, Peer]],
    key: KeyOf,
) -> None:
    """TCP bytes onto the pair's HTTP edge if it has one, else onto a TCP edge."""

    def target(labels: Mapping[str, str]) -> EdgeKey:
        pair = _pair(labels)
        if pair in http_pairs:
            return key(labels)
        return EdgeKey(pair[0], pair[1], "tcp", MESH)

    for s in rows[TCP_OPEN]:
        k = target(s.labels)
        if k.protocol == "tcp":
            edges.at(k).add_requests(s.value * interval_s, "", security(s.labels))
    # The client proxy writes towards the server (request direction) and reads its answers.
    for s in rows[TCP_WRITE]:
        edges.at(target(s.labels)).bytes_sent += s.value * interval_s
    for s in rows[TCP_READ]:
        edges.at(target(s.labels)).bytes_received += s.value * interval_s
