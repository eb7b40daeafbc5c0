"""Window DNS totals and a CoreDNS inventory by hand, for the DNS checks' tests."""

from __future__ import annotations

from collectors.records import (
    INF,
    ClusterFactsRecord,
    Histogram,
    Inventory,
    PodRecord,
    ServiceRecord,
)
from tests.conftest import T0
from webapp.dns.queries import UpstreamTotals, WindowDns, ZoneTotals

KUBE_DNS = ServiceRecord("kube-system", "kube-dns", selector={"k8s-app": "kube-dns"})
BOUNDS = (1.0, 10.0, 100.0, 1000.0, INF)


def coredns(name: str, ready: bool = True, phase: str = "Running") -> PodRecord:
    """A CoreDNS pod as the Kubernetes collector lists it."""
    return PodRecord("kube-system", name, workload="coredns", phase=phase, ready=ready,
                     labels={"k8s-app": "kube-dns"}, dns_policy="Default")  # fmt: skip


def zone(rcodes: dict[str, float], latency: tuple[float, ...] | None = None,
         **fields: object) -> ZoneTotals:  # fmt: skip
    """The "." zone of the default Corefile with these answers."""
    totals = ZoneTotals("dns://:53", ".", requests=sum(rcodes.values()), rcodes=dict(rcodes),
                        **fields)  # type: ignore[arg-type]  # fmt: skip
    totals.instances = {"10.244.0.5:9153"}
    if latency is not None:
        totals.latency = Histogram(BOUNDS, latency)
    return totals


def window(zones: tuple[ZoneTotals, ...] = (), upstreams: tuple[UpstreamTotals, ...] = (),
           covered_s: float = 300.0) -> WindowDns:  # fmt: skip
    """Five minutes of DNS."""
    return WindowDns(T0, T0, covered_s, 20, zones, upstreams, 0.0)


def inventory(*pods: PodRecord, facts: bool = True) -> Inventory:
    """A cluster whose DNS is kube-system/kube-dns over `pods`."""
    dns = {"namespace": "kube-system", "name": "kube-dns", "pods": [p.name for p in pods]}
    return Inventory(services=(KUBE_DNS,), pods=pods,
                     facts=ClusterFactsRecord(dns_service=dns) if facts else None)  # fmt: skip
