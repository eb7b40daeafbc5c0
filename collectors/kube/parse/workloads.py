"""Workload controllers and the owner-reference walk from a pod to its workload.

Pod ← ReplicaSet ← Deployment, Pod ← StatefulSet, Pod ← DaemonSet, Pod ← Job ← CronJob,
and bare pods (their own workload). The walk needs the ReplicaSets and Jobs; Deployments
and CronJobs are only named by the owner references, so they need not be listed for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .common import LabelSelector, Meta, ParseError, Reader, read_meta
from .pods import MeshMembership, PodInfo, PodTemplate, mesh_membership, read_pod_spec

CONTROLLER_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob")


@dataclass(frozen=True)
class ControllerInfo:
    """A Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob."""

    meta: Meta
    kind: str
    replicas: int | None = None  # spec.replicas; None for DaemonSets, Jobs and CronJobs
    ready_replicas: int = 0
    selector: LabelSelector | None = None
    template_labels: dict[str, str] = field(default_factory=dict)
    template: PodTemplate = PodTemplate()
    template_mesh: MeshMembership = MeshMembership()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkloadRef:
    """The workload a pod belongs to. `inferred` when an owner in the chain was not found."""

    namespace: str
    name: str
    kind: str
    inferred: bool = False

    @property
    def key(self) -> str:
        """`namespace/name`, the workload's identity within its kind."""
        return f"{self.namespace}/{self.name}"


def parse_controller(raw: Any, kind: str) -> ControllerInfo | ParseError:
    """An apps/v1 or batch/v1 workload controller of `kind`."""
    reader = Reader()
    meta = read_meta(raw, kind, reader)
    if isinstance(meta, ParseError):
        return meta
    spec = reader.mapping(raw, "spec")
    if kind == "CronJob":  # the pod template sits one level deeper
        spec = reader.mapping(reader.mapping(spec, "jobTemplate", "spec.jobTemplate"), "spec")
    template = reader.mapping(spec, "template", "spec.template")
    tmeta = reader.mapping(template, "metadata", "spec.template.metadata")
    tlabels = reader.str_map(tmeta, "labels", "spec.template.metadata.labels")
    tannotations = reader.str_map(tmeta, "annotations", "spec.template.metadata.annotations")
    pod_spec = read_pod_spec(reader.mapping(template, "spec"), reader)
    status = reader.mapping(raw, "status")
    return ControllerInfo(
        meta=meta,
        kind=kind,
        replicas=_replicas(kind, spec, reader),
        ready_replicas=reader.integer(status, "readyReplicas", "status.readyReplicas") or 0,
        selector=reader.selector(spec, "selector", "spec.selector"),
        template_labels=tlabels,
        template=pod_spec,
        template_mesh=mesh_membership(
            Meta(name=meta.name, labels=tlabels, annotations=tannotations), pod_spec
        ),
        warnings=tuple(reader.warnings),
    )


def _replicas(kind: str, spec: dict[str, Any], reader: Reader) -> int | None:
    if kind not in ("Deployment", "ReplicaSet", "StatefulSet"):
        return None
    value = reader.integer(spec, "replicas", "spec.replicas")
    return 1 if value is None else value  # the API server defaults replicas to 1


class WorkloadResolver:
    """Walks owner references from pods to their top-level workload."""

    def __init__(
        self, replicasets: Iterable[ControllerInfo], jobs: Iterable[ControllerInfo]
    ) -> None:
        self._owners = {("ReplicaSet", c.meta.namespace, c.meta.name): c for c in replicasets} | {
            ("Job", c.meta.namespace, c.meta.name): c for c in jobs
        }

    def resolve(self, pod: PodInfo) -> WorkloadRef:
        """The workload owning `pod`; a bare pod is its own workload (kind "Pod")."""
        ns, owner = pod.meta.namespace, pod.owner
        if owner is None:
            return WorkloadRef(ns, pod.meta.name, "Pod")
        if owner.kind not in ("ReplicaSet", "Job"):
            return WorkloadRef(ns, owner.name, owner.kind)
        middle = self._owners.get((owner.kind, ns, owner.name))
        if middle is None:
            return self._guess(ns, owner.kind, owner.name, pod)
        top = middle.meta.controller
        if top is None:
            return WorkloadRef(ns, owner.name, owner.kind)
        return WorkloadRef(ns, top.name, top.kind)

    @staticmethod
    def _guess(ns: str, kind: str, name: str, pod: PodInfo) -> WorkloadRef:
        # The ReplicaSet may not be listed yet (informers sync independently): its name is
        # "<deployment>-<pod-template-hash>", and the pod carries that hash as a label.
        template_hash = pod.meta.labels.get("pod-template-hash", "")
        if kind == "ReplicaSet" and template_hash and name.endswith("-" + template_hash):
            return WorkloadRef(ns, name[: -len(template_hash) - 1], "Deployment", inferred=True)
        return WorkloadRef(ns, name, kind, inferred=True)
