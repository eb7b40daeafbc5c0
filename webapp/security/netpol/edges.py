"""Observed edges judged by the policies in force.

Telemetry names workloads, not pods, and no port: an edge is mapped to the pods of its
source and destination workloads (grouped by labels, since a workload's pods share them),
and to the TCP target ports of the Service the caller addressed (`Peer.service`). Mesh
HTTP and gRPC ride on TCP. A source the mesh could not name ("unknown") is judged as each
thing it can be: a pod without a proxy (only those are invisible to the mesh), or a client
outside the cluster, whose address is unknown, so an ipBlock there cannot tell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from collectors.records import EdgeSample, Inventory, Peer, PodRecord, ServiceRecord
from webapp.security.netpol.evaluate import (
    ALLOWED,
    BLOCKED,
    UNKNOWN,
    PolicySet,
    SideVerdict,
    Verdict,
    combine,
)
from webapp.security.netpol.peers import Endpoint, TargetPort

OUTSIDE = Endpoint(namespace="", name="a client outside the cluster", external=True)
MAX_REASONS = 12
# An unknown caller is judged as each group of unmeshed pods only up to this many groups.
MAX_UNKNOWN_CANDIDATES = 50
_GONE_PHASES = ("Succeeded", "Failed")


def workload_node_id(namespace: str, name: str) -> str:
    """The graph's id of a workload node."""
    return f"workload:{namespace}/{name}"


def peer_node_id(peer: Peer) -> str:
    """The graph's id of an edge end: the workload, or `unknown`."""
    return "unknown" if peer.is_unknown else workload_node_id(peer.namespace, peer.workload)


@dataclass(frozen=True)
class EdgeVerdict:
    """An observed edge, and what the policies say about every way it could have happened."""

    source: str  # node id
    target: str  # node id
    state: str
    verdicts: tuple[Verdict, ...]
    ports: tuple[TargetPort, ...]
    reasons: tuple[str, ...]

    @property
    def blocking(self) -> tuple[str, ...]:
        """Ids of the policies that isolate a side that says no, sorted."""
        found = {
            pid
            for v in self.verdicts
            for side in (v.egress, v.ingress)
            if side.state == BLOCKED
            for pid in side.isolating
        }
        return tuple(sorted(found))


class PodIndex:
    """The inventory's pods by workload and its Services by name, built once per evaluation."""

    def __init__(self, inventory: Inventory, policies: PolicySet) -> None:
        self.policies = policies
        self.by_workload: dict[tuple[str, str], list[PodRecord]] = defaultdict(list)
        self.unmeshed: list[PodRecord] = []
        for pod in inventory.pods:
            if pod.phase in _GONE_PHASES:
                continue
            if pod.workload:
                self.by_workload[(pod.namespace, pod.workload)].append(pod)
            if not pod.sidecar and not pod.host_network:
                self.unmeshed.append(pod)
        self.services = {(s.namespace, s.name): s for s in inventory.services}
        self._unmeshed_groups: list[Endpoint] | None = None

    def unmeshed_groups(self) -> list[Endpoint]:
        """The pods without a proxy as Endpoints: what an unknown caller may be (cached)."""
        if self._unmeshed_groups is None:
            self._unmeshed_groups = self.groups(self.unmeshed)
        return self._unmeshed_groups

    def groups(self, pods: Iterable[PodRecord], name: str = "") -> list[Endpoint]:
        """Pods with the same namespace and labels as one Endpoint holding all their IPs."""
        grouped: dict[tuple[str, tuple[tuple[str, str], ...]], list[PodRecord]] = {}
        for pod in pods:
            grouped.setdefault((pod.namespace, tuple(sorted(pod.labels.items()))), []).append(pod)
        result = []
        for (namespace, labels), members in sorted(grouped.items()):
            ips = tuple(ip for p in members for ip in (p.pod_ips or ((p.ip,) if p.ip else ())))
            words = name or f"{namespace}/{members[0].workload or members[0].name}"
            ns_labels = self.policies.labels_of(namespace)
            result.append(Endpoint(namespace, dict(labels), ns_labels, ips, name=words))
        return result

    def workload(self, peer: Peer) -> list[Endpoint]:
        """The pods of a named workload as Endpoints (empty: none in the inventory)."""
        pods = self.by_workload.get((peer.namespace, peer.workload), [])
        return self.groups(pods, f"{peer.namespace}/{peer.workload}")

    def service(self, namespace: str, name: str) -> ServiceRecord | None:
        """The Service `namespace/name`, if the inventory has it."""
        return self.services.get((namespace, name))


def target_ports(service: ServiceRecord | None) -> tuple[TargetPort, ...]:
    """The TCP ports a caller of `service` reaches on the pods: each port's targetPort.

    A numeric targetPort (or none, which means the port itself) gives the number; a named one
    gives the container port's name only. Without a Service the port is unknown.
    """
    ports = []
    for sp in service.ports if service else ():
        if sp.protocol.upper() != "TCP":
            continue
        target = sp.target_port or str(sp.port)
        ports.append(
            TargetPort("TCP", int(target)) if target.isdigit() else TargetPort("TCP", None, target)
        )
    return tuple(dict.fromkeys(ports)) or (TargetPort("TCP"),)


def judge_edge(policies: PolicySet, index: PodIndex, edge: EdgeSample) -> EdgeVerdict:
    """What the policies say about one observed edge (one state for all its alternatives).

    1. The destination: the pods of its workload; none known means we cannot tell.
    2. The sources: the workload's pods, or for an unknown caller every pod without a
       proxy and a client outside the cluster.
    3. Every (source, destination, port) is evaluated; the edge is blocked (allowed) only
       when every alternative is, and unknown otherwise.
    """
    source_id, target_id = peer_node_id(edge.source), peer_node_id(edge.destination)
    destinations = [] if edge.destination.is_unknown else index.workload(edge.destination)
    if not destinations:
        dst = edge.destination
        why = (
            f"no workload behind Service {dst.namespace}/{dst.service}: nothing to judge"
            if dst.is_unknown
            else f"no pods of {target_id} in the inventory: cannot tell"
        )
        return EdgeVerdict(source_id, target_id, UNKNOWN, (), (), (why,))
    sources, notes = _sources(index, edge.source, edge.destination.namespace)
    if not sources:
        return EdgeVerdict(source_id, target_id, UNKNOWN, (), (), notes)
    service = index.service(edge.destination.namespace, edge.destination.service)
    ports = target_ports(service)
    verdicts = tuple(
        policies.evaluate(src, dst, port)
        for src in sources
        for dst in destinations
        for port in ports
    )
    state = combine([v.state for v in verdicts])
    home = edge.destination.namespace if edge.source.is_unknown else None
    return EdgeVerdict(
        source_id, target_id, state, verdicts, ports, _reasons(notes, verdicts, state, home)
    )


def _sources(index: PodIndex, source: Peer, home: str) -> tuple[list[Endpoint], tuple[str, ...]]:
    if not source.is_unknown:
        found = index.workload(source)
        if found:
            return found, ()
        return [], (f"no pods of {peer_node_id(source)} in the inventory: cannot tell",)
    candidates = index.unmeshed_groups()
    if len(candidates) > MAX_UNKNOWN_CANDIDATES:
        # Judging every one for every unknown-caller edge costs seconds per cycle on a large,
        # mostly unmeshed cluster; an answer of "cannot tell" is honest and cheap.
        return [], (
            f"the mesh could not name the caller, and {len(candidates)} groups of pods without "
            f"a proxy could be it (over {MAX_UNKNOWN_CANDIDATES}): cannot tell",
        )
    note = (
        "the mesh could not name the caller: judged as each pod without a proxy"
        f" ({_candidate_words(candidates, home)}) and as a client outside the cluster"
    )
    return [*candidates, OUTSIDE], (note,)


def _candidate_words(candidates: list[Endpoint], home: str) -> str:
    """The unknown caller's candidates as a note names them: by name in `home` (the
    destination's namespace), by count elsewhere. The edge's finding lives in `home`, and
    whoever may see it need not see the other namespaces (README "Access and scoping")."""
    names = sorted({c.words for c in candidates if c.namespace == home})
    elsewhere = len({c.words for c in candidates if c.namespace != home})
    words = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    if elsewhere:
        groups = f"{elsewhere} group{'s' if elsewhere > 1 else ''} in other namespaces"
        words = f"{words}; {groups}" if words else groups
    return words or "none in the inventory"


def _reasons(
    notes: tuple[str, ...], verdicts: tuple[Verdict, ...], state: str, home: str | None = None
) -> tuple[str, ...]:
    """The reasons of the alternatives that decided `state`, deduplicated and bounded.

    With `home` (an unknown caller's edge into that namespace), the candidates in other
    namespaces are summed up in one line instead: their reasons name their pods and labels.
    """
    wanted = {ALLOWED: ALLOWED, BLOCKED: BLOCKED}.get(state)
    picked = [v for v in verdicts if wanted is None or v.state == wanted]
    if home is not None:
        foreign = [v for v in picked if not v.source.external and v.source.namespace != home]
        picked = [v for v in picked if v.source.external or v.source.namespace == home]
        if foreign:
            states = ", ".join(sorted({v.state for v in foreign}))
            groups = len({v.source.words for v in foreign})
            notes = (
                *notes,
                f"{groups} group{'s' if groups > 1 else ''} of pods without a "
                f"proxy in other namespaces: {states}",
            )
    if wanted is None:
        # Mixed or undecidable: show what could not be told, then what disagreed.
        picked = sorted(picked, key=lambda v: v.state != UNKNOWN)
    reasons = dict.fromkeys((*notes, *(r for v in picked for r in _deciding(v))))
    return tuple(list(reasons)[:MAX_REASONS])


def _deciding(verdict: Verdict) -> tuple[str, ...]:
    """The reasons of the side(s) that decided the verdict: a blocked side, not the open one."""
    sides: tuple[SideVerdict, ...] = (verdict.egress, verdict.ingress)
    if verdict.state != ALLOWED:
        sides = tuple(s for s in sides if s.state == verdict.state) or sides
    return tuple(r for s in sides for r in s.reasons)
