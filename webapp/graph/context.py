"""Everything appenders may consult, loaded before the build starts.

Kiali's appenders call the Kubernetes API themselves, so every test of theirs needs fakes. Here
the caller hands over the inventory once; the context indexes it so that each appender's
look-ups are dictionary hits, and appenders stay pure functions of (map, context).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from collectors.records import (
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.graph.options import GraphOptions, HealthThresholds

if TYPE_CHECKING:
    from webapp.dns.queries import WindowDns

Key = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True)
class PodStats:
    """Pods of a workload or behind a service: how many, how many ready, how many meshed."""

    count: int = 0
    ready: int = 0
    meshed: int = 0

    def __add__(self, other: PodStats) -> PodStats:
        return PodStats(
            self.count + other.count, self.ready + other.ready, self.meshed + other.meshed
        )


@dataclass(frozen=True)
class EndpointStats:
    """A Service's endpoints across its slices, and the workloads of the pods behind them."""

    ready: int = 0
    not_ready: int = 0
    workloads: tuple[str, ...] = ()  # workload names in the service's namespace, sorted


def _pod_stats(pods: tuple[PodRecord, ...]) -> PodStats:
    return PodStats(len(pods), sum(1 for p in pods if p.ready), sum(1 for p in pods if p.sidecar))


@dataclass(frozen=True)
class GraphContext:
    """The inventory indexed by (namespace, name), the request's options and its thresholds."""

    inventory: Inventory
    options: GraphOptions
    thresholds: HealthThresholds
    namespaces: Mapping[str, NamespaceRecord]
    workloads: Mapping[Key, WorkloadRecord]
    services: Mapping[Key, ServiceRecord]
    services_in: Mapping[str, tuple[ServiceRecord, ...]]  # by namespace
    pods: Mapping[str, tuple[PodRecord, ...]]  # by namespace
    pods_by_workload: Mapping[Key, int]
    pod_stats: Mapping[Key, PodStats] = field(default_factory=dict)  # by workload
    endpoints: Mapping[Key, EndpointStats] = field(default_factory=dict)  # by service
    dns: WindowDns | None = None  # the window's CoreDNS totals, when an edge goes to DNS
    _selecting: dict[Key, tuple[str, ...]] = field(default_factory=dict, compare=False)
    _pod_index: dict[str, dict[tuple[str, str], set[int]]] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def preload(
        cls, inventory: Inventory, options: GraphOptions, dns: WindowDns | None = None
    ) -> GraphContext:
        """Index `inventory` once for the whole build; `dns` is handed over as it is."""
        services_in: dict[str, list[ServiceRecord]] = defaultdict(list)
        for service in inventory.services:
            services_in[service.namespace].append(service)
        pods: dict[str, list[PodRecord]] = defaultdict(list)
        pod_counts: dict[Key, int] = defaultdict(int)
        members: dict[Key, list[PodRecord]] = defaultdict(list)
        for pod in inventory.pods:
            pods[pod.namespace].append(pod)
            if pod.workload:
                pod_counts[(pod.namespace, pod.workload)] += 1
                members[(pod.namespace, pod.workload)].append(pod)
        return cls(
            inventory=inventory,
            options=options,
            thresholds=options.health,
            namespaces={ns.name: ns for ns in inventory.namespaces},
            workloads={(w.namespace, w.name): w for w in inventory.workloads},
            services={(s.namespace, s.name): s for s in inventory.services},
            services_in={ns: tuple(items) for ns, items in services_in.items()},
            pods={ns: tuple(items) for ns, items in pods.items()},
            pods_by_workload=dict(pod_counts),
            pod_stats={key: _pod_stats(tuple(items)) for key, items in members.items()},
            endpoints=_endpoint_stats(inventory),
            dns=dns,
        )

    def service_pod_stats(self, namespace: str, name: str) -> PodStats:
        """Count, ready and meshed pods the service's selector picks."""
        pods = self.pods.get(namespace, ())
        return _pod_stats(tuple(pods[i] for i in self._selected(namespace, name)))

    def in_scope(self, namespace: str) -> bool:
        """Whether `namespace` was asked for (no namespaces asked: all are)."""
        return not self.options.namespaces or namespace in self.options.namespaces

    def namespace_mesh(self, namespace: str) -> str:
        """The mesh the namespace is enrolled in, or ""."""
        record = self.namespaces.get(namespace)
        return record.mesh if record else ""

    def services_selecting(self, namespace: str, workload: str) -> tuple[str, ...]:
        """Names of the services whose selector matches the workload's labels, sorted.

        Computed on first use and cached: only the service graph needs it, and only for
        workloads that send traffic.
        """
        key = (namespace, workload)
        if key not in self._selecting:
            labels = self._workload_labels(namespace, workload)
            self._selecting[key] = tuple(
                sorted(
                    svc.name
                    for svc in self.services_in.get(namespace, ())
                    if _matches(svc.selector, labels)
                )
            )
        return self._selecting[key]

    def service_pods(self, namespace: str, name: str) -> int:
        """How many pods the service's selector picks (0 for selector-less services)."""
        return len(self._selected(namespace, name))

    def _selected(self, namespace: str, name: str) -> set[int]:
        """Positions (in `pods[namespace]`) of the pods the service's selector picks."""
        service = self.services.get((namespace, name))
        if service is None or not service.selector:
            return set()
        # Intersect the pods carrying each selector label, smallest set first: a scan of
        # every pod per service would be quadratic in large namespaces.
        index = self._pods_by_label(namespace)
        matches = sorted((index.get(item, set()) for item in service.selector.items()), key=len)
        return set.intersection(*matches)

    def _pods_by_label(self, namespace: str) -> dict[tuple[str, str], set[int]]:
        if namespace not in self._pod_index:
            index: dict[tuple[str, str], set[int]] = defaultdict(set)
            for position, pod in enumerate(self.pods.get(namespace, ())):
                for item in pod.labels.items():
                    index[item].add(position)
            self._pod_index[namespace] = dict(index)
        return self._pod_index[namespace]

    def _workload_labels(self, namespace: str, workload: str) -> Mapping[str, str]:
        record = self.workloads.get((namespace, workload))
        if record is not None and record.labels:
            return record.labels
        # Some sources only label pods; any pod of the workload carries the template's labels.
        for pod in self.pods.get(namespace, ()):
            if pod.workload == workload:
                return pod.labels
        return {}


def _matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Kubernetes equality-based selection; an empty selector selects nothing for a Service."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _endpoint_stats(inventory: Inventory) -> dict[Key, EndpointStats]:
    """Endpoints by Service, following targetRefs to the pods' workloads."""
    workload_of = {(p.namespace, p.name): p.workload for p in inventory.pods if p.workload}
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    workloads: dict[Key, set[str]] = defaultdict(set)
    for es in inventory.endpoint_slices:
        key = (es.namespace, es.service)
        for endpoint in es.endpoints:
            counts[key][0 if endpoint.ready else 1] += 1
            workload = workload_of.get((es.namespace, endpoint.pod))
            if workload:
                workloads[key].add(workload)
    return {
        key: EndpointStats(ready, not_ready, tuple(sorted(workloads.get(key, ()))))
        for key, (ready, not_ready) in counts.items()
    }
