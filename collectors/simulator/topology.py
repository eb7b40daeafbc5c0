"""Who talks to whom in the demo world, and the steady character of each edge.

An edge names its ends by workload key (`namespace/name`); "unknown" stands for a caller the
mesh cannot attribute. How much traffic an edge carries at a given time is decided in
`traffic.py`; here live the constants: protocol, latency, payload sizes, background errors.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from collectors.records import Peer
from collectors.simulator.world import World

UNKNOWN = "unknown"
UNKNOWN_PEER = Peer(namespace=UNKNOWN, workload=UNKNOWN)
# Istio's cluster for traffic to hosts outside its registry (outboundTrafficPolicy ALLOW_ANY).
PASSTHROUGH = "PassthroughCluster"
# emojivoto's vote-bot "votes for :doughnut: 15% of the time", and voting rejects it.
DOUGHNUT_SHARE = 0.15


@dataclass(frozen=True)
class EdgeSpec:
    """One directed edge and its steady behaviour."""

    source: str  # workload key, or "unknown"
    destination: str  # workload key, or "<namespace>/unknown" for a Service with no pods
    service: str  # the destination Service the caller addressed
    protocol: str  # "http", "grpc" or "tcp"
    median_ms: float = 0.0
    sigma: float = 0.6  # log-space spread; 0.6 puts p99 at about 4× the median
    request_bytes: float = 0.0  # per request (tcp: per operation), source → destination
    response_bytes: float = 0.0  # per request (tcp: per operation), destination → source
    share_5xx: float = 0.001  # background server errors
    share_4xx: float = 0.0
    share_grpc: float = 0.0
    error_jitter: float = 0.5  # 0 for errors that are structural, not random (doughnut)
    plaintext: bool = False  # caller has no proxy: the destination sees no mTLS

    @functools.cached_property
    def id(self) -> str:
        """Stable key for noise and anomalies: "<source workload>><destination workload>".

        The Service's name stands in for the workload of an orphan Service.
        """
        src = self.source.rsplit("/", 1)[-1]
        dst = self.destination.rsplit("/", 1)[-1]
        return f"{src}>{self.service if dst == UNKNOWN else dst}"

    @property
    def namespace(self) -> str:
        """The destination's namespace."""
        return self.destination.split("/", 1)[0]


_e = EdgeSpec  # short, so the table below reads as a table


# Edge ids are "<source workload>><destination workload>" (the Service for an orphan); the
# unknown callers: external clients of the gateway, and legacy-reports' plaintext.
EDGES: tuple[EdgeSpec, ...] = (
    # istio-system: the outside world enters through the gateway.
    _e(UNKNOWN, "istio-system/istio-ingressgateway", "istio-ingressgateway", "http",
       median_ms=45, request_bytes=650, response_bytes=5200, share_4xx=0.006, plaintext=True),
    # bookinfo.
    _e("istio-system/istio-ingressgateway", "bookinfo/productpage-v1", "productpage", "http",
       median_ms=40, request_bytes=700, response_bytes=5000, share_4xx=0.004),
    _e("bookinfo/productpage-v1", "bookinfo/details-v1", "details", "http",
       median_ms=3, sigma=0.5, request_bytes=300, response_bytes=180),
    _e("bookinfo/productpage-v1", "bookinfo/reviews-v1", "reviews", "http",
       median_ms=12, request_bytes=300, response_bytes=350),
    _e("bookinfo/productpage-v1", "bookinfo/reviews-v2", "reviews", "http",
       median_ms=22, request_bytes=300, response_bytes=420),
    _e("bookinfo/productpage-v1", "bookinfo/reviews-v3", "reviews", "http",
       median_ms=28, request_bytes=300, response_bytes=420),
    _e("bookinfo/reviews-v2", "bookinfo/ratings-v1", "ratings", "http",
       median_ms=2, sigma=0.5, request_bytes=250, response_bytes=90),
    _e("bookinfo/reviews-v3", "bookinfo/ratings-v1", "ratings", "http",
       median_ms=2, sigma=0.5, request_bytes=250, response_bytes=90),
    # shop.
    _e("istio-system/istio-ingressgateway", "shop/storefront", "storefront", "http",
       median_ms=30, request_bytes=800, response_bytes=12000, share_4xx=0.008),
    _e("shop/storefront", "shop/orders", "orders", "http",
       median_ms=45, request_bytes=1200, response_bytes=900, share_4xx=0.01),
    # The orphan Service: no endpoints, so the caller's proxy answers 503 (flag UH) itself.
    _e("shop/storefront", "shop/unknown", "recommendations", "http",
       median_ms=0.8, sigma=0.3, request_bytes=400, response_bytes=90, share_5xx=1.0,
       error_jitter=0.0),
    # legacy-reports has no sidecar: orders' proxy sees plaintext from an unknown peer.
    _e(UNKNOWN, "shop/orders", "orders", "http",
       median_ms=60, request_bytes=400, response_bytes=40000, plaintext=True),
    _e("shop/orders", "shop/payments", "payments", "http",
       median_ms=120, sigma=0.5, request_bytes=900, response_bytes=600, share_5xx=0.004),
    _e("shop/orders", "shop/postgres", "postgres", "tcp", request_bytes=420, response_bytes=2600),
    _e("shop/orders", "shop/rabbitmq", "rabbitmq", "tcp", request_bytes=1500, response_bytes=60),
    # A consumer mostly receives: its requests are acks, the broker's answers are messages.
    _e("shop/fulfillment-worker", "shop/rabbitmq", "rabbitmq", "tcp",
       request_bytes=70, response_bytes=1550),
    # Egress with no ServiceEntry: the worker books shipping labels at
    # api.shipping.example.com over TLS it originates itself, so its proxy sees opaque TCP
    # to a host it does not know and sends it through PassthroughCluster, reporting it alone.
    _e("shop/fulfillment-worker", f"{UNKNOWN}/{UNKNOWN}", PASSTHROUGH, "tcp",
       request_bytes=900, response_bytes=1400),
    # emojivoto (Linkerd): every vote for :doughnut: fails in voting, and web turns the
    # gRPC error into an HTTP 500 for the bot. Half the bot's calls are votes, so the two
    # edges carry the same failure count; no jitter, the failures are not random.
    _e("emojivoto/vote-bot", "emojivoto/web", "web-svc", "http",
       median_ms=8, request_bytes=180, response_bytes=2400, share_5xx=DOUGHNUT_SHARE / 2,
       error_jitter=0.0),
    _e("emojivoto/web", "emojivoto/emoji", "emoji-svc", "grpc",
       median_ms=2, sigma=0.5, request_bytes=60, response_bytes=1900, share_5xx=0.0),
    _e("emojivoto/web", "emojivoto/voting", "voting-svc", "grpc",
       median_ms=3, sigma=0.5, request_bytes=70, response_bytes=40, share_5xx=0.0,
       share_grpc=DOUGHNUT_SHARE, error_jitter=0.0),
)  # fmt: skip


def peer(world: World, key: str, service: str = "") -> Peer:
    """The telemetry Peer for a workload key (or an unknown one), with app/version labels."""
    if key == UNKNOWN:
        return UNKNOWN_PEER
    namespace, name = key.split("/", 1)
    if name == UNKNOWN:
        return Peer(namespace=namespace, workload=UNKNOWN, service=service)
    spec = world.workload(key)
    return Peer(namespace, name, app=spec.app, version=spec.version, service=service)


def edge_mesh(world: World, edge: EdgeSpec) -> str:
    """The mesh that reports this edge: the destination's (its proxy is the one that saw it),
    or for traffic leaving the cluster (destination namespace unknown) the source's."""
    namespace = edge.namespace if edge.namespace != UNKNOWN else edge.source.split("/", 1)[0]
    for ns in world.namespaces:
        if ns.name == namespace:
            return ns.mesh
    return ""
