"""The mTLS view for a request: the one place that reads the database for it (REST and live)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from collectors.records import EdgeSample
from webapp.inventory.queries import current_inventory
from webapp.security.coverage import (
    UNKNOWN_ID,
    Coverage,
    Share,
    coverage,
    edge_id,
    peer_id,
    trend,
)
from webapp.security.inputs import PolicyInputs, policy_inputs
from webapp.security.mismatches import Context, Mismatch, find_mismatches
from webapp.security.options import MtlsOptions
from webapp.security.policy import Intent, WorkloadIn, resolve
from webapp.security.scope import scope_edge, scope_mismatch
from webapp.traffic.queries import latest_cycle_at, window_traffic


def intents_of(inputs: PolicyInputs) -> dict[str, Intent]:
    """Every workload's intent, by graph node id."""
    pas, servers = list(inputs.peer_auths), list(inputs.servers)
    return {
        w.id: resolve(w, pas, servers, inputs.namespace_mesh.get(w.namespace, ""))
        for w in inputs.workloads
    }


def mtls_snapshot(options: MtlsOptions, now: datetime | None = None) -> dict[str, Any]:
    """Intended modes, observed coverage (with the previous window as trend) and mismatches.

    1. Resolve every workload's intent from the stored inventory.
    2. Sum traffic over the window and over the window before it, of the same length.
    3. Compare, then keep only the requested namespaces.
    """
    generated_at = now or datetime.now(UTC)
    end = options.at or latest_cycle_at() or generated_at
    length = timedelta(seconds=options.window_s)
    inputs = policy_inputs(current_inventory())
    intents = intents_of(inputs)
    window = window_traffic(end - length, end, options.namespaces)
    before = coverage(window_traffic(end - 2 * length, end - length, options.namespaces).edges)
    now_cov = coverage(window.edges)
    found = find_mismatches(Context(intents, now_cov, window.edges, inputs))
    wanted = set(options.namespaces)
    return {
        "generated_at": generated_at.isoformat(),
        "window": {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "seconds": options.window_s,
            "covered_s": window.covered_s,
            "cycles": window.cycles,
        },
        "mesh_wide": {
            **now_cov.mesh_wide.as_json(),
            "trend": trend(now_cov.mesh_wide.ratio, before.mesh_wide.ratio),
        },
        "namespaces": _namespaces(intents, now_cov, before, wanted, inputs),
        "edges": [scope_edge(e, wanted) if wanted else e
                  for e in _edges(now_cov, window.edges, wanted)],
        "mismatches": [scope_mismatch(m.as_json(), wanted) if wanted else m.as_json()
                       for m in found if _wanted(m, wanted)],
    }


def _wanted(m: Mismatch, wanted: set[str]) -> bool:
    return not wanted or m.namespace in wanted


def _namespaces(
    intents: dict[str, Intent],
    now: Coverage,
    before: Coverage,
    wanted: set[str],
    inputs: PolicyInputs,
) -> list[dict[str, Any]]:
    # Traffic telemetry could not attribute (the graph's "unknown" node, passthrough egress)
    # has no namespace to owe coverage: it counts mesh-wide, but gets no row of its own.
    seen = {ns for ns in now.namespaces if ns != UNKNOWN_ID or ns in inputs.namespace_mesh}
    names = {i.workload.namespace for i in intents.values()} | seen
    out = []
    for ns in sorted(n for n in names if not wanted or n in wanted):
        mine = sorted(
            (i for i in intents.values() if i.workload.namespace == ns), key=lambda i: i.workload.id
        )
        share = now.namespaces.get(ns, Share())
        previous = before.namespaces.get(ns, Share())
        out.append(
            {
                "id": ns,
                "namespace": ns,
                "mesh": inputs.namespace_mesh.get(ns, ""),
                **share.as_json(),
                "trend": trend(share.ratio, previous.ratio),
                "intended": _intended(ns, mine, inputs),
                "workloads": [_workload(i, now.workloads.get(i.workload.id)) for i in mine],
            }
        )
    return out


def _intended(ns: str, mine: list[Intent], inputs: PolicyInputs) -> dict[str, Any]:
    """The namespace-wide mode (what a workload no selector picks gets) and the mode counts."""
    modes: dict[str, int] = {}
    for i in mine:
        modes[i.mode] = modes.get(i.mode, 0) + 1
    # A proxied workload without labels: only namespace-wide and root policies reach it.
    probe = WorkloadIn(ns, "", {}, sidecar=inputs.namespace_mesh.get(ns) or "istio")
    base = resolve(probe, list(inputs.peer_auths), [], inputs.namespace_mesh.get(ns, ""))
    return {"mode": base.mode, "policies": list(base.policies), "modes": modes}


def _workload(intent: Intent, share: Share | None) -> dict[str, Any]:
    w = intent.workload
    return {
        "id": w.id,
        "intended_mode": intent.mode,
        "policy_mode": intent.policy_mode,
        "ports": {str(p): m for p, m in sorted(intent.ports.items())},
        "policies": list(intent.policies),
        "observed_ratio": share.as_json()["observed_ratio"] if share else None,
        "requests": share.requests if share else 0.0,
        "sidecar": w.sidecar,
    }


def _edges(now: Coverage, edges: tuple[EdgeSample, ...], wanted: set[str]) -> list[dict[str, Any]]:
    ends = {edge_id(e): e for e in edges}
    out = []
    for eid, share in sorted(now.edges.items()):
        e = ends[eid]
        if wanted and not {e.source.namespace, e.destination.namespace} & wanted:
            continue
        out.append(
            {
                "id": eid,
                "source": peer_id(e.source),
                "target": peer_id(e.destination),
                **share.as_json(),
            }
        )
    return out
