"""Services, EndpointSlices (discovery.k8s.io/v1) and legacy Endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .common import Meta, ParseError, Reader, int_or_str, read_meta

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True)
class ServicePortInfo:
    """One port of a Service."""

    port: int
    protocol: str = "TCP"
    name: str = ""
    target_port: int | str | None = None  # None: same as `port`
    node_port: int | None = None
    app_protocol: str = ""


@dataclass(frozen=True)
class ServiceInfo:
    """A v1 Service."""

    meta: Meta
    type: str = "ClusterIP"
    cluster_ip: str = ""
    cluster_ips: tuple[str, ...] = ()
    ports: tuple[ServicePortInfo, ...] = ()
    selector: dict[str, str] = field(default_factory=dict)
    external_name: str = ""
    external_ips: tuple[str, ...] = ()
    load_balancer_ips: tuple[str, ...] = ()
    internal_traffic_policy: str = ""
    external_traffic_policy: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def headless(self) -> bool:
        """A Service without a virtual IP: DNS answers with the endpoints themselves."""
        return self.cluster_ip == "None"


@dataclass(frozen=True)
class TargetRef:
    """What an endpoint points at (usually a Pod)."""

    kind: str
    name: str
    namespace: str = ""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of a slice. Conditions keep the API's None ("unknown")."""

    addresses: tuple[str, ...]
    ready: bool | None = None
    serving: bool | None = None
    terminating: bool | None = None
    target: TargetRef | None = None
    node_name: str = ""
    zone: str = ""
    hostname: str = ""

    @property
    def is_ready(self) -> bool:
        """Ready as consumers should read it: unknown counts as ready (API docs)."""
        return self.ready is not False

    @property
    def is_serving(self) -> bool:
        """Serving, with unknown falling back to readiness, as kube-proxy does."""
        return self.serving if self.serving is not None else self.is_ready

    @property
    def is_terminating(self) -> bool:
        """Terminating; unknown counts as not terminating."""
        return self.terminating is True


@dataclass(frozen=True)
class EndpointPort:
    """A port of an EndpointSlice."""

    port: int | None
    name: str = ""
    protocol: str = "TCP"
    app_protocol: str = ""


@dataclass(frozen=True)
class EndpointSliceInfo:
    """A discovery.k8s.io/v1 EndpointSlice and the Service it belongs to."""

    meta: Meta
    service_name: str = ""
    address_type: str = "IPv4"
    endpoints: tuple[Endpoint, ...] = ()
    ports: tuple[EndpointPort, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndpointsInfo:
    """A legacy v1 Endpoints object, flattened to ready and not-ready addresses."""

    meta: Meta
    ready: tuple[Endpoint, ...] = ()
    not_ready: tuple[Endpoint, ...] = ()
    ports: tuple[EndpointPort, ...] = ()
    warnings: tuple[str, ...] = ()


def parse_service(raw: Any) -> ServiceInfo | ParseError:
    """A v1 Service."""
    reader = Reader()
    meta = read_meta(raw, "Service", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    ingress = reader.mappings(
        reader.mapping(reader.mapping(raw, "status"), "loadBalancer"), "ingress"
    )
    cluster_ip = reader.text(spec, "clusterIP", path="spec.clusterIP")
    return ServiceInfo(
        meta=meta,
        type=reader.text(spec, "type", "ClusterIP", "spec.type"),
        cluster_ip=cluster_ip,
        cluster_ips=reader.texts(spec, "clusterIPs", "spec.clusterIPs")
        or ((cluster_ip,) if cluster_ip else ()),
        ports=tuple(_service_port(p, reader) for p in reader.mappings(spec, "ports", "spec.ports")),
        selector=reader.plain_selector(spec, "selector", "spec.selector"),
        external_name=reader.text(spec, "externalName", path="spec.externalName"),
        external_ips=reader.texts(spec, "externalIPs", "spec.externalIPs"),
        load_balancer_ips=tuple(
            reader.text(i, "ip") or reader.text(i, "hostname") for i in ingress
        ),
        internal_traffic_policy=reader.text(spec, "internalTrafficPolicy"),
        external_traffic_policy=reader.text(spec, "externalTrafficPolicy"),
        warnings=tuple(reader.warnings),
    )


def _service_port(raw: dict[str, Any], reader: Reader) -> ServicePortInfo:
    return ServicePortInfo(
        port=reader.integer(raw, "port", "spec.ports.port") or 0,
        protocol=reader.text(raw, "protocol", "TCP"),
        name=reader.text(raw, "name"),
        target_port=int_or_str(raw.get("targetPort")),
        node_port=reader.integer(raw, "nodePort", "spec.ports.nodePort"),
        app_protocol=reader.text(raw, "appProtocol"),
    )


def parse_endpointslice(raw: Any) -> EndpointSliceInfo | ParseError:
    """A discovery.k8s.io/v1 EndpointSlice."""
    reader = Reader()
    meta = read_meta(raw, "EndpointSlice", reader)
    if isinstance(meta, ParseError):
        return meta
    return EndpointSliceInfo(
        meta=meta,
        service_name=meta.labels.get(SERVICE_NAME_LABEL, ""),
        address_type=reader.text(raw, "addressType", "IPv4"),
        endpoints=tuple(_endpoint(e, reader) for e in reader.mappings(raw, "endpoints")),
        ports=tuple(_endpoint_port(p, reader) for p in reader.mappings(raw, "ports")),
        warnings=tuple(reader.warnings),
    )


def _endpoint(raw: dict[str, Any], reader: Reader) -> Endpoint:
    cond = reader.mapping(raw, "conditions", "endpoints.conditions")
    return Endpoint(
        addresses=reader.texts(raw, "addresses", "endpoints.addresses"),
        ready=reader.flag(cond, "ready", "endpoints.conditions.ready"),
        serving=reader.flag(cond, "serving", "endpoints.conditions.serving"),
        terminating=reader.flag(cond, "terminating", "endpoints.conditions.terminating"),
        target=_target(reader.mapping(raw, "targetRef", "endpoints.targetRef"), reader),
        node_name=reader.text(raw, "nodeName"),
        zone=reader.text(raw, "zone"),
        hostname=reader.text(raw, "hostname"),
    )


def _target(raw: dict[str, Any], reader: Reader) -> TargetRef | None:
    if not raw:
        return None
    return TargetRef(
        reader.text(raw, "kind"), reader.text(raw, "name"), reader.text(raw, "namespace")
    )


def _endpoint_port(raw: dict[str, Any], reader: Reader) -> EndpointPort:
    return EndpointPort(
        port=reader.integer(raw, "port", "ports.port"),
        name=reader.text(raw, "name"),
        protocol=reader.text(raw, "protocol", "TCP"),
        app_protocol=reader.text(raw, "appProtocol"),
    )


def parse_endpoints(raw: Any) -> EndpointsInfo | ParseError:
    """A legacy v1 Endpoints (all subsets merged)."""
    reader = Reader()
    meta = read_meta(raw, "Endpoints", reader)
    if isinstance(meta, ParseError):
        return meta
    ready: list[Endpoint] = []
    not_ready: list[Endpoint] = []
    ports: list[EndpointPort] = []
    for subset in reader.mappings(raw, "subsets"):
        for key, out, flag in (("addresses", ready, True), ("notReadyAddresses", not_ready, False)):
            out.extend(_legacy_address(a, flag, reader) for a in reader.mappings(subset, key))
        ports.extend(_endpoint_port(p, reader) for p in reader.mappings(subset, "ports"))
    return EndpointsInfo(meta, tuple(ready), tuple(not_ready), tuple(ports), tuple(reader.warnings))


def _legacy_address(raw: dict[str, Any], ready: bool, reader: Reader) -> Endpoint:
    return Endpoint(
        addresses=(reader.text(raw, "ip"),),
        ready=ready,
        target=_target(reader.mapping(raw, "targetRef"), reader),
        node_name=reader.text(raw, "nodeName"),
        hostname=reader.text(raw, "hostname"),
    )
