"""Data some kinds need that meshwatch does not store yet, behind clearly named functions.

Each returns nothing until its issue lands (DNS samples, the insights engine, mesh security
policies); the kinds are written and tested against these shapes with injected values, so
wiring the real data in is a change to this file only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DnsObservation:
    """One CoreDNS server and zone over a window: rcode shares and latency."""

    server: str  # e.g. kube-system/coredns
    zone: str
    rps: float
    servfail_ratio: float | None = None
    nxdomain_ratio: float | None = None
    p99_ms: float | None = None


@dataclass(frozen=True)
class InsightFinding:
    """One finding of a continuous check."""

    id: str
    check: str
    severity: str  # info, warning or critical
    message: str
    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StrictTarget:
    """Where a policy says mTLS is STRICT: a namespace, or one workload in it."""

    namespace: str
    workload: str = ""  # empty: the whole namespace
    policy: str = ""  # e.g. PeerAuthentication istio-system/default


def dns_observations(start: datetime, end: datetime) -> tuple[DnsObservation, ...]:
    """Per-server, per-zone DNS health over (start, end]: none stored yet (no DNS samples)."""
    return ()


def insight_findings() -> tuple[InsightFinding, ...]:
    """The current findings of the continuous checks: none yet (no insights engine)."""
    return ()


def strict_mtls_targets() -> tuple[StrictTarget, ...]:
    """Namespaces and workloads whose policy demands STRICT mTLS.

    webapp/inventory stores no PeerAuthentication, DestinationRule or Linkerd Server objects
    yet, so this knows none, and plaintext_where_strict reports that it needs the data.
    """
    return ()
