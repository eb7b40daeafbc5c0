"""The deterministic demo cluster and mesh.

`Simulator(seed).records_at(t)` is a pure function of (seed, t): it yields the same records
the Kubernetes and Prometheus collectors yield, for any instant, in any order, so the demo can
backfill history at start-up and a replay always shows the same thing. The world and its
schedules are described in catalog.py (what runs), topology.py (who calls whom) and
behaviour.py (what happens when).

What the demo shows, on schedules anchored to the Unix epoch (t in UTC seconds):
- daily load: a UTC sinusoid peaking at 15:00, 25 % of peak at 03:00, ±10 % noise;
- canary (t mod 2400): reviews-v3 idle for 5 min, ramps to 0.5 by minute 20, holds until 25,
  rolls back by 35, idle until 40; v2 steady at 0.3, v1 takes the rest;
- ratings outage ((t - 300) mod 1380 < 120): reviews-v2/v3 → ratings 35 % 5xx and 5 % no
  response (response_code 0, counted in no_response only);
- checkout 4xx ((t - 600) mod 1860 < 300): storefront → orders 15 % 4xx;
- payments slow ((t - 120) mod 1020 < 60): orders → payments median 120 ms × 5;
- always: web → voting 15 % gRPC errors (votes for :doughnut:) and vote-bot → web the same
  count as 500s; storefront → the orphan Service recommendations all 503 (no endpoints,
  destination workload unknown); legacy-reports (no sidecar) reaching orders as an unknown
  source with mtls_requests 0; external clients reaching the ingress gateway the same way;
  fulfillment-worker's TLS to api.shipping.example.com as TCP egress through Istio's
  PassthroughCluster (no ServiceEntry). Istio edges carry Envoy's response flags: UH on the
  orphan Service's 503s, DC on requests without a response.

Bytes: bytes_sent flows source → destination (requests), bytes_received destination →
source (responses). TCP edges have requests 0, latency None and mtls_requests None.

DNS (dns.py): the two CoreDNS replicas answer every ClusterFirst pod; shop's external names
walk the ndots:5 search path first (NXDOMAIN), and one upstream blips every 25 minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.records import CycleRecords, Inventory
from collectors.simulator import behaviour
from collectors.simulator.catalog import WORLD
from collectors.simulator.dns import clients, dns_samples
from collectors.simulator.kube_objects import cluster_objects, parse_cluster
from collectors.simulator.topology import EDGES, edge_mesh, peer
from collectors.simulator.traffic import ResolvedEdge, edge_samples
from collectors.simulator.world import World

SOURCE = "simulator"

__all__ = ["SOURCE", "Simulator"]


def _utc(at: datetime) -> datetime:
    # A naive datetime is read as UTC: the load curve and every schedule are in UTC, and
    # reading it as local time would make the demo depend on the machine's zone.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


class Simulator:
    """A demo cluster whose inventory and traffic are pure functions of (seed, time)."""

    def __init__(self, seed: int = 7) -> None:
        """Build the world for `seed`; everything time-dependent is computed per call."""
        self.seed = seed
        self.world: World = WORLD
        # Derived once from constants and the seed; records are frozen, so sharing them
        # between calls cannot leak state from one call into another.
        # The inventory goes through the Kubernetes collector's parsers, as a real cluster's
        # listing does, so the demo exercises the production parsing code.
        self._inventory = parse_cluster(cluster_objects(WORLD, seed))
        self._edges = tuple(
            ResolvedEdge(e, peer(WORLD, e.source), peer(WORLD, e.destination, e.service),
                         edge_mesh(WORLD, e))
            for e in EDGES
        )  # fmt: skip
        pods = self._inventory.pods
        self._dns_instances = tuple(
            f"{p.ip}:9153" for p in pods if p.namespace == "kube-system" and p.workload == "coredns"
        )
        self._dns_clients = clients(WORLD, pods)

    def inventory_at(self, at: datetime) -> Inventory:
        """The cluster listing at `at` (the demo world does not change over time)."""
        return self._inventory

    def records_at(self, at: datetime, interval_s: float = 15.0) -> CycleRecords:
        """Everything one collection cycle ending at `at` would fetch.

        Edge counts are totals over (at - interval_s, at]; rates and the canary split are taken
        at the interval's midpoint, anomalies by the share of the interval they cover. Edges
        that carried nothing are left out, as Prometheus would have no increase for them.
        """
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        at = _utc(at)
        end = at.timestamp()
        edges = edge_samples(self._edges, self.seed, end - interval_s, end)
        dns = dns_samples(self.seed, self._dns_instances, self._dns_clients, end - interval_s, end)
        return CycleRecords(
            at=at, source=SOURCE, inventory=self.inventory_at(at), edges=edges, dns=dns
        )

    def canary_weight(self, at: datetime) -> float:
        """Share of bookinfo's reviews traffic going to reviews-v3 at `at` (0 to 0.5)."""
        return behaviour.canary_weight(_utc(at).timestamp())
