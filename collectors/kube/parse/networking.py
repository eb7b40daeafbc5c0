"""Ingresses and NetworkPolicies (networking.k8s.io/v1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .common import LabelSelector, Meta, ParseError, Reader, int_or_str, read_meta


@dataclass(frozen=True)
class IngressBackend:
    """A Service backend (`service`/`port`) or a resource backend (`resource`)."""

    service: str = ""
    port: int | str | None = None
    resource: str = ""  # "Kind/name" of a resource backend


@dataclass(frozen=True)
class IngressPath:
    """One HTTP path of a rule."""

    path: str
    path_type: str
    backend: IngressBackend


@dataclass(frozen=True)
class IngressRule:
    """A host (empty: any host) and its paths."""

    host: str
    paths: tuple[IngressPath, ...]


@dataclass(frozen=True)
class IngressTLS:
    """A TLS block: hosts and the Secret holding their certificate."""

    hosts: tuple[str, ...]
    secret_name: str = ""


@dataclass(frozen=True)
class IngressInfo:
    """A networking.k8s.io/v1 Ingress."""

    meta: Meta
    class_name: str = ""
    default_backend: IngressBackend | None = None
    rules: tuple[IngressRule, ...] = ()
    tls: tuple[IngressTLS, ...] = ()
    warnings: tuple[str, ...] = ()


def parse_ingress(raw: Any) -> IngressInfo | ParseError:
    """A networking.k8s.io/v1 Ingress."""
    reader = Reader()
    meta = read_meta(raw, "Ingress", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    default = reader.mapping(spec, "defaultBackend", "spec.defaultBackend")
    class_name = reader.text(spec, "ingressClassName") or meta.annotations.get(
        "kubernetes.io/ingress.class", ""
    )  # the annotation predates ingressClassName and is still common
    return IngressInfo(
        meta=meta,
        class_name=class_name,
        default_backend=_backend(default, reader) if default else None,
        rules=tuple(_rule(r, reader) for r in reader.mappings(spec, "rules", "spec.rules")),
        tls=tuple(
            IngressTLS(reader.texts(t, "hosts"), reader.text(t, "secretName"))
            for t in reader.mappings(spec, "tls", "spec.tls")
        ),
        warnings=tuple(reader.warnings),
    )


def _rule(raw: dict[str, Any], reader: Reader) -> IngressRule:
    http = reader.mapping(raw, "http", "spec.rules.http")
    paths = tuple(
        IngressPath(
            path=reader.text(p, "path", "/"),
            path_type=reader.text(p, "pathType", "ImplementationSpecific"),
            backend=_backend(reader.mapping(p, "backend"), reader),
        )
        for p in reader.mappings(http, "paths", "spec.rules.http.paths")
    )
    return IngressRule(host=reader.text(raw, "host"), paths=paths)


def _backend(raw: dict[str, Any], reader: Reader) -> IngressBackend:
    service = reader.mapping(raw, "service", "backend.service")
    if service:
        port = reader.mapping(service, "port", "backend.service.port")
        number = reader.integer(port, "number", "backend.service.port.number")
        return IngressBackend(
            service=reader.text(service, "name"),
            port=number if number is not None else (reader.text(port, "name") or None),
        )
    resource = reader.mapping(raw, "resource", "backend.resource")
    return IngressBackend(
        resource=f"{reader.text(resource, 'kind')}/{reader.text(resource, 'name')}"
    )


@dataclass(frozen=True)
class IPBlock:
    """A CIDR with the CIDRs carved out of it."""

    cidr: str
    except_: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyPeer:
    """One from/to entry. A selector of None means "not specified" (not "everything")."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True)
class PolicyPort:
    """A port (number, name or None for all ports) with protocol and optional endPort."""

    protocol: str = "TCP"
    port: int | str | None = None
    end_port: int | None = None


@dataclass(frozen=True)
class PolicyRule:
    """An ingress or egress rule. Empty `peers` or `ports` mean all peers / all ports."""

    peers: tuple[PolicyPeer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True)
class NetworkPolicyInfo:
    """A networking.k8s.io/v1 NetworkPolicy, with policyTypes defaulted as the API does."""

    meta: Meta
    pod_selector: LabelSelector
    policy_types: tuple[str, ...]
    ingress: tuple[PolicyRule, ...] = ()
    egress: tuple[PolicyRule, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def isolates_ingress(self) -> bool:
        """Selected pods accept only what some ingress rule allows."""
        return "Ingress" in self.policy_types

    @property
    def isolates_egress(self) -> bool:
        """Selected pods may send only what some egress rule allows."""
        return "Egress" in self.policy_types


def parse_network_policy(raw: Any) -> NetworkPolicyInfo | ParseError:
    """A networking.k8s.io/v1 NetworkPolicy."""
    reader = Reader()
    meta = read_meta(raw, "NetworkPolicy", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    ingress = tuple(_policy_rule(r, "from", reader) for r in reader.mappings(spec, "ingress"))
    egress = tuple(_policy_rule(r, "to", reader) for r in reader.mappings(spec, "egress"))
    types = reader.texts(spec, "policyTypes", "spec.policyTypes")
    if not types:
        # The API server's default: Ingress always, Egress only when egress rules exist.
        types = ("Ingress", "Egress") if spec.get("egress") else ("Ingress",)
    return NetworkPolicyInfo(
        meta=meta,
        pod_selector=reader.selector(spec, "podSelector", "spec.podSelector") or LabelSelector(),
        policy_types=types,
        ingress=ingress,
        egress=egress,
        warnings=tuple(reader.warnings),
    )


def _policy_rule(raw: dict[str, Any], peers_key: str, reader: Reader) -> PolicyRule:
    return PolicyRule(
        peers=tuple(_peer(p, reader) for p in reader.mappings(raw, peers_key)),
        ports=tuple(
            PolicyPort(
                protocol=reader.text(p, "protocol", "TCP"),
                port=int_or_str(p.get("port")),
                end_port=reader.integer(p, "endPort"),
            )
            for p in reader.mappings(raw, "ports")
        ),
    )


def _peer(raw: dict[str, Any], reader: Reader) -> PolicyPeer:
    block = reader.mapping(raw, "ipBlock")
    return PolicyPeer(
        pod_selector=reader.selector(raw, "podSelector"),
        namespace_selector=reader.selector(raw, "namespaceSelector"),
        ip_block=IPBlock(reader.text(block, "cidr"), reader.texts(block, "except"))
        if block
        else None,
    )
