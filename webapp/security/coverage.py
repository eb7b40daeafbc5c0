"""Observed mTLS: the protected share of requests (and of TCP bytes) per edge, workload,
namespace and mesh-wide. Pure functions over summed EdgeSamples.

An edge whose `mtls_requests` is None says nothing about protection: it is left out of
every share rather than counted as plaintext. A TCP edge counts no requests, only
connections, and telemetry does not split its bytes by protection, so its bytes count as
protected when every connection it reported was (the share is only as fine as the edge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from collectors.records import EdgeSample, Peer

UNKNOWN_ID = "unknown"  # the graph's node for traffic telemetry could not attribute


@dataclass
class Share:
    """Known requests and mTLS requests, known TCP bytes and mTLS TCP bytes."""

    requests: float = 0.0
    mtls_requests: float = 0.0
    tcp_bytes: float = 0.0
    mtls_tcp_bytes: float = 0.0

    def add(self, edge: EdgeSample) -> None:
        """Count `edge` in (nothing when its protection is unknown)."""
        if edge.mtls_requests is None:
            return
        if edge.protocol == "tcp":
            volume = edge.bytes_sent + edge.bytes_received
            self.tcp_bytes += volume
            if edge.mtls_requests > 0 and edge.mtls_requests >= edge.requests:
                self.mtls_tcp_bytes += volume
            return
        self.requests += edge.requests
        self.mtls_requests += min(edge.mtls_requests, edge.requests)

    @property
    def ratio(self) -> float | None:
        """mTLS requests / known requests; None when no request's protection is known."""
        return self.mtls_requests / self.requests if self.requests > 0 else None

    @property
    def bytes_ratio(self) -> float | None:
        """mTLS TCP bytes / known TCP bytes; None without known TCP traffic."""
        return self.mtls_tcp_bytes / self.tcp_bytes if self.tcp_bytes > 0 else None

    @property
    def plaintext_requests(self) -> float:
        """Requests seen without mTLS."""
        return self.requests - self.mtls_requests

    def as_json(self) -> dict[str, float | None]:
        """The share's numbers for the API."""
        return {
            "observed_ratio": _round(self.ratio),
            "bytes_ratio": _round(self.bytes_ratio),
            "requests": round(self.requests, 6),
            "mtls_requests": round(self.mtls_requests, 6),
            "plaintext_requests": round(self.plaintext_requests, 6),
            "tcp_bytes": round(self.tcp_bytes, 3),
        }


def _round(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


def workload_id(namespace: str, workload: str) -> str:
    """The graph node id of a workload."""
    return f"workload:{namespace}/{workload}"


def peer_id(peer: Peer) -> str:
    """The graph node id of an edge end: its workload, or the shared `unknown` node."""
    return UNKNOWN_ID if peer.is_unknown else workload_id(peer.namespace, peer.workload)


def edge_id(edge: EdgeSample) -> str:
    """A stable id for an edge between two graph nodes (protocol included)."""
    return f"{peer_id(edge.source)}->{peer_id(edge.destination)}|{edge.protocol}"


def grouped(edges: Iterable[EdgeSample], key: Callable[[EdgeSample], str]) -> dict[str, Share]:
    """Shares by `key(edge)`."""
    out: dict[str, Share] = {}
    for e in edges:
        out.setdefault(key(e), Share()).add(e)
    return out


@dataclass(frozen=True)
class Coverage:
    """Shares over one window: by edge, by destination workload and namespace, and overall.

    Workloads and namespaces are judged on what they receive: the server decides whether
    plaintext is accepted, so that is where the coverage is owed.
    """

    edges: dict[str, Share]
    workloads: dict[str, Share]
    namespaces: dict[str, Share]
    mesh_wide: Share


def coverage(edges: Iterable[EdgeSample]) -> Coverage:
    """The coverage of `edges` (summed over one window)."""
    items = list(edges)
    total = Share()
    for e in items:
        total.add(e)
    return Coverage(
        edges=grouped(items, edge_id),
        workloads=grouped(items, lambda e: peer_id(e.destination)),
        namespaces=grouped(items, lambda e: e.destination.namespace),
        mesh_wide=total,
    )


def trend(current: float | None, previous: float | None) -> dict[str, float | None]:
    """The share now, over the previous window of the same length, and the change."""
    change = current - previous if current is not None and previous is not None else None
    return {"previous_ratio": _round(previous), "change": _round(change)}
