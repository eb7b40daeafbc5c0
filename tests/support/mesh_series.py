"""A small two-mesh world as backfill series, with the numbers the collectors must find.

Istio, namespace `shop`: frontend → catalog (HTTP, both reporters, mixed outcomes, 85 % mTLS),
frontend → payments (gRPC, latency in seconds), frontend → PassthroughCluster (source only),
an unattributed client → frontend (plaintext), catalog → db (TCP), and a client whose counter
is NaN. Linkerd, namespace `books`: webapp → authors (HTTP), webapp → traffic (gRPC),
authors → mysql (opaque TCP).
"""

from __future__ import annotations

from tests.support.openmetrics import SeriesSet

ISTIO_NS = "shop"
LINKERD_NS = "books"


def istio_edge(
    src: str | None,
    dst: str | None,
    *,
    service: str = "",
    reporter: str = "destination",
    **extra: str,
) -> dict[str, str]:
    """Istio labels of one edge (None: "unknown"); names are `<app>-v1` workloads."""

    def side(prefix: str, workload: str | None, ns: str) -> dict[str, str]:
        if workload is None:
            return {
                f"{prefix}_workload": "unknown",
                f"{prefix}_workload_namespace": "unknown",
                f"{prefix}_canonical_service": "unknown",
                f"{prefix}_canonical_revision": "latest",
            }
        return {
            f"{prefix}_workload": f"{workload}-v1",
            f"{prefix}_workload_namespace": ns,
            f"{prefix}_canonical_service": workload,
            f"{prefix}_canonical_revision": "v1",
        }

    labels = {
        "reporter": reporter,
        "source_cluster": "east",
        "destination_cluster": "east",
        **side("source", src, ISTIO_NS),
        **side("destination", dst, ISTIO_NS),
    }
    name = service or (dst or "unknown")
    labels["destination_service_name"] = name
    labels["destination_service_namespace"] = "unknown" if dst is None else ISTIO_NS
    labels["destination_service"] = f"{name}.{ISTIO_NS}.svc.cluster.local"
    labels.update(extra)
    return labels


def _requests(s: SeriesSet, edge: dict[str, str], proto: str, rows: list[tuple]) -> None:
    for code, grpc, policy, flags, rate in rows:
        s.counter(
            "istio_requests_total",
            {
                **edge,
                "request_protocol": proto,
                "response_code": code,
                "grpc_response_status": grpc,
                "connection_security_policy": policy,
                "response_flags": flags,
            },
            rate,
        )


def add_istio(s: SeriesSet) -> None:
    """The Istio series (see the module docstring)."""
    # frontend → catalog: 10 rps; 503 1, 404 0.5, no response 0.5; mTLS on 8.5 of 10.
    catalog_rows = [
        ("200", "", "mutual_tls", "-", 8.0),
        ("404", "", "mutual_tls", "-", 0.5),
        ("503", "", "none", "-", 1.0),
        ("0", "", "none", "DC", 0.5),
    ]
    _requests(s, istio_edge("frontend", "catalog"), "http", catalog_rows)
    # The client's proxy reports the same requests again: they must count once.
    source_rows = [(c, g, "unknown", f, r) for c, g, _, f, r in catalog_rows]
    _requests(s, istio_edge("frontend", "catalog", reporter="source"), "http", source_rows)
    dest = {**istio_edge("frontend", "catalog"), "request_protocol": "http"}
    s.histogram("istio_request_duration_milliseconds", dest, CATALOG_BUCKETS_MS)
    s.histogram(
        "istio_request_duration_milliseconds",
        {**dest, "reporter": "source"},
        {"1": 10.0, "+Inf": 10.0},
    )
    s.counter("istio_request_bytes_sum", dest, 300.0)
    s.counter("istio_response_bytes_sum", dest, 2000.0)
    # frontend → payments, gRPC: OK 4, UNAVAILABLE in a 200: 1, UNAVAILABLE in a 503: 0.5.
    payments = istio_edge("frontend", "payments")
    _requests(
        s,
        payments,
        "grpc",
        [
            ("200", "0", "mutual_tls", "-", 4.0),
            ("200", "14", "mutual_tls", "-", 1.0),
            ("503", "14", "mutual_tls", "-", 0.5),
        ],
    )
    s.histogram(
        "istio_request_duration_seconds",
        {**payments, "request_protocol": "grpc"},
        PAYMENTS_BUCKETS_S,
    )
    # Egress to a host outside the mesh: only the client's proxy sees it.
    passthrough = istio_edge("frontend", None, service="PassthroughCluster", reporter="source")
    _requests(s, passthrough, "http", [("200", "", "unknown", "-", 2.0)])
    # A client outside the mesh calls frontend in plaintext.
    _requests(s, istio_edge(None, "frontend"), "http", [("200", "", "none", "-", 5.0)])
    # catalog → db over TCP, reported by both proxies.
    for reporter in ("destination", "source"):
        tcp = istio_edge(
            "catalog",
            "db",
            reporter=reporter,
            connection_security_policy="mutual_tls",
            request_protocol="tcp",
        )
        s.counter("istio_tcp_connections_opened_total", tcp, 0.2)
        s.counter("istio_tcp_received_bytes_total", tcp, 1000.0)
        s.counter("istio_tcp_sent_bytes_total", tcp, 5000.0)
    # A broken exporter: NaN on every scrape.
    _requests(s, istio_edge("broken", "catalog"), "http", [("200", "", "none", "-", float("nan"))])


CATALOG_BUCKETS_MS = {"5": 2.0, "10": 5.0, "25": 8.0, "50": 9.0, "100": 9.5, "+Inf": 10.0}
PAYMENTS_BUCKETS_S = {"0.005": 1.0, "0.01": 3.0, "0.05": 5.0, "+Inf": 5.5}


def linkerd_edge(src: str, dst: str, tls: str = "true", **extra: str) -> dict[str, str]:
    """Labels of an outbound Linkerd series, with the scrape-time pod-owner labels."""
    labels = {
        "direction": "outbound",
        "namespace": LINKERD_NS,
        "deployment": src,
        "pod": f"{src}-5d4f7c9b8-abcde",
        "dst_namespace": LINKERD_NS,
        "dst_deployment": dst,
        "dst_service": dst,
        "tls": tls,
        "authority": f"{dst}.{LINKERD_NS}.svc.cluster.local:8080",
    }
    if tls != "true":
        labels["no_tls_reason"] = "not_provided_by_remote"
    labels.update(extra)
    return labels


def add_linkerd(s: SeriesSet) -> None:
    """The Linkerd series (see the module docstring)."""
    authors = linkerd_edge("webapp", "authors")
    s.counter("request_total", authors, 6.0)
    for code, cls, rate in (
        ("200", "success", 5.0),
        ("500", "failure", 0.6),
        ("404", "success", 0.4),
    ):
        s.counter("response_total", {**authors, "status_code": code, "classification": cls}, rate)
    s.histogram("response_latency_ms", {**authors, "status_code": "200"}, AUTHORS_BUCKETS_MS)
    for peer, write, read in (("dst", 700.0, 9000.0), ("src", 9000.0, 700.0)):
        tcp = {**authors, "peer": peer}
        s.counter("tcp_write_bytes_total", tcp, write)
        s.counter("tcp_read_bytes_total", tcp, read)
        s.counter("tcp_open_total", tcp, 0.05)
    grpc = linkerd_edge("webapp", "traffic", tls="no_identity")
    s.counter("request_total", grpc, 2.5)
    for status, cls, rate in (("0", "success", 2.0), ("2", "failure", 0.5)):
        labels = {**grpc, "status_code": "200", "grpc_status": status, "classification": cls}
        s.counter("response_total", labels, rate)
    mysql = {**linkerd_edge("authors", "mysql"), "peer": "dst"}
    s.counter("tcp_open_total", mysql, 0.1)
    s.counter("tcp_write_bytes_total", mysql, 400.0)
    s.counter("tcp_read_bytes_total", mysql, 800.0)


AUTHORS_BUCKETS_MS = {"10": 1.0, "20": 3.0, "50": 5.0, "100": 5.9, "+Inf": 6.0}


def mesh_series() -> SeriesSet:
    """Both meshes in one Prometheus."""
    series = SeriesSet()
    add_istio(series)
    add_linkerd(series)
    return series
