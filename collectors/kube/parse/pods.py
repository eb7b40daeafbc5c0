"""Pods: placement, readiness, owner, containers, mesh membership and DNS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .common import Meta, OwnerRef, ParseError, Reader, read_meta
from .dns import DnsResolution, PodDnsSpec, read_dns_spec, resolve_dns

ISTIO_PROXY = "istio-proxy"
LINKERD_PROXY = "linkerd-proxy"


@dataclass(frozen=True)
class ContainerPort:
    """A declared container port (named ports are what Services and policies refer to)."""

    container_port: int
    name: str = ""
    protocol: str = "TCP"


@dataclass(frozen=True)
class Container:
    """A container or init container of a pod (template)."""

    name: str
    image: str = ""
    init: bool = False
    restart_policy: str = ""  # "Always" on an init container makes it a native sidecar
    ports: tuple[ContainerPort, ...] = ()
    args: tuple[str, ...] = ()

    @property
    def native_sidecar(self) -> bool:
        """An init container that keeps running beside the app (KEP-753)."""
        return self.init and self.restart_policy == "Always"


@dataclass(frozen=True)
class MeshMembership:
    """Whether a pod (template) is in a mesh, and how it was put there.

    `layout` is "container" (classic sidecar in spec.containers), "native" (init container
    with restartPolicy Always), "ambient" (Istio ambient redirection, no sidecar) or "".
    """

    mesh: str = ""
    layout: str = ""
    proxy_version: str = ""  # Linkerd's linkerd.io/proxy-version
    revision: str = ""  # Istio revision from sidecar.istio.io/status or istio.io/rev
    tls_mode: str = ""  # security.istio.io/tlsMode label
    canonical_name: str = ""
    canonical_revision: str = ""
    injection_status: bool = False  # the injector's status annotation is present

    @property
    def meshed(self) -> bool:
        """True when traffic of the pod goes through a mesh proxy."""
        return bool(self.mesh)


@dataclass(frozen=True)
class PodTemplate:
    """The parts of a PodSpec (pod or workload template) that meshwatch reads."""

    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    service_account: str = ""
    node_name: str = ""
    dns: PodDnsSpec = PodDnsSpec()


@dataclass(frozen=True)
class PodInfo:
    """A pod: where it runs, whether it is ready, who owns it and whether it is meshed."""

    meta: Meta
    spec: PodTemplate
    mesh: MeshMembership
    dns: DnsResolution
    phase: str = "Pending"
    pod_ip: str = ""
    pod_ips: tuple[str, ...] = ()
    host_ip: str = ""
    ready: bool = False
    restarts: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def node(self) -> str:
        """The node the pod is bound to, or ""."""
        return self.spec.node_name

    @property
    def owner(self) -> OwnerRef | None:
        """The controlling owner reference."""
        return self.meta.controller

    @property
    def host_network(self) -> bool:
        """Whether the pod shares the node's network namespace."""
        return self.spec.dns.host_network


def parse_pod(raw: Any, cluster_domain: str = "cluster.local") -> PodInfo | ParseError:
    """A v1 Pod."""
    reader = Reader()
    meta = read_meta(raw, "Pod", reader)
    if isinstance(meta, ParseError):
        return meta
    spec = read_pod_spec(reader.mapping(raw, "spec"), reader)
    status = reader.mapping(raw, "status")
    pod_ip = reader.text(status, "podIP", path="status.podIP")
    ips = tuple(reader.text(i, "ip") for i in reader.mappings(status, "podIPs", "status.podIPs"))
    return PodInfo(
        meta=meta,
        spec=spec,
        mesh=mesh_membership(meta, spec),
        dns=resolve_dns(spec.dns, meta.namespace or "default", cluster_domain),
        phase=reader.text(status, "phase", "Pending", "status.phase"),
        pod_ip=pod_ip,
        pod_ips=tuple(i for i in ips if i) or ((pod_ip,) if pod_ip else ()),
        host_ip=reader.text(status, "hostIP", path="status.hostIP"),
        ready=_condition_true(reader.mappings(status, "conditions", "status.conditions"), "Ready"),
        restarts=_restarts(
            reader.mappings(status, "containerStatuses", "status.containerStatuses")
        ),
        warnings=tuple(reader.warnings),
    )


def read_pod_spec(spec: dict[str, Any], reader: Reader) -> PodTemplate:
    """A PodSpec (of a pod or of a workload's template)."""
    return PodTemplate(
        containers=_containers(
            reader.mappings(spec, "containers", "spec.containers"), False, reader
        ),
        init_containers=_containers(
            reader.mappings(spec, "initContainers", "spec.initContainers"), True, reader
        ),
        service_account=reader.text(spec, "serviceAccountName", path="spec.serviceAccountName"),
        node_name=reader.text(spec, "nodeName", path="spec.nodeName"),
        dns=read_dns_spec(spec, reader),
    )


def _containers(items: list[dict[str, Any]], init: bool, reader: Reader) -> tuple[Container, ...]:
    return tuple(
        Container(
            name=reader.text(c, "name"),
            image=reader.text(c, "image"),
            init=init,
            restart_policy=reader.text(c, "restartPolicy"),
            ports=tuple(
                ContainerPort(
                    container_port=reader.integer(p, "containerPort") or 0,
                    name=reader.text(p, "name"),
                    protocol=reader.text(p, "protocol", "TCP"),
                )
                for p in reader.mappings(c, "ports", "containers.ports")
            ),
            args=(reader.texts(c, "command") + reader.texts(c, "args"))[:64],
        )
        for c in items
    )


def mesh_membership(meta: Meta, spec: PodTemplate) -> MeshMembership:
    """Which mesh proxies this pod (template), from its containers, labels and annotations."""
    labels, annotations = meta.labels, meta.annotations
    istio = _proxy_layout(spec, ISTIO_PROXY)
    if not istio and annotations.get("ambient.istio.io/redirection") == "enabled":
        istio = "ambient"
    if istio:
        return MeshMembership(
            mesh="istio",
            layout=istio,
            revision=_istio_revision(annotations) or labels.get("istio.io/rev", ""),
            tls_mode=labels.get("security.istio.io/tlsMode", ""),
            canonical_name=labels.get("service.istio.io/canonical-name", ""),
            canonical_revision=labels.get("service.istio.io/canonical-revision", ""),
            injection_status="sidecar.istio.io/status" in annotations,
        )
    linkerd = _proxy_layout(spec, LINKERD_PROXY)
    if linkerd:
        return MeshMembership(
            mesh="linkerd",
            layout=linkerd,
            proxy_version=annotations.get("linkerd.io/proxy-version", ""),
            injection_status="linkerd.io/proxy-version" in annotations,
        )
    return MeshMembership()


def _proxy_layout(spec: PodTemplate, name: str) -> str:
    if any(c.name == name for c in spec.containers):
        return "container"
    if any(c.name == name and c.native_sidecar for c in spec.init_containers):
        return "native"
    return ""


def _istio_revision(annotations: dict[str, str]) -> str:
    status = annotations.get("sidecar.istio.io/status", "")
    try:
        revision = json.loads(status).get("revision", "") if status else ""
    except (ValueError, AttributeError):
        return ""
    return revision if isinstance(revision, str) else ""


def _condition_true(conditions: list[dict[str, Any]], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def _restarts(statuses: list[dict[str, Any]]) -> int:
    counts = (s.get("restartCount") for s in statuses)
    return sum(c for c in counts if isinstance(c, int) and not isinstance(c, bool))
