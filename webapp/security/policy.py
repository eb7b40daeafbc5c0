"""Intended mTLS, resolved from mesh policies: pure functions over small dataclasses.

Istio (server side, PeerAuthentication): a workload-selector policy beats the namespace-wide
one, which beats the root namespace's (mesh-wide) one; a level whose mode is UNSET inherits
the next; `portLevelMtls` (only honoured on selector policies, as in Istio) overrides one
port, and a port set to UNSET inherits the workload's mode; with no policy anywhere Istio
runs PERMISSIVE. Client side, a DestinationRule's `trafficPolicy.tls.mode` (port-level
settings first) decides; without one auto-mTLS sends mTLS to servers that have a sidecar.

Linkerd: meshed proxies always speak mTLS to each other; a meshed server still accepts
plaintext from unmeshed clients (PERMISSIVE in Istio's words) unless a Server's port is
guarded by an AuthorizationPolicy requiring mesh identities, or its access policy requires
authentication (STRICT). A workload without a proxy enforces nothing: NONE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROOT_NAMESPACE = "istio-system"
DEFAULT_MODE = "PERMISSIVE"  # Istio's default when no PeerAuthentication applies
NO_PROXY = "NONE"
MTLS_CLIENT_MODES = ("ISTIO_MUTUAL", "MUTUAL", "AUTO_MTLS")
# Linkerd default policies that only admit clients with a mesh identity.
LINKERD_AUTHENTICATED = ("all-authenticated", "cluster-authenticated", "deny")


@dataclass(frozen=True)
class PeerAuth:
    """A PeerAuthentication: selector None means namespace-wide (mesh-wide in the root)."""

    namespace: str
    name: str
    mode: str = "UNSET"
    selector: Mapping[str, str] | None = None
    port_modes: Mapping[int, str] = field(default_factory=dict)

    def strict_ports(self) -> tuple[bool, frozenset[int]]:
        """(whole policy STRICT, ports set STRICT one by one)."""
        ports = frozenset(p for p, m in self.port_modes.items() if m == "STRICT")
        return self.mode == "STRICT", ports


@dataclass(frozen=True)
class DestRule:
    """A DestinationRule's client-side TLS: host, mode ("" when unset), port modes."""

    namespace: str
    name: str
    host: str
    tls_mode: str = ""
    port_modes: Mapping[int, str] = field(default_factory=dict)
    subset_modes: Mapping[str, str] = field(default_factory=dict)  # subset → its tls mode


@dataclass(frozen=True)
class LinkerdServer:
    """A Linkerd Server port and whether its clients must present a mesh identity."""

    namespace: str
    name: str
    selector: Mapping[str, str]
    port: int | str | None
    requires_mtls: bool = False


@dataclass(frozen=True)
class WorkloadIn:
    """A workload as the resolver sees it: labels, proxy, ports and the hosts it serves."""

    namespace: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    sidecar: str = ""  # "istio", "linkerd" or "" (every pod without a proxy)
    ports: tuple[int, ...] = ()
    hosts: tuple[str, ...] = ()  # Service names selecting it (short names)

    @property
    def id(self) -> str:
        """The graph node id."""
        return f"workload:{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Intent:
    """A workload's effective server-side mode, per port, and the policies that made it."""

    workload: WorkloadIn
    mode: str
    ports: dict[int, str]
    policy_mode: str  # what the policies say, even when no proxy enforces it
    policies: tuple[str, ...] = ()

    def mode_on(self, port: int | None) -> str:
        """The mode on `port` (the workload's mode for a port without its own)."""
        return self.ports.get(port, self.mode) if port is not None else self.mode

    @property
    def strict_anywhere(self) -> bool:
        """STRICT on the workload or on at least one port."""
        return self.mode == "STRICT" or "STRICT" in self.ports.values()


def selects(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    """Whether a matchLabels selector picks `labels` (an empty selector picks everything)."""
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def _pick(pas: Iterable[PeerAuth]) -> PeerAuth | None:
    # Istio takes the oldest of several at one level; rows carry no creation time, so the
    # first by name stands in for it, which at least makes the choice stable.
    ordered = sorted(pas, key=lambda pa: pa.name)
    return ordered[0] if ordered else None


def _levels(w: WorkloadIn, pas: list[PeerAuth], root: str) -> list[PeerAuth]:
    """The workload, namespace and root policies that apply to `w`, most specific first."""
    local = [pa for pa in pas if pa.namespace == w.namespace]
    workload = _pick(pa for pa in local if pa.selector and selects(pa.selector, w.labels))
    namespace = _pick(pa for pa in local if not pa.selector)
    mesh = _pick(pa for pa in pas if pa.namespace == root and not pa.selector)
    if w.namespace == root:
        mesh = None  # the root's namespace-wide policy is already the namespace level
    return [pa for pa in (workload, namespace, mesh) if pa is not None]


def resolve_istio(w: WorkloadIn, pas: list[PeerAuth], root: str = ROOT_NAMESPACE) -> Intent:
    """The effective PeerAuthentication mode of `w`, for the workload and each port."""
    levels = _levels(w, pas, root)
    mode = next((pa.mode for pa in levels if pa.mode != "UNSET"), DEFAULT_MODE)
    ports: dict[int, str] = {}
    selector_pa = levels[0] if levels and levels[0].selector else None
    if selector_pa is not None:
        for port, port_mode in selector_pa.port_modes.items():
            ports[port] = mode if port_mode in ("", "UNSET") else port_mode
    for port in w.ports:
        ports.setdefault(port, mode)
    names = tuple(f"PeerAuthentication {pa.namespace}/{pa.name}" for pa in levels)
    if not w.sidecar:
        return Intent(w, NO_PROXY, {p: NO_PROXY for p in ports}, mode, names)
    return Intent(w, mode, ports, mode, names)


def resolve_linkerd(
    w: WorkloadIn, servers: list[LinkerdServer], default_policy: str = "all-unauthenticated"
) -> Intent:
    """The effective Linkerd mode of `w`: PERMISSIVE, STRICT on guarded Server ports."""
    mode = "STRICT" if default_policy in LINKERD_AUTHENTICATED else DEFAULT_MODE
    ports: dict[int, str] = {p: mode for p in w.ports}
    names = []
    for server in servers:
        if server.namespace != w.namespace or not selects(server.selector, w.labels):
            continue
        if isinstance(server.port, int):
            ports[server.port] = "STRICT" if server.requires_mtls else mode
            names.append(f"Server {server.namespace}/{server.name}")
    if not w.sidecar:
        return Intent(w, NO_PROXY, {p: NO_PROXY for p in ports}, mode, tuple(names))
    return Intent(w, mode, ports, mode, tuple(names))


def host_namespace(host: str, dr_namespace: str) -> str | None:
    """The namespace a DestinationRule host points into; None for a mesh-wide wildcard."""
    parts = host.split(".")
    if host in ("*", "*.local", "*.cluster.local", "*.svc.cluster.local"):
        return None
    if len(parts) == 1:
        return dr_namespace  # a short name means a Service in the rule's namespace
    return parts[1]


def host_matches(host: str, dr_namespace: str, service: str, namespace: str) -> bool:
    """Whether a DestinationRule `host` covers Service `service` of `namespace`."""
    target = host_namespace(host, dr_namespace)
    if target is not None and target != namespace:
        return False
    name = host.split(".")[0]
    return name == "*" or name == service


def _rule_rank(dr: DestRule, host: str, client_ns: str, server_ns: str, root: str) -> tuple:
    # Istio looks in the client's namespace, then the server's, then the root; an exact host
    # beats a wildcard within one namespace.
    order = {client_ns: 0, server_ns: 1, root: 2}
    return (order.get(dr.namespace, 3), dr.host.startswith("*"), dr.name)


def client_mode(
    client_ns: str,
    server: Intent,
    port: int | None,
    drs: list[DestRule],
    root: str = ROOT_NAMESPACE,
) -> tuple[str, DestRule | None]:
    """What a client in `client_ns` sends to `server` on `port`, and the rule that says so.

    No DestinationRule: auto-mTLS, i.e. "AUTO_MTLS" to a server with a proxy, else DISABLE.
    """
    w = server.workload
    hosts = w.hosts or (w.labels.get("app", w.name),)
    matching = [
        dr for dr in drs for h in hosts if host_matches(dr.host, dr.namespace, h, w.namespace)
    ]
    for dr in sorted(matching, key=lambda d: _rule_rank(d, d.host, client_ns, w.namespace, root)):
        mode = dr.port_modes.get(port, "") if port is not None else ""
        if mode or dr.tls_mode:
            return mode or dr.tls_mode, dr
    return ("AUTO_MTLS" if w.sidecar else "DISABLE"), None


@dataclass(frozen=True)
class Conflict:
    """A STRICT PeerAuthentication and a DestinationRule sending plaintext to it."""

    peer_authentication: PeerAuth
    destination_rule: DestRule
    ports: tuple[int, ...]  # () when the whole workload or namespace is affected


def _overlap(pa: PeerAuth, dr: DestRule, root: str) -> bool:
    target = host_namespace(dr.host, dr.namespace)
    pa_scope = None if pa.namespace == root and not pa.selector else pa.namespace
    return target is None or pa_scope is None or target == pa_scope


def conflicts(
    pas: list[PeerAuth], drs: list[DestRule], root: str = ROOT_NAMESPACE
) -> list[Conflict]:
    """Every STRICT PeerAuthentication and DISABLE DestinationRule reaching the same scope.

    Judged pairwise, as Kiali's checker does: a pair conflicts when the rule's host can reach
    a workload the policy covers and a port the policy makes STRICT the rule sends plaintext on.
    """
    found = []
    for pa in pas:
        whole, strict_ports = pa.strict_ports()
        if not whole and not strict_ports:
            continue
        for dr in drs:
            if not _overlap(pa, dr, root):
                continue
            ports = _plaintext_ports(pa, dr, whole, strict_ports)
            if ports is not None:
                found.append(Conflict(pa, dr, ports))
    return found


def _plaintext_ports(
    pa: PeerAuth, dr: DestRule, whole: bool, strict_ports: frozenset[int]
) -> tuple[int, ...] | None:
    """The STRICT ports `dr` disables ((): all of them), or None when there is no clash."""

    def disabled(port: int) -> bool:
        return dr.port_modes.get(port, dr.tls_mode) == "DISABLE"

    strict = set(strict_ports)
    if whole:
        non_strict = {p for p, m in pa.port_modes.items() if m not in ("STRICT", "", "UNSET")}
        # A subset's own DISABLE sends plaintext to the pods it picks, whatever the port.
        if dr.tls_mode == "DISABLE" or "DISABLE" in dr.subset_modes.values():
            return ()
        strict |= {p for p, m in dr.port_modes.items() if m == "DISABLE"} - non_strict
    hit = tuple(sorted(p for p in strict if disabled(p)))
    return hit or None


def peer_auth_from_spec(namespace: str, name: str, spec: Mapping[str, Any]) -> PeerAuth:
    """A PeerAuth from a stored MeshPolicy spec (collectors' PeerAuthenticationInfo JSON)."""
    selector = spec.get("selector")
    return PeerAuth(
        namespace=namespace,
        name=name,
        mode=str(spec.get("mode") or "UNSET"),
        selector=dict(selector) if selector else None,
        port_modes={int(p): str(m or "UNSET") for p, m in spec.get("port_modes") or ()},
    )


def dest_rule_from_spec(namespace: str, name: str, spec: Mapping[str, Any]) -> DestRule:
    """A DestRule from a stored MeshPolicy spec (collectors' DestinationRuleInfo JSON)."""
    return DestRule(
        namespace=namespace,
        name=name,
        host=str(spec.get("host") or ""),
        tls_mode=str(spec.get("tls_mode") or ""),
        port_modes={int(p): str(m) for p, m in spec.get("port_tls_modes") or () if m},
        subset_modes={
            str(sub.get("name")): str(sub.get("tls_mode"))
            for sub in spec.get("subsets") or ()
            if isinstance(sub, dict) and sub.get("tls_mode")
        },
    )


def resolve(
    w: WorkloadIn,
    pas: list[PeerAuth],
    servers: list[LinkerdServer],
    namespace_mesh: str = "",
    root: str = ROOT_NAMESPACE,
) -> Intent:
    """The intent of `w` under its own mesh (its proxy's, else its namespace's)."""
    mesh = w.sidecar or namespace_mesh
    if mesh == "linkerd":
        return resolve_linkerd(w, servers)
    return resolve_istio(w, pas, root)
