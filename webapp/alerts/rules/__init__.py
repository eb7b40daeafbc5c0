"""The rule kinds: one registry, one function per kind (grouped by the data they read)."""

from __future__ import annotations

from webapp.alerts.rules import dns, edges, insights, mtls, no_data
from webapp.alerts.rules.base import Kind

# Kinds whose value is judged "below the threshold" rather than above it (for the API docs).
BELOW = frozenset({"mtls_coverage"})

KINDS: dict[str, Kind] = {
    "edge_error_ratio": edges.edge_error_ratio,
    "edge_latency_p95": edges.edge_latency_p95,
    "edge_latency_p99": edges.edge_latency_p99,
    "workload_error_ratio": edges.workload_error_ratio,
    "request_rate_drop": edges.request_rate_drop,
    "mtls_coverage": mtls.mtls_coverage,
    "plaintext_where_strict": mtls.plaintext_where_strict,
    "dns_servfail_ratio": dns.dns_servfail_ratio,
    "dns_nxdomain_ratio": dns.dns_nxdomain_ratio,
    "dns_latency_p99": dns.dns_latency_p99,
    "insight_severity": insights.insight_severity,
    "no_data": no_data.no_data,
}
