"""The shape of the demo world: namespaces, workloads and services as plain specs.

Specs are what a manifest says (names, labels, ports, replicas, which proxy is injected).
`inventory.py` turns them into the records a real cluster listing would give, adding the
things the cluster decides (pod names, IPs, nodes). Keeping the two apart lets the Bookinfo
test compare the specs with Istio's manifest line by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.records import ServicePort

# Istio's and Linkerd's proxies are identified by these names in PodRecord.sidecar.
ISTIO = "istio"
LINKERD = "linkerd"


@dataclass(frozen=True)
class NamespaceSpec:
    """A namespace and how it is enrolled in a mesh.

    Annotations have no place in NamespaceRecord, so the few that matter (Linkerd's
    `linkerd.io/inject`, and the simulator's `meshwatch.io/peer-authentication` summary of
    the namespace PeerAuthentication) are carried in `labels`.
    """

    name: str
    mesh: str = ""
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkloadSpec:
    """A Deployment or StatefulSet as its manifest declares it."""

    namespace: str
    name: str
    app: str
    version: str = ""
    kind: str = "Deployment"
    replicas: int = 1
    sidecar: str = ""  # proxy injected into its pods: "istio", "linkerd" or ""
    service_account: str = "default"
    container_port: int | None = None
    app_label: str = "app"  # kube-dns uses k8s-app instead of app
    extra_labels: dict[str, str] = field(default_factory=dict)
    dns_policy: str = "ClusterFirst"
    # Names outside the cluster its pods resolve; with ndots:5 each costs a walk of the
    # search list first (the DNS views will want this).
    external_names: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """`namespace/name`, the id edges use to refer to the workload."""
        return f"{self.namespace}/{self.name}"

    @property
    def mesh(self) -> str:
        """The mesh the workload is in: the one whose proxy its pods carry."""
        return self.sidecar

    def template_labels(self) -> dict[str, str]:
        """The labels of its pod template (before any mesh injection)."""
        labels = {self.app_label: self.app}
        if self.version:
            labels["version"] = self.version
        labels.update(self.extra_labels)
        return labels


@dataclass(frozen=True)
class ServiceSpec:
    """A Service as its manifest declares it."""

    namespace: str
    name: str
    ports: tuple[ServicePort, ...]
    selector: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    type: str = "ClusterIP"
    headless: bool = False
    cluster_ip: str = ""  # fixed address (kube-dns); empty: allocated from the seed


@dataclass(frozen=True)
class World:
    """Everything the demo cluster runs."""

    namespaces: tuple[NamespaceSpec, ...]
    workloads: tuple[WorkloadSpec, ...]
    services: tuple[ServiceSpec, ...]

    def workload(self, key: str) -> WorkloadSpec:
        """The workload with this `namespace/name`; KeyError if there is none."""
        for spec in self.workloads:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def services_selecting(self, spec: WorkloadSpec) -> list[ServiceSpec]:
        """Services in the workload's namespace whose selector matches its pod labels."""
        labels = spec.template_labels()
        return [
            svc
            for svc in self.services
            if svc.namespace == spec.namespace
            and svc.selector
            and all(labels.get(k) == v for k, v in svc.selector.items())
        ]


def http_port(port: int, name: str = "http", target: int | None = None) -> ServicePort:
    """A TCP service port; `target` defaults to the port, as the API server defaults it."""
    return ServicePort(port=port, protocol="TCP", name=name, target_port=str(target or port))
