"""Istio security and traffic CRDs: PeerAuthentication, DestinationRule,
AuthorizationPolicy and Sidecar (security.istio.io, networking.istio.io; v1 and v1beta1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .common import Meta, ParseError, Reader, read_meta

# Source fields and `when` keys that can only be satisfied with a peer identity, which
# Istio gets from mTLS: a policy using them silently requires mTLS to work.
IDENTITY_FIELDS = ("principals", "notPrincipals", "namespaces", "notNamespaces")
IDENTITY_KEYS = ("source.principal", "source.namespace", "connection.sni")


@dataclass(frozen=True)
class PeerAuthenticationInfo:
    """A PeerAuthentication: workload selector, mode ("UNSET" when absent), port modes."""

    meta: Meta
    selector: dict[str, str] | None = None  # None: namespace-wide (or mesh-wide in the root)
    mode: str = "UNSET"
    port_modes: tuple[tuple[int, str], ...] = ()
    warnings: tuple[str, ...] = ()

    def scope(self, root_namespace: str = "istio-system") -> str:
        """ "mesh", "namespace" or "workload", as Istio ranks policies."""
        if self.selector:
            return "workload"
        return "mesh" if self.meta.namespace == root_namespace else "namespace"


@dataclass(frozen=True)
class TrafficSubset:
    """A DestinationRule subset: its labels and the TLS mode it overrides (or "")."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    tls_mode: str = ""


@dataclass(frozen=True)
class DestinationRuleInfo:
    """A DestinationRule's client-side TLS settings."""

    meta: Meta
    host: str = ""
    tls_mode: str = ""  # trafficPolicy.tls.mode; "" when not set
    port_tls_modes: tuple[tuple[int, str], ...] = ()
    subsets: tuple[TrafficSubset, ...] = ()
    export_to: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthzRule:
    """One rule: its source, operation and condition fields, each name → values."""

    sources: tuple[dict[str, tuple[str, ...]], ...] = ()
    operations: tuple[dict[str, tuple[str, ...]], ...] = ()
    conditions: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()  # key, values, not

    @property
    def needs_identity(self) -> bool:
        """True when the rule matches on peer identity (works only over mTLS)."""
        if any(f in s for s in self.sources for f in IDENTITY_FIELDS):
            return True
        return any(key in IDENTITY_KEYS for key, _, _ in self.conditions)


@dataclass(frozen=True)
class IstioAuthorizationPolicyInfo:
    """An Istio AuthorizationPolicy (action ALLOW when absent)."""

    meta: Meta
    action: str = "ALLOW"
    selector: dict[str, str] | None = None
    target_refs: tuple[str, ...] = ()  # "Kind/name"
    rules: tuple[AuthzRule, ...] = ()
    provider: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def requires_mtls(self) -> bool:
        """Some rule needs a peer identity, so plaintext callers cannot match it."""
        return any(rule.needs_identity for rule in self.rules)


@dataclass(frozen=True)
class SidecarInfo:
    """An Istio Sidecar: which workloads, and which hosts their proxies may reach."""

    meta: Meta
    selector: dict[str, str] | None = None
    egress_hosts: tuple[str, ...] = ()
    ingress_ports: tuple[int, ...] = ()
    outbound_mode: str = ""  # outboundTrafficPolicy.mode: ALLOW_ANY or REGISTRY_ONLY
    warnings: tuple[str, ...] = ()


def _start(raw: Any, kind: str) -> tuple[Reader, Meta | ParseError, dict[str, Any]]:
    reader = Reader()
    return reader, read_meta(raw, kind, reader), reader.mapping(raw, "spec")


def _workload_selector(spec: dict[str, Any], key: str, reader: Reader) -> dict[str, str] | None:
    raw = reader.mapping(spec, key, f"spec.{key}")
    field_name = "matchLabels" if key == "selector" else "labels"
    return reader.str_map(raw, field_name, f"spec.{key}.{field_name}") if raw else None


def _port_modes(raw: dict[str, Any], inner: str, reader: Reader) -> tuple[tuple[int, str], ...]:
    # YAML turns `9090:` into an int key and JSON keeps "9090"; both mean the same port.
    out = []
    for port, setting in raw.items():
        number = int(port) if str(port).isdigit() else None
        if number is None or not isinstance(setting, dict):
            reader.warn(f"port-level setting for {str(port)[:20]} is not understood")
            continue
        out.append(
            (number, reader.text(reader.mapping(setting, inner) if inner else setting, "mode"))
        )
    return tuple(sorted(out))


def parse_peer_authentication(raw: Any) -> PeerAuthenticationInfo | ParseError:
    """A security.istio.io PeerAuthentication."""
    reader, meta, spec = _start(raw, "PeerAuthentication")
    if isinstance(meta, ParseError):
        return meta
    return PeerAuthenticationInfo(
        meta=meta,
        selector=_workload_selector(spec, "selector", reader),
        mode=reader.text(reader.mapping(spec, "mtls"), "mode", "UNSET") or "UNSET",
        port_modes=_port_modes(reader.mapping(spec, "portLevelMtls"), "", reader),
        warnings=tuple(reader.warnings),
    )


def parse_destination_rule(raw: Any) -> DestinationRuleInfo | ParseError:
    """A networking.istio.io DestinationRule."""
    reader, meta, spec = _start(raw, "DestinationRule")
    if isinstance(meta, ParseError):
        return meta
    policy = reader.mapping(spec, "trafficPolicy")
    ports = {}
    for setting in reader.mappings(policy, "portLevelSettings"):
        number = reader.integer(reader.mapping(setting, "port"), "number")
        if number is not None:
            ports[number] = reader.text(reader.mapping(setting, "tls"), "mode")
    subsets = tuple(
        TrafficSubset(
            name=reader.text(s, "name"),
            labels=reader.str_map(s, "labels"),
            tls_mode=reader.text(reader.mapping(reader.mapping(s, "trafficPolicy"), "tls"), "mode"),
        )
        for s in reader.mappings(spec, "subsets")
    )
    return DestinationRuleInfo(
        meta=meta,
        host=reader.text(spec, "host"),
        tls_mode=reader.text(reader.mapping(policy, "tls"), "mode"),
        port_tls_modes=tuple(sorted(ports.items())),
        subsets=subsets,
        export_to=reader.texts(spec, "exportTo"),
        warnings=tuple(reader.warnings),
    )


def parse_istio_authorization_policy(raw: Any) -> IstioAuthorizationPolicyInfo | ParseError:
    """A security.istio.io AuthorizationPolicy."""
    reader, meta, spec = _start(raw, "AuthorizationPolicy")
    if isinstance(meta, ParseError):
        return meta
    refs = reader.mappings(spec, "targetRefs") or (
        [reader.mapping(spec, "targetRef")] if spec.get("targetRef") else []
    )
    return IstioAuthorizationPolicyInfo(
        meta=meta,
        action=reader.text(spec, "action", "ALLOW") or "ALLOW",
        selector=_workload_selector(spec, "selector", reader),
        target_refs=tuple(f"{reader.text(r, 'kind')}/{reader.text(r, 'name')}" for r in refs),
        rules=tuple(_authz_rule(r, reader) for r in reader.mappings(spec, "rules")),
        provider=reader.text(reader.mapping(spec, "provider"), "name"),
        warnings=tuple(reader.warnings),
    )


def _authz_rule(raw: dict[str, Any], reader: Reader) -> AuthzRule:
    def fields(entries: list[dict[str, Any]], inner: str) -> tuple[dict[str, tuple[str, ...]], ...]:
        out = []
        for entry in entries:
            body = reader.mapping(entry, inner)
            out.append({name: reader.texts(body, name) for name in body})
        return tuple(out)

    return AuthzRule(
        sources=fields(reader.mappings(raw, "from"), "source"),
        operations=fields(reader.mappings(raw, "to"), "operation"),
        conditions=tuple(
            (reader.text(c, "key"), reader.texts(c, "values"), reader.texts(c, "notValues"))
            for c in reader.mappings(raw, "when")
        ),
    )


def parse_sidecar(raw: Any) -> SidecarInfo | ParseError:
    """A networking.istio.io Sidecar."""
    reader, meta, spec = _start(raw, "Sidecar")
    if isinstance(meta, ParseError):
        return meta
    hosts: list[str] = []
    for egress in reader.mappings(spec, "egress"):
        hosts.extend(reader.texts(egress, "hosts"))
    ports = (
        reader.integer(reader.mapping(i, "port"), "number")
        for i in reader.mappings(spec, "ingress")
    )
    return SidecarInfo(
        meta=meta,
        selector=_workload_selector(spec, "workloadSelector", reader),
        egress_hosts=tuple(hosts),
        ingress_ports=tuple(p for p in ports if p is not None),
        outbound_mode=reader.text(reader.mapping(spec, "outboundTrafficPolicy"), "mode"),
        warnings=tuple(reader.warnings),
    )
