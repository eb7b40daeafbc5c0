"""Kiali's way: the per-viewer, per-namespace PromQL set of its graph (DESIGN.md §6).

Kiali builds each namespace's graph on every refresh of every viewer: three request-traffic
shapes (unserviced incoming, incoming, outgoing), the same three on the TCP byte counters,
and one query per enabled option (response time destination- then source-reported,
security in and out, throughput of request and response bytes), each wrapped in
`round(..., 0.001)`. Twelve instant queries per namespace per viewer per refresh.
"""

from __future__ import annotations

GROUP_BY = (
    "source_cluster,source_workload_namespace,source_workload,source_canonical_service,"
    "source_canonical_revision,destination_cluster,destination_service_namespace,"
    "destination_service,destination_service_name,destination_workload_namespace,"
    "destination_workload,destination_canonical_service,destination_canonical_revision"
)
HTTP_GROUP_BY = f"{GROUP_BY},request_protocol,response_code,grpc_response_status,response_flags"
TCP_GROUP_BY = f"{GROUP_BY},response_flags"
SECURITY_BY = f"{GROUP_BY},source_principal,destination_principal,connection_security_policy"


def _traffic(metric: str, ns: str, by: str, range_s: int) -> list[str]:
    """The unserviced-incoming, incoming and outgoing shapes of one counter."""
    selectors = (
        'reporter="source",destination_workload="unknown",destination_workload_namespace='
        f'"unknown",destination_service=~"^.+\\\\.{ns}\\\\..+$"',
        f'reporter="destination",destination_workload_namespace="{ns}"',
        f'reporter="source",source_workload_namespace="{ns}"',
    )
    return [f"round(sum(rate({metric}{{{s}}}[{range_s}s])) by ({by}) > 0,0.001)" for s in selectors]


def namespace_queries(ns: str, range_s: int, quantile: float = 0.95) -> list[str]:
    """What Kiali asks Prometheus to draw one namespace's graph once."""
    queries = _traffic("istio_requests_total", ns, HTTP_GROUP_BY, range_s)
    queries += _traffic("istio_tcp_sent_bytes_total", ns, TCP_GROUP_BY, range_s)
    duration = "istio_request_duration_milliseconds_bucket"
    for reporter, side in (("destination", "destination"), ("source", "source")):
        sel = f'reporter="{reporter}",{side}_workload_namespace="{ns}"'
        queries.append(
            f"round(histogram_quantile({quantile}, sum(rate({duration}{{{sel}}}[{range_s}s]))"
            f" by (le,{GROUP_BY},request_protocol)),0.001)"
        )
    for side in ("destination", "source"):
        sel = f'reporter="destination",{side}_workload_namespace="{ns}"'
        queries.append(
            f"round(sum(rate(istio_requests_total{{{sel}}}[{range_s}s])) by ({SECURITY_BY})"
            " > 0,0.001)"
        )
    for metric in ("istio_request_bytes_sum", "istio_response_bytes_sum"):
        sel = f'reporter="destination",destination_workload_namespace="{ns}"'
        queries.append(f"round(sum(rate({metric}{{{sel}}}[{range_s}s])) by ({GROUP_BY}) > 0,0.001)")
    return queries


def viewer_refresh(namespaces: list[str], range_s: int) -> list[str]:
    """One viewer's refresh of a graph of `namespaces`: every namespace's set, one after another."""
    return [q for ns in namespaces for q in namespace_queries(ns, range_s)]
