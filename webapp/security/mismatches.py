"""Where intent and observation disagree, each with its evidence and a remedy to paste.

Kinds:
- plaintext_to_strict: plaintext requests observed into a workload whose mode is STRICT
  (they were refused, or the policy is newer than the traffic).
- safe_to_tighten: PERMISSIVE, yet every observed client already uses mTLS.
- strict_dr_disable: a STRICT PeerAuthentication and a DestinationRule sending plaintext to
  it; the clients' requests fail with a connection reset.
- meshed_client_unmeshed_server: a client with a proxy calling a server without one.
- missing_sidecar: pods without the proxy in a namespace enrolled in a mesh.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from collectors.records import EdgeSample
from webapp.security import remedies
from webapp.security.coverage import Coverage, Share, peer_id
from webapp.security.inputs import PolicyInputs
from webapp.security.policy import Conflict, Intent, conflicts, host_matches, selects


@dataclass(frozen=True)
class Mismatch:
    """One disagreement: `id` is stable across cycles for the same kind and subject."""

    id: str
    kind: str
    namespace: str
    subject_ids: tuple[str, ...]
    evidence: dict[str, Any]
    remedy: str
    remedy_yaml: str = ""
    severity: str = "warning"

    def as_json(self) -> dict[str, Any]:
        """The mismatch as JSON."""
        data = asdict(self)
        data["subject_ids"] = list(self.subject_ids)
        return data


@dataclass
class Context:
    """What every check reads: intents by workload id, coverage, edges and the inputs."""

    intents: dict[str, Intent]
    coverage: Coverage
    edges: tuple[EdgeSample, ...]
    inputs: PolicyInputs
    found: list[Mismatch] = field(default_factory=list)



def _count(requests: float) -> str:
    """A window's request count for a sentence: summed rates are fractional, people count."""
    return f"{requests:,.0f}" if requests >= 10 else f"{requests:.2g}"

def find_mismatches(ctx: Context) -> list[Mismatch]:
    """Every mismatch, in check order then by id."""
    for check in (
        plaintext_to_strict,
        safe_to_tighten,
        strict_dr_disable,
        meshed_client_unmeshed_server,
        missing_sidecar,
    ):
        ctx.found.extend(sorted(check(ctx), key=lambda m: m.id))
    return ctx.found


def _plaintext_sources(edges: Iterable[EdgeSample], destination: str) -> list[str]:
    return sorted(
        {
            peer_id(e.source)
            for e in edges
            if peer_id(e.destination) == destination
            and e.mtls_requests is not None
            and e.mtls_requests < e.requests
        }
    )


def plaintext_to_strict(ctx: Context) -> Iterable[Mismatch]:
    """Plaintext requests into a STRICT workload."""
    for wid, share in ctx.coverage.workloads.items():
        intent = ctx.intents.get(wid)
        if intent is None or intent.mode != "STRICT" or share.plaintext_requests <= 0:
            continue
        sources = _plaintext_sources(ctx.edges, wid)
        ns = intent.workload.namespace
        yield Mismatch(
            f"plaintext_to_strict:{wid}",
            "plaintext_to_strict",
            ns,
            (wid, *sources),
            {
                **share.as_json(),
                "intended_mode": "STRICT",
                "plaintext_sources": sources,
                "policies": list(intent.policies),
            },
            f"{_count(share.plaintext_requests)} requests reached {wid} without mTLS although its "
            "mode is STRICT: give the plaintext clients a sidecar (or keep them PERMISSIVE "
            "until they have one).",
            _client_injection(sources),
            severity="critical",
        )


def _client_injection(sources: list[str]) -> str:
    """Injection for the first attributed plaintext client's namespace ("" if none is)."""
    known = [s for s in sources if s.startswith("workload:")]
    return (
        remedies.injection_label(known[0][len("workload:") :].split("/")[0], "istio")
        if known
        else ""
    )


def _tightenable(intent: Intent | None, share: Share | None) -> bool:
    return (
        intent is not None
        and intent.mode == "PERMISSIVE"
        and intent.workload.sidecar == "istio"
        and share is not None
        and share.requests > 0
        and share.plaintext_requests == 0
    )


def safe_to_tighten(ctx: Context) -> Iterable[Mismatch]:
    """PERMISSIVE Istio workloads whose observed clients all use mTLS already.

    When every meshed workload of a namespace qualifies, one namespace-wide policy is the
    remedy; otherwise one policy per workload.
    """
    by_ns: dict[str, list[Intent]] = {}
    for intent in ctx.intents.values():
        if intent.workload.sidecar == "istio":
            by_ns.setdefault(intent.workload.namespace, []).append(intent)
    for ns, intents in sorted(by_ns.items()):
        ready = [i for i in intents if _tightenable(i, ctx.coverage.workloads.get(i.workload.id))]
        if not ready:
            continue
        ns_share = ctx.coverage.namespaces.get(ns)
        if len(ready) == len(intents) and ns_share and ns_share.plaintext_requests == 0:
            yield _tighten(ns, [i.workload.id for i in ready], ns_share, None)
            continue
        for intent in ready:
            share = ctx.coverage.workloads[intent.workload.id]
            yield _tighten(ns, [intent.workload.id], share, intent)


def _tighten(ns: str, ids: list[str], share: Share, intent: Intent | None) -> Mismatch:
    if intent is None:
        subject, yaml = f"namespace {ns}", remedies.strict_peer_authentication(ns)
    else:
        w = intent.workload
        selector = {"app": w.labels["app"]} if "app" in w.labels else dict(w.labels)
        subject = w.id
        yaml = remedies.strict_peer_authentication(ns, selector, name=f"{w.name}-strict")
    return Mismatch(
        f"safe_to_tighten:{ns if intent is None else ids[0]}",
        "safe_to_tighten",
        ns,
        tuple(ids),
        {**share.as_json(), "intended_mode": "PERMISSIVE"},
        f"{subject} is PERMISSIVE but all {_count(share.requests)} observed requests used mTLS: it "
        "is safe to make it STRICT (clients outside this window are not seen; check first).",
        yaml,
        severity="info",
    )


def _conflict_subjects(c: Conflict, intents: Iterable[Intent], root: str) -> list[str]:
    pa, dr = c.peer_authentication, c.destination_rule
    out = []
    for intent in intents:
        w = intent.workload
        in_scope = pa.namespace == w.namespace or (pa.namespace == root and not pa.selector)
        if not in_scope or not selects(pa.selector, w.labels):
            continue
        hosts = w.hosts or (w.labels.get("app", w.name),)
        if any(host_matches(dr.host, dr.namespace, h, w.namespace) for h in hosts):
            out.append(w.id)
    return sorted(out)


def strict_dr_disable(ctx: Context, root: str = "istio-system") -> Iterable[Mismatch]:
    """STRICT PeerAuthentications that a DestinationRule sends plaintext to."""
    for c in conflicts(list(ctx.inputs.peer_auths), list(ctx.inputs.dest_rules), root):
        pa, dr = c.peer_authentication, c.destination_rule
        ports = list(c.ports)
        yield Mismatch(
            f"strict_dr_disable:{pa.namespace}/{pa.name}|{dr.namespace}/{dr.name}",
            "strict_dr_disable",
            pa.namespace,
            tuple(_conflict_subjects(c, ctx.intents.values(), root)),
            {
                "peer_authentication": f"{pa.namespace}/{pa.name}",
                "destination_rule": f"{dr.namespace}/{dr.name}",
                "host": dr.host,
                "ports": ports or "all",
            },
            f"PeerAuthentication {pa.namespace}/{pa.name} requires mTLS"
            f"{' on ports ' + ', '.join(map(str, ports)) if ports else ''} but DestinationRule "
            f"{dr.namespace}/{dr.name} makes clients send plaintext to {dr.host}: their requests "
            "are reset. Set the rule's tls mode to ISTIO_MUTUAL (or drop it for auto-mTLS).",
            remedies.istio_mutual_destination_rule(dr.namespace, dr.name, dr.host),
            severity="critical",
        )


def meshed_client_unmeshed_server(ctx: Context) -> Iterable[Mismatch]:
    """Edges from a workload with a proxy to a known workload without one."""
    pairs: dict[tuple[str, str], float] = {}
    for e in ctx.edges:
        src = ctx.intents.get(peer_id(e.source))
        dst = ctx.intents.get(peer_id(e.destination))
        if src and dst and src.workload.sidecar and not dst.workload.sidecar:
            key = (src.workload.id, dst.workload.id)
            pairs[key] = pairs.get(key, 0.0) + e.requests
    for (src_id, dst_id), requests in pairs.items():
        server = ctx.intents[dst_id].workload
        mesh = ctx.intents[src_id].workload.sidecar
        yield Mismatch(
            f"meshed_client_unmeshed_server:{src_id}->{dst_id}",
            "meshed_client_unmeshed_server",
            server.namespace,
            (src_id, dst_id),
            {"requests": requests, "client_mesh": mesh},
            f"{src_id} has a {mesh} proxy but {dst_id} has none, so this traffic is plaintext "
            "(auto-mTLS falls back). Inject the proxy into the server.",
            remedies.injection_label(server.namespace, mesh),
        )


# The mesh's own control plane runs without a sidecar by design (istiod, the Istio CNI node
# agent, ambient's ztunnel): flagging it would be a false finding on every Istio cluster.
_CONTROL_PLANE = {
    "app": {"istiod", "istio-cni-node", "ztunnel"},
    "istio": {"pilot"},
    "k8s-app": {"istio-cni-node"},
}


def is_control_plane(labels: Mapping[str, str]) -> bool:
    """Whether `labels` mark a mesh control-plane workload, which runs without a proxy."""
    return any(labels.get(key) in values for key, values in _CONTROL_PLANE.items())


def missing_sidecar(ctx: Context) -> Iterable[Mismatch]:
    """Pods without the proxy in a namespace enrolled in a mesh (the control plane aside)."""
    by_ns: dict[str, list[str]] = {}
    pods: dict[str, int] = {}
    control = {w.id for w in ctx.inputs.workloads if is_control_plane(w.labels)}
    for wid, names in ctx.inputs.pods_without_proxy.items():
        ns = wid.split(":", 1)[1].split("/", 1)[0]
        if names and wid not in control and ctx.inputs.namespace_mesh.get(ns):
            by_ns.setdefault(ns, []).append(wid)
            pods[ns] = pods.get(ns, 0) + len(names)
    for ns, ids in by_ns.items():
        mesh = ctx.inputs.namespace_mesh[ns]
        restarts = "\n".join(
            f"kubectl -n {shlex.quote(ns)} rollout restart "
            f"{shlex.quote('deployment/' + i.split('/')[-1])}"
            for i in sorted(ids)
        )
        yield Mismatch(
            f"missing_sidecar:{ns}",
            "missing_sidecar",
            ns,
            tuple(sorted(ids)),
            {"pods_without_proxy": pods[ns], "mesh": mesh},
            f"{pods[ns]} pod(s) in {mesh} namespace {ns} run without the proxy: their traffic "
            f"is plaintext. Check the injection label, then restart them:\n{restarts}",
            remedies.injection_label(ns, mesh),
        )
