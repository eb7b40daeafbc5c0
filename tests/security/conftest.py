"""A scripted source with a small Istio namespace: inventory, policies and edges on demand."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import pytest

from collectors.records import (
    CycleRecords,
    EdgeSample,
    Inventory,
    MeshPolicyRecord,
    NamespaceRecord,
    Peer,
    PodRecord,
    ServicePort,
    ServiceRecord,
    WorkloadRecord,
)

NS = "shop"


def http(
    source: str, destination: str, requests: float, mtls: float | None, namespace: str = NS
) -> EdgeSample:
    """An HTTP edge of one interval with `mtls` of its `requests` protected."""
    return EdgeSample(
        Peer(namespace, source, app=source),
        Peer(namespace, destination, app=destination, service=destination),
        "http",
        "istio",
        15.0,
        requests=requests,
        mtls_requests=mtls,
    )


def tcp(source: str, destination: str, volume: float, mtls: float | None) -> EdgeSample:
    """A TCP edge: no requests, `mtls` connections protected, `volume` bytes each way."""
    return EdgeSample(
        Peer(NS, source, app=source),
        Peer(NS, destination, app=destination),
        "tcp",
        "istio",
        15.0,
        mtls_requests=mtls,
        bytes_sent=volume,
        bytes_received=volume,
    )


def _workload(name: str, sidecar: str) -> tuple[WorkloadRecord, PodRecord, ServiceRecord]:
    labels = {"app": name}
    return (
        WorkloadRecord(NS, name, app=name, labels=labels, mesh="istio" if sidecar else ""),
        PodRecord(
            NS,
            f"{name}-0",
            workload=name,
            workload_kind="Deployment",
            labels=labels,
            sidecar=sidecar,
            ready=True,
            phase="Running",
        ),
        ServiceRecord(NS, name, selector=labels, ports=(ServicePort(8080, target_port="8080"),)),
    )


def peer_authentication(mode: str, name: str = "default") -> MeshPolicyRecord:
    """A namespace-wide PeerAuthentication in shop."""
    return MeshPolicyRecord(
        NS,
        name,
        "PeerAuthentication",
        "istio",
        {"selector": None, "mode": mode, "port_modes": [], "scope": "namespace"},
    )


@dataclass
class ShopSource:
    """web, api and db with sidecars, legacy without; `policies` and `edges` are the script."""

    edges: tuple[EdgeSample, ...] = ()
    policies: tuple[MeshPolicyRecord, ...] = field(
        default_factory=lambda: (peer_authentication("PERMISSIVE"),)
    )
    name: str = "scripted"

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        parts = [
            _workload(n, s)
            for n, s in (("web", "istio"), ("api", "istio"), ("db", "istio"), ("legacy", ""))
        ]
        inventory = Inventory(
            namespaces=(NamespaceRecord(NS, mesh="istio"),),
            workloads=tuple(p[0] for p in parts),
            pods=tuple(p[1] for p in parts),
            services=tuple(p[2] for p in parts),
            mesh_policies=self.policies,
        )
        return CycleRecords(
            at, self.name, inventory, tuple(replace(e, interval_s=interval_s) for e in self.edges)
        )


@pytest.fixture
def shop() -> ShopSource:
    """web → api all mTLS; legacy → api plaintext; web → db TCP over mTLS."""
    return ShopSource(
        edges=(
            http("web", "api", 150.0, 150.0),
            http("legacy", "api", 50.0, 0.0),
            tcp("web", "db", 1000.0, 3.0),
        )
    )
