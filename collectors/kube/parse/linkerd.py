"""Linkerd policy CRDs (policy.linkerd.io): Server, ServerAuthorization,
AuthorizationPolicy, MeshTLSAuthentication and NetworkAuthentication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .common import LabelSelector, Meta, ParseError, Reader, int_or_str, read_meta


@dataclass(frozen=True)
class ResourceRef:
    """A policy reference: group, kind, name and (for cross-namespace refs) namespace."""

    kind: str
    name: str
    group: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class LinkerdServerInfo:
    """A Server: a port on selected pods, its protocol and default access policy."""

    meta: Meta
    pod_selector: LabelSelector | None = None
    port: int | str | None = None
    proxy_protocol: str = "unknown"  # Linkerd detects the protocol when not set
    access_policy: str = ""  # v1beta3 accessPolicy; "" means the cluster default applies
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServerAuthorizationInfo:
    """A (deprecated but common) ServerAuthorization: which clients may use a Server."""

    meta: Meta
    server_name: str = ""
    server_selector: LabelSelector | None = None
    unauthenticated: bool = False
    networks: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    service_accounts: tuple[str, ...] = ()  # "namespace/name" or "name"
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkerdAuthorizationPolicyInfo:
    """A Linkerd AuthorizationPolicy: a target and the authentications it requires."""

    meta: Meta
    target: ResourceRef | None = None
    required_authentications: tuple[ResourceRef, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def requires_mtls(self) -> bool:
        """True when every accepted client must present a mesh identity."""
        kinds = {ref.kind for ref in self.required_authentications}
        return bool(kinds) and kinds <= {"MeshTLSAuthentication", "ServiceAccount"}


@dataclass(frozen=True)
class MeshTLSAuthenticationInfo:
    """Mesh identities (literal or as references to ServiceAccounts)."""

    meta: Meta
    identities: tuple[str, ...] = ()
    identity_refs: tuple[ResourceRef, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class NetworkAuthenticationInfo:
    """Client networks allowed without a mesh identity."""

    meta: Meta
    networks: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def _ref(raw: dict[str, Any], reader: Reader) -> ResourceRef:
    return ResourceRef(
        kind=reader.text(raw, "kind"),
        name=reader.text(raw, "name"),
        group=reader.text(raw, "group"),
        namespace=reader.text(raw, "namespace"),
    )


def parse_linkerd_server(raw: Any) -> LinkerdServerInfo | ParseError:
    """A policy.linkerd.io Server."""
    reader = Reader()
    meta = read_meta(raw, "Server", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    return LinkerdServerInfo(
        meta=meta,
        pod_selector=reader.selector(spec, "podSelector", "spec.podSelector"),
        port=int_or_str(spec.get("port")),
        proxy_protocol=reader.text(spec, "proxyProtocol", "unknown"),
        access_policy=reader.text(spec, "accessPolicy"),
        warnings=tuple(reader.warnings),
    )


def parse_server_authorization(raw: Any) -> ServerAuthorizationInfo | ParseError:
    """A policy.linkerd.io ServerAuthorization."""
    reader = Reader()
    meta = read_meta(raw, "ServerAuthorization", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    server, client = reader.mapping(spec, "server"), reader.mapping(spec, "client")
    mesh_tls = reader.mapping(client, "meshTLS")
    accounts = tuple(
        f"{reader.text(a, 'namespace')}/{reader.text(a, 'name')}".lstrip("/")
        for a in reader.mappings(mesh_tls, "serviceAccounts")
    )
    return ServerAuthorizationInfo(
        meta=meta,
        server_name=reader.text(server, "name"),
        server_selector=reader.selector(server, "selector", "spec.server.selector"),
        unauthenticated=reader.flag(client, "unauthenticated") is True
        or reader.flag(mesh_tls, "unauthenticatedTLS") is True,
        networks=tuple(reader.text(n, "cidr") for n in reader.mappings(client, "networks")),
        identities=reader.texts(mesh_tls, "identities"),
        service_accounts=accounts,
        warnings=tuple(reader.warnings),
    )


def parse_linkerd_authorization_policy(raw: Any) -> LinkerdAuthorizationPolicyInfo | ParseError:
    """A policy.linkerd.io AuthorizationPolicy."""
    reader = Reader()
    meta = read_meta(raw, "AuthorizationPolicy", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    target = reader.mapping(spec, "targetRef")
    return LinkerdAuthorizationPolicyInfo(
        meta=meta,
        target=_ref(target, reader) if target else None,
        required_authentications=tuple(
            _ref(r, reader) for r in reader.mappings(spec, "requiredAuthenticationRefs")
        ),
        warnings=tuple(reader.warnings),
    )


def parse_meshtls_authentication(raw: Any) -> MeshTLSAuthenticationInfo | ParseError:
    """A policy.linkerd.io MeshTLSAuthentication."""
    reader = Reader()
    meta = read_meta(raw, "MeshTLSAuthentication", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    return MeshTLSAuthenticationInfo(
        meta=meta,
        identities=reader.texts(spec, "identities"),
        identity_refs=tuple(_ref(r, reader) for r in reader.mappings(spec, "identityRefs")),
        warnings=tuple(reader.warnings),
    )


def parse_network_authentication(raw: Any) -> NetworkAuthenticationInfo | ParseError:
    """A policy.linkerd.io NetworkAuthentication."""
    reader = Reader()
    meta = read_meta(raw, "NetworkAuthentication", reader)
    if isinstance(meta, ParseError):
        return meta
    networks = reader.mappings(reader.mapping(raw, "spec"), "networks")
    return NetworkAuthenticationInfo(
        meta=meta,
        networks=tuple(reader.text(n, "cidr") for n in networks),
        warnings=tuple(reader.warnings),
    )
