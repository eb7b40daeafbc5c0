"""Traffic on every edge for one interval, as a pure function of (seed, time).

Steps, per interval:
1. Entry flows (pages, visits, votes, reports) = base rate × daily load × ±10 % noise.
2. Inner edges take fixed fractions of their parent flow, so flow is conserved: every
   productpage request calls details once and reviews once, the canary only moves the split.
3. Per edge: errors (background + scheduled anomalies, scaled by how much of the interval
   they covered), mTLS, bytes and the latency histogram.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from collectors.records import EdgeSample, Peer
from collectors.simulator.behaviour import ANOMALIES, load_factor, reviews_split
from collectors.simulator.latency import histogram
from collectors.simulator.noise import bucket, jitter
from collectors.simulator.topology import EdgeSpec

# Entry rates at the daily peak, requests per second.
BOOKINFO_PAGES_RPS = 12.0
SHOP_VISITS_RPS = 8.0
VOTE_BOT_LOOPS_PER_S = 1.0  # emojivoto's bot sleeps a second between rounds, day and night
LEGACY_REPORTS_RPS = 0.25  # a batch job polling orders at a steady pace
LOAD_NOISE = 0.10


@dataclass(frozen=True)
class ResolvedEdge:
    """An edge with its telemetry peers and mesh looked up once, at start-up."""

    spec: EdgeSpec
    source: Peer
    destination: Peer
    mesh: str


def request_rates(seed: int, ts: float) -> dict[str, float]:
    """Requests (tcp: operations) per second on each edge id at Unix time `ts`."""
    b = bucket(ts)
    load = load_factor(ts)
    pages = BOOKINFO_PAGES_RPS * load * jitter(LOAD_NOISE, seed, "pages", b)
    visits = SHOP_VISITS_RPS * load * jitter(LOAD_NOISE, seed, "visits", b)
    votes = VOTE_BOT_LOOPS_PER_S * jitter(LOAD_NOISE, seed, "votes", b)
    reports = LEGACY_REPORTS_RPS * jitter(LOAD_NOISE, seed, "reports", b)
    split = reviews_split(ts)
    checkouts = visits * 0.35
    orders = checkouts + reports
    payments = checkouts * 0.6
    return {
        "unknown>istio-ingressgateway": pages + visits,
        "istio-ingressgateway>productpage-v1": pages,
        "productpage-v1>details-v1": pages,
        "productpage-v1>reviews-v1": pages * split["v1"],
        "productpage-v1>reviews-v2": pages * split["v2"],
        "productpage-v1>reviews-v3": pages * split["v3"],
        "reviews-v2>ratings-v1": pages * split["v2"],
        "reviews-v3>ratings-v1": pages * split["v3"],
        "istio-ingressgateway>storefront": visits,
        "storefront>orders": checkouts,
        "storefront>recommendations": visits * 0.05,
        "unknown>orders": reports,
        "orders>payments": payments,
        "orders>postgres": orders * 3.0,  # three queries per order request
        "orders>rabbitmq": payments,  # one message per paid order
        "fulfillment-worker>rabbitmq": payments,  # ... consumed by the worker
        "fulfillment-worker>PassthroughCluster": payments,  # ... which books a label for each
        # Each bot round is GET /api/list then GET /api/vote; web calls emoji for both
        # (ListAll, FindByShortcode) and voting for the vote.
        "vote-bot>web": votes * 2.0,
        "web>emoji": votes * 2.0,
        "web>voting": votes,
    }


def _anomaly_effects(edge_id: str, start: float, end: float) -> dict[str, float]:
    """Extra error shares and latency spike of the anomalies covering this interval."""
    effects = {"5xx": 0.0, "4xx": 0.0, "none": 0.0, "slow": 0.0, "factor": 1.0}
    for anomaly in ANOMALIES:
        if edge_id not in anomaly.edges:
            continue
        covered = anomaly.episode.overlap(start, end)
        effects["5xx"] += covered * anomaly.share_5xx
        effects["4xx"] += covered * anomaly.share_4xx
        effects["none"] += covered * anomaly.share_no_response
        if anomaly.latency_factor != 1.0:
            effects["slow"] = max(effects["slow"], covered)
            effects["factor"] = anomaly.latency_factor
    return effects


def _errors(
    spec: EdgeSpec, requests: float, fx: dict[str, float], noise: tuple[object, ...]
) -> dict[str, float]:
    """Error counts by class; the HTTP classes are disjoint and never exceed the requests."""
    wobble = jitter(spec.error_jitter, *noise, "err")
    no_response = requests * min(1.0, fx["none"])
    e5 = min(requests - no_response, requests * (spec.share_5xx * wobble + fx["5xx"]))
    e4 = min(requests - no_response - e5, requests * (spec.share_4xx * wobble + fx["4xx"]))
    # gRPC errors travel in trailers behind an HTTP 200, so they are counted apart.
    grpc = requests * min(1.0, spec.share_grpc * wobble)
    return {"5xx": e5, "4xx": e4, "none": no_response, "grpc": grpc}


def response_flags(edge: ResolvedEdge, errors: dict[str, float]) -> dict[str, float]:
    """Envoy's response flags of the errors (Istio only; Linkerd has none).

    DC: the downstream connection went away before a response (Istio's response code 0);
    UH: no healthy upstream, the caller's proxy answering 503 for a Service without endpoints.
    The exporter labels its rows from these, so both paths carry the same flags.
    """
    if edge.mesh != "istio":
        return {}
    flags = {"DC": errors["none"]}
    if edge.destination.is_unknown:
        flags["UH"] = errors["5xx"]
    return {flag: count for flag, count in flags.items() if count > 0.0}


def sample(
    edge: ResolvedEdge, rps: float, seed: int, start: float, end: float
) -> EdgeSample | None:
    """The EdgeSample of one edge over [start, end), or None when it carried nothing."""
    spec = edge.spec
    ops = rps * (end - start)
    if ops <= 0.0:
        return None  # an idle edge has no series in Prometheus either
    noise = (seed, spec.id, bucket(end))
    base = EdgeSample(
        source=edge.source, destination=edge.destination, protocol=spec.protocol,
        mesh=edge.mesh, interval_s=end - start,
        bytes_sent=ops * spec.request_bytes * jitter(0.05, *noise, "tx"),
        bytes_received=ops * spec.response_bytes * jitter(0.05, *noise, "rx"),
    )  # fmt: skip
    if spec.protocol == "tcp":
        # Requests are not counted on TCP; with no requests there is no mTLS request share.
        return base
    fx = _anomaly_effects(spec.id, start, end)
    errors = _errors(spec, ops, fx, noise)
    return replace(
        base, requests=ops, errors_4xx=errors["4xx"], errors_5xx=errors["5xx"],
        errors_grpc=errors["grpc"], no_response=errors["none"],
        mtls_requests=0.0 if spec.plaintext else ops,
        latency=histogram(ops, edge.mesh, spec.median_ms, spec.sigma, fx["slow"], fx["factor"]),
        response_flags=response_flags(edge, errors),
    )  # fmt: skip


def edge_samples(
    edges: tuple[ResolvedEdge, ...], seed: int, start: float, end: float
) -> tuple[EdgeSample, ...]:
    """Samples of every edge that carried traffic in [start, end)."""
    # Rates are taken at the interval's midpoint (the midpoint rule for the interval's
    # total): close enough for a curve this smooth, and one evaluation per cycle.
    rates = request_rates(seed, (start + end) / 2.0)
    samples = (sample(edge, rates[edge.spec.id], seed, start, end) for edge in edges)
    return tuple(s for s in samples if s is not None)
