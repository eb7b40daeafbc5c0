"""The demo cluster as raw Kubernetes API objects, the JSON an API server would list.

`inventory.py` decides what the cluster holds (names, IPs, placement); this module writes
it down as Namespaces, Nodes, Pods (with istio-proxy or linkerd-proxy containers and their
injector annotations, dnsPolicy), ReplicaSets, Deployments, StatefulSets, Services,
EndpointSlices, NetworkPolicies (a default-deny in emojivoto with its same-namespace
allowance, and shop's orders-from-storefront), kube-proxy's ConfigMap and shop's PERMISSIVE
PeerAuthentication. The simulator's Inventory is then parsed from these by collectors/kube,
as a real cluster's is.
"""

from __future__ import annotations

from typing import Any

from collectors.kube.inventory import to_inventory
from collectors.kube.parse import ParseError, parse_object
from collectors.kube.parse.workloads import CONTROLLER_KINDS
from collectors.records import Inventory, PodRecord, ServiceRecord
from collectors.simulator.inventory import NODES, _pod_names, build_pods, build_services
from collectors.simulator.world import ISTIO, LINKERD, WorkloadSpec, World

Obj = dict[str, Any]
ISTIO_VERSION = "1.24.2"
LINKERD_VERSION = "edge-25.1.1"
# Keys the catalog keeps among namespace labels that a real cluster has as annotations.
NAMESPACE_ANNOTATIONS = ("linkerd.io/inject",)


def _meta(name: str, namespace: str = "", **extra: Any) -> Obj:
    meta: Obj = {"name": name, "uid": f"sim-{namespace}-{name}", **extra}
    if namespace:
        meta["namespace"] = namespace
    return meta


def _owner(kind: str, name: str, api_version: str = "apps/v1") -> list[Obj]:
    return [{"apiVersion": api_version, "kind": kind, "name": name, "controller": True}]


def _namespace_labels(mesh: str, labels: dict[str, str]) -> dict[str, str]:
    labels = dict(labels)
    if mesh == ISTIO and "istio-injection" not in labels:
        # The control plane's namespace, injected by revision (its gateways run sidecars).
        labels.setdefault("istio.io/rev", "default")
    return labels


def namespace_objects(world: World) -> list[Obj]:
    """One Namespace per namespace of the world."""
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": _meta(
                ns.name,
                labels=_namespace_labels(ns.mesh, ns.labels),
                annotations={k: v for k, v in ns.labels.items() if k in NAMESPACE_ANNOTATIONS},
            ),
            "status": {"phase": "Active"},
        }
        for ns in world.namespaces
    ]


def node_objects() -> list[Obj]:
    """The kind cluster's worker nodes, each with its flannel pod CIDR."""
    return [
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": _meta(
                name,
                labels={"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                annotations={"flannel.alpha.coreos.com/backend-type": "vxlan"},
            ),
            "spec": {"podCIDR": f"10.244.{i + 1}.0/24", "podCIDRs": [f"10.244.{i + 1}.0/24"]},
            "status": {
                "addresses": [{"type": "InternalIP", "address": f"172.18.0.{i + 2}"}],
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "nodeInfo": {
                    "kubeletVersion": "v1.31.4",
                    "containerRuntimeVersion": "containerd://1.7.24",
                },
            },
        }
        for i, name in enumerate(NODES)
    ]


def _containers(spec: WorkloadSpec) -> tuple[list[Obj], list[Obj]]:
    """(containers, initContainers) of a pod of `spec`, after mesh injection."""
    app: Obj = {"name": spec.app_label == "k8s-app" and "coredns" or spec.app, "image": "app:1"}
    if spec.container_port:
        app["ports"] = [{"containerPort": spec.container_port, "protocol": "TCP"}]
    if spec.sidecar == ISTIO:
        proxy = {"name": "istio-proxy", "image": f"docker.io/istio/proxyv2:{ISTIO_VERSION}"}
        init = {"name": "istio-init", "image": f"docker.io/istio/proxyv2:{ISTIO_VERSION}"}
        return [app, proxy], [init]
    if spec.sidecar == LINKERD:
        proxy = {"name": "linkerd-proxy", "image": f"cr.l5d.io/linkerd/proxy:{LINKERD_VERSION}"}
        init = {"name": "linkerd-init", "image": "cr.l5d.io/linkerd/proxy-init:v2.4.1"}
        return [proxy, app], [init]
    return [app], []


def _injection_annotations(spec: WorkloadSpec) -> dict[str, str]:
    if spec.sidecar == ISTIO:
        status = (
            '{"initContainers":["istio-init"],"containers":["istio-proxy"],"revision":"default"}'
        )
        return {"sidecar.istio.io/status": status}
    if spec.sidecar == LINKERD:
        return {"linkerd.io/proxy-version": LINKERD_VERSION}
    return {}


def _pod_template(spec: WorkloadSpec) -> Obj:
    containers, _ = _containers(spec)
    plain = [c for c in containers if c["name"] not in ("istio-proxy", "linkerd-proxy")]
    return {
        "metadata": {"labels": spec.template_labels()},
        "spec": {
            "containers": plain,
            "serviceAccountName": spec.service_account,
            "dnsPolicy": spec.dns_policy,
        },
    }


def pod_object(record: PodRecord, spec: WorkloadSpec, owner: list[Obj]) -> Obj:
    """One Pod as the API server returns it once it runs."""
    containers, init = _containers(spec)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(
            record.name,
            record.namespace,
            labels=dict(record.labels),
            annotations=_injection_annotations(spec),
            ownerReferences=owner,
        ),
        "spec": {
            "containers": containers,
            "initContainers": init,
            "nodeName": record.node,
            "serviceAccountName": spec.service_account,
            "dnsPolicy": spec.dns_policy,
        },
        "status": {
            "phase": "Running",
            "podIP": record.ip,
            "podIPs": [{"ip": record.ip}],
            "hostIP": f"172.18.0.{NODES.index(record.node) + 2}",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": c["name"], "restartCount": 0} for c in containers],
        },
    }


def workload_objects(world: World, seed: int) -> list[Obj]:
    """Deployments with their ReplicaSets, StatefulSets, and the pods they own."""
    pods_by_workload: dict[str, list[PodRecord]] = {}
    for record in build_pods(world, seed):
        pods_by_workload.setdefault(f"{record.namespace}/{record.workload}", []).append(record)
    objects: list[Obj] = []
    for spec in world.workloads:
        template = _pod_template(spec)
        body = {
            "replicas": spec.replicas,
            "selector": {"matchLabels": {spec.app_label: spec.app}},
            "template": template,
        }
        status = {"replicas": spec.replicas, "readyReplicas": spec.replicas}
        meta = _meta(spec.name, spec.namespace, labels=spec.template_labels())
        objects.append(
            {"apiVersion": "apps/v1", "kind": spec.kind, "metadata": meta, "spec": body,
             "status": status}
        )  # fmt: skip
        owner = _owner("StatefulSet", spec.name)
        if spec.kind == "Deployment":
            template_hash = _pod_names(spec, seed)[0][1]["pod-template-hash"]
            rs_name = f"{spec.name}-{template_hash}"
            rs_meta = _meta(
                rs_name, spec.namespace, ownerReferences=_owner("Deployment", spec.name)
            )
            objects.append(
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": rs_meta,
                 "spec": body, "status": status}
            )  # fmt: skip
            owner = _owner("ReplicaSet", rs_name)
        objects.extend(pod_object(p, spec, owner) for p in pods_by_workload.get(spec.key, []))
    return objects


def _service_object(svc: ServiceRecord, headless: bool) -> Obj:
    spec: Obj = {
        "type": svc.type,
        "clusterIP": svc.cluster_ip,
        "clusterIPs": [svc.cluster_ip],
        "selector": dict(svc.selector),
        "ports": [
            {"name": p.name, "port": p.port, "protocol": p.protocol,
             "targetPort": int(p.target_port) if p.target_port.isdigit() else p.target_port}
            for p in svc.ports
        ],
    }  # fmt: skip
    if headless:
        spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
    meta = _meta(svc.name, svc.namespace, labels=dict(svc.labels))
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


def _endpoint_slice(svc: ServiceRecord, pods: list[PodRecord]) -> Obj:
    selected = [
        p for p in pods
        if p.namespace == svc.namespace and svc.selector
        and all(p.labels.get(k) == v for k, v in svc.selector.items())
    ]  # fmt: skip
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": _meta(
            f"{svc.name}-sim", svc.namespace, labels={"kubernetes.io/service-name": svc.name}
        ),
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": [p.ip],
                "conditions": {"ready": p.ready, "serving": p.ready, "terminating": False},
                "targetRef": {"kind": "Pod", "name": p.name, "namespace": p.namespace},
                "nodeName": p.node,
            }
            for p in sorted(selected, key=lambda p: p.name)
        ],
        "ports": [
            {"name": p.name, "port": int(p.target_port or p.port), "protocol": p.protocol}
            for p in svc.ports
        ],
    }


def service_objects(world: World, seed: int) -> list[Obj]:
    """Services and one EndpointSlice each (an orphan Service gets an empty one)."""
    pods = list(build_pods(world, seed))
    objects: list[Obj] = []
    for spec, svc in zip(world.services, build_services(world, seed), strict=True):
        objects.append(_service_object(svc, spec.headless))
        objects.append(_endpoint_slice(svc, pods))
    return objects


def policy_objects() -> list[Obj]:
    """emojivoto's default-deny and same-namespace allowance; shop's orders-from-storefront
    (which legacy-reports' observed calls break); shop's PERMISSIVE mTLS."""
    deny = {"podSelector": {}, "policyTypes": ["Ingress"]}
    same_ns = {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {}}]}],
    }
    orders_ingress = {
        "podSelector": {"matchLabels": {"app": "orders"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "storefront"}}}],
                     "ports": [{"protocol": "TCP", "port": 8080}]}],
    }  # fmt: skip
    return [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": _meta("default-deny-ingress", "emojivoto"), "spec": deny},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": _meta("allow-same-namespace", "emojivoto"), "spec": same_ns},
        # orders takes requests from storefront only, yet legacy-reports' calls are seen:
        # the demo's CNI does not enforce it (netpol_blocked_traffic says so).
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": _meta("orders-from-storefront", "shop"), "spec": orders_ingress},
        # Why legacy-reports' plaintext calls into shop get in.
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
         "metadata": _meta("default", "shop"), "spec": {"mtls": {"mode": "PERMISSIVE"}}},
    ]  # fmt: skip


def kube_system_objects() -> list[Obj]:
    """kube-proxy's ConfigMap (iptables mode, the kubeadm default)."""
    config = (
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
        "kind: KubeProxyConfiguration\n"
        "mode: iptables\n"
    )
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("kube-proxy", "kube-system"),
         "data": {"config.conf": config}},
    ]  # fmt: skip


def cluster_objects(world: World, seed: int) -> list[Obj]:
    """Every object of the demo cluster, in the order an API server would serve its lists."""
    return [
        *namespace_objects(world),
        *node_objects(),
        *workload_objects(world, seed),
        *service_objects(world, seed),
        *policy_objects(),
        *kube_system_objects(),
    ]


def parse_cluster(objects: list[Obj]) -> Inventory:
    """The Inventory of `objects`, through the Kubernetes collector's parsers and mapping."""
    parsed: dict[str, list[Any]] = {}
    for raw in objects:
        obj = parse_object(raw)
        if isinstance(obj, ParseError):
            raise ValueError(f"the simulator rendered an unparsable object: {obj}")
        parsed.setdefault(raw["kind"], []).append(obj)
    return to_inventory(
        parsed.get("Namespace", []),
        parsed.get("Pod", []),
        parsed.get("Service", []),
        [c for kind in CONTROLLER_KINDS for c in parsed.get(kind, [])],
        nodes=parsed.get("Node", []),
        endpoint_slices=parsed.get("EndpointSlice", []),
        network_policies=parsed.get("NetworkPolicy", []),
        mesh_policies=parsed.get("PeerAuthentication", []),
        configmaps=parsed.get("ConfigMap", []),
    )
