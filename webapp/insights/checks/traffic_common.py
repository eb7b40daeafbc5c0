"""What the traffic checks share: graph node ids of an edge's ends, its subject, its rates.

Not a check (it has no CHECK, so discovery passes it by). Node ids are the workload graph's:
a known workload is `workload:<ns>/<name>`, an unattributed client the shared `unknown` node,
and a destination no workload answered for (an orphan Service, PassthroughCluster) is the
Service it addressed, `service:<ns>/<name>`. Names come from telemetry, so they are bounded
here before they reach a title and shell-quoted before they reach a command line.
"""

from __future__ import annotations

import shlex

from collectors.records import EdgeSample, Peer
from webapp.insights.checks.base import Subject
from webapp.traffic.convert import bounded

UNKNOWN_ID = "unknown"
# Edges with fewer requests than this in the window say too little for a ratio to mean much.
MIN_REQUESTS = 10.0


def q(text: str) -> str:
    """`text` quoted for a POSIX shell."""
    return shlex.quote(text)


def source_id(peer: Peer) -> str:
    """The graph node of an edge's client."""
    if peer.is_unknown:
        return UNKNOWN_ID
    return f"workload:{bounded(peer.namespace)}/{bounded(peer.workload)}"


def destination_id(peer: Peer) -> str:
    """The graph node of an edge's server: its workload, else the Service it addressed."""
    if not peer.is_unknown:
        return f"workload:{bounded(peer.namespace)}/{bounded(peer.workload)}"
    if peer.service:
        return f"service:{bounded(peer.namespace)}/{bounded(peer.service)}"
    return UNKNOWN_ID


def label(peer: Peer) -> str:
    """A short human name of an edge end: `ns/name`, the Service's when no workload answered."""
    if peer.is_unknown:
        return f"{bounded(peer.namespace)}/{bounded(peer.service)}" if peer.service else "unknown"
    return f"{bounded(peer.namespace)}/{bounded(peer.workload)}"


def edge_subject(edge: EdgeSample) -> Subject:
    """The edge as a finding's subject, placed in the namespace of the end it concerns most:
    the destination's when it is known, else the client's (egress, unknown services)."""
    src, dst = source_id(edge.source), destination_id(edge.destination)
    namespace = edge.destination.namespace
    if namespace in ("", UNKNOWN_ID):
        namespace = edge.source.namespace if not edge.source.is_unknown else ""
    return Subject(
        "edge",
        f"edge:{src}>{dst}",
        bounded(namespace),
        f"{label(edge.source)} → {label(edge.destination)}",
    )


def seconds(edge: EdgeSample, window_s: float) -> float:
    """The rate divisor of an edge: the seconds good cycles covered (window_traffic puts them in
    `interval_s`), so a failed cycle is a gap rather than a dip; the window when unset."""
    return edge.interval_s if edge.interval_s > 0 else window_s


def per_second(count: float, window_s: float) -> float:
    """`count` over the window as a rate, rounded for evidence."""
    return round(count / window_s, 4) if window_s > 0 else 0.0


def share(part: float, whole: float) -> float:
    """`part / whole` rounded for evidence (0 when there is no whole)."""
    return round(part / whole, 4) if whole > 0 else 0.0
