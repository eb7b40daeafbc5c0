"""The data the DNS, insight and mTLS kinds read, behind clearly named functions.

Each turns what another app stores into the small shapes the kinds are written against:
CoreDNS totals of a window (webapp/dns), the open findings of the continuous checks
(webapp/insights) and the workloads whose mTLS intent is STRICT (webapp/security). Kinds are
tested with injected values of these shapes, and these functions on stored data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    """Per-server, per-zone DNS health over (start, end] from the stored CoreDNS samples.

    `server` reads `<namespace>/<DNS Service>` (the DNS kinds take the namespace from it),
    followed by `@<listener>` when the server block is not the default `dns://:53`.
    """
    from webapp.dns.queries import window_dns
    from webapp.traffic.histogram import quantiles

    window = window_dns(start, end)
    if not window.cycles:
        return ()
    service = _dns_service_name()
    found = []
    for zone in window.zones:
        answers = sum(zone.rcodes.values())
        (p99,) = quantiles((0.99,), zone.latency)
        listener = "" if zone.server in ("", "dns://:53") else f"@{zone.server}"
        found.append(DnsObservation(
            server=f"{service}{listener}",
            zone=zone.zone,
            rps=zone.requests / window.covered_s if window.covered_s else 0.0,
            servfail_ratio=zone.rcodes.get("SERVFAIL", 0.0) / answers if answers else None,
            nxdomain_ratio=zone.rcodes.get("NXDOMAIN", 0.0) / answers if answers else None,
            p99_ms=p99,
        ))
    return tuple(found)


def _dns_service_name() -> str:
    """`<namespace>/<name>` of the cluster's DNS Service, as the cluster facts name it."""
    from webapp.inventory.models import ClusterFacts

    facts = ClusterFacts.objects.filter(pk=1).values_list("dns_service", flat=True).first()
    if isinstance(facts, dict) and facts.get("namespace") and facts.get("name"):
        return f"{facts['namespace']}/{facts['name']}"
    return "kube-system/kube-dns"


def insight_findings() -> tuple[InsightFinding, ...]:
    """The open findings of the continuous checks, most severe first."""
    from webapp.insights.services import open_findings

    return tuple(
        InsightFinding(
            id=row.id,
            check=row.check_id,
            severity=row.severity,
            message=row.message,
            namespace=row.namespace,
            labels=_finding_labels(row),
        )
        for row in open_findings()
    )


def _finding_labels(row: Any) -> dict[str, str]:
    labels = {"subject_kind": row.subject_kind, "subject": row.subject_id}
    if row.subject_name:
        labels[row.subject_kind] = row.subject_name
    return labels


def strict_mtls_targets() -> tuple[StrictTarget, ...]:
    """The workloads of the current inventory whose effective mTLS mode is STRICT."""
    from webapp.inventory.queries import current_inventory
    from webapp.security.inputs import policy_inputs
    from webapp.security.snapshot import intents_of

    intents = intents_of(policy_inputs(current_inventory()))
    return tuple(
        StrictTarget(
            namespace=intent.workload.namespace,
            workload=intent.workload.name,
            policy=", ".join(intent.policies) or "STRICT",
        )
        for _, intent in sorted(intents.items())
        if intent.mode == "STRICT"
    )
