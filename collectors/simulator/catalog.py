"""The concrete demo world: five namespaces, each one a story the dashboard should tell.

- bookinfo: Istio's Bookinfo sample, transcribed from samples/bookinfo/platform/kube/
  bookinfo.yaml (tests/fixtures/k8s/bookinfo.yaml; a test holds the two together).
- istio-system: the ingress gateway that external clients hit, and istiod.
- emojivoto: Linkerd's emojivoto demo (BuoyantIO/emojivoto emojivoto.yml): gRPC behind a
  web front end, and a vote-bot whose votes for :doughnut: always fail.
- shop: our own design, an Istio namespace in PERMISSIVE mode that collects the classic
  mistakes: a client without a sidecar talking plaintext, a Service that selects no pod,
  StatefulSets spoken to over raw TCP.
- kube-system: CoreDNS behind the kube-dns Service.
"""

from __future__ import annotations

from collectors.records import ServicePort
from collectors.simulator.world import (
    ISTIO,
    LINKERD,
    NamespaceSpec,
    ServiceSpec,
    WorkloadSpec,
    World,
    http_port,
)

BOOKINFO_PORT = 9080


def _ns_labels(name: str, **extra: str) -> dict[str, str]:
    # The API server has set kubernetes.io/metadata.name on every namespace since 1.21.
    return {"kubernetes.io/metadata.name": name, **extra}


def namespaces() -> tuple[NamespaceSpec, ...]:
    """The namespaces and their mesh enrolment."""
    return (
        NamespaceSpec("bookinfo", ISTIO, _ns_labels("bookinfo", **{"istio-injection": "enabled"})),
        NamespaceSpec("istio-system", ISTIO, _ns_labels("istio-system")),
        NamespaceSpec(
            "emojivoto", LINKERD, _ns_labels("emojivoto", **{"linkerd.io/inject": "enabled"})
        ),
        NamespaceSpec(
            "shop",
            ISTIO,
            _ns_labels(
                "shop",
                **{
                    "istio-injection": "enabled",
                    # Stands in for a namespace-wide PeerAuthentication (no record type for
                    # mesh policy yet): PERMISSIVE is why legacy-reports' plaintext gets in.
                    "meshwatch.io/peer-authentication": "PERMISSIVE",
                },
            ),
        ),
        NamespaceSpec("kube-system", "", _ns_labels("kube-system")),
    )


def bookinfo() -> tuple[tuple[WorkloadSpec, ...], tuple[ServiceSpec, ...]]:
    """Bookinfo's Deployments and Services, as in Istio's manifest."""
    versions = {"details": ["v1"], "ratings": ["v1"], "reviews": ["v1", "v2", "v3"],
                "productpage": ["v1"]}  # fmt: skip
    workloads = tuple(
        WorkloadSpec("bookinfo", f"{app}-{version}", app, version, sidecar=ISTIO,
                     service_account=f"bookinfo-{app}", container_port=BOOKINFO_PORT)
        for app, vs in versions.items() for version in vs
    )  # fmt: skip
    services = tuple(
        ServiceSpec("bookinfo", app, (http_port(BOOKINFO_PORT),), {"app": app},
                    labels={"app": app, "service": app})
        for app in versions
    )  # fmt: skip
    return workloads, services


def istio_system() -> tuple[tuple[WorkloadSpec, ...], tuple[ServiceSpec, ...]]:
    """The ingress gateway (an Envoy, so its pods count as proxied) and istiod."""
    gateway_labels = {"istio": "ingressgateway"}
    workloads = (
        WorkloadSpec("istio-system", "istio-ingressgateway", "istio-ingressgateway",
                     replicas=2, sidecar=ISTIO,
                     service_account="istio-ingressgateway-service-account",
                     container_port=8080, extra_labels=gateway_labels),
        WorkloadSpec("istio-system", "istiod", "istiod", service_account="istiod",
                     container_port=15010, extra_labels={"istio": "pilot"}),
    )  # fmt: skip
    services = (
        ServiceSpec("istio-system", "istio-ingressgateway",
                    (http_port(15021, "status-port"), http_port(80, "http2", 8080),
                     http_port(443, "https", 8443)),
                    {"app": "istio-ingressgateway", **gateway_labels},
                    labels={"app": "istio-ingressgateway", **gateway_labels},
                    type="LoadBalancer"),
        ServiceSpec("istio-system", "istiod",
                    (http_port(15010, "grpc-xds"), http_port(15012, "https-dns"),
                     http_port(443, "https-webhook", 15017), http_port(15014, "http-monitoring")),
                    {"app": "istiod", "istio": "pilot"}, labels={"app": "istiod"}),
    )  # fmt: skip
    return workloads, services


def emojivoto() -> tuple[tuple[WorkloadSpec, ...], tuple[ServiceSpec, ...]]:
    """emojivoto as in its manifest: app labels only, headless gRPC services."""
    workloads = (
        WorkloadSpec("emojivoto", "emoji", "emoji-svc", sidecar=LINKERD,
                     service_account="emoji", container_port=8080),
        WorkloadSpec("emojivoto", "voting", "voting-svc", sidecar=LINKERD,
                     service_account="voting", container_port=8080),
        WorkloadSpec("emojivoto", "web", "web-svc", sidecar=LINKERD,
                     service_account="web", container_port=8080),
        WorkloadSpec("emojivoto", "vote-bot", "vote-bot", sidecar=LINKERD),
    )  # fmt: skip
    services = (
        ServiceSpec("emojivoto", "emoji-svc", (http_port(8080, "grpc"),), {"app": "emoji-svc"},
                    headless=True),
        ServiceSpec("emojivoto", "voting-svc", (http_port(8080, "grpc"),), {"app": "voting-svc"},
                    headless=True),
        ServiceSpec("emojivoto", "web-svc", (http_port(80, "http", 8080),), {"app": "web-svc"},
                    type="LoadBalancer"),
    )  # fmt: skip
    return workloads, services


def _shop_workload(
    name: str,
    version: str = "",
    kind: str = "Deployment",
    replicas: int = 1,
    sidecar: str = ISTIO,
    container_port: int | None = None,
    extra_labels: dict[str, str] | None = None,
    external_names: tuple[str, ...] = (),
) -> WorkloadSpec:
    # Every shop workload is its own app and has its own service account.
    return WorkloadSpec(
        "shop", name, name, version, kind, replicas, sidecar, service_account=name,
        container_port=container_port, extra_labels=extra_labels or {},
        external_names=external_names,
    )  # fmt: skip


def shop() -> tuple[tuple[WorkloadSpec, ...], tuple[ServiceSpec, ...]]:
    """The shop: storefront → orders → payments, its stores, and its three anomalies."""
    w = _shop_workload
    workloads = (
        w("storefront", version="v1", replicas=2, container_port=8080),
        w("orders", version="v1", replicas=2, container_port=8080),
        w("payments", version="v1", container_port=8080, external_names=("api.stripe.com",)),
        w("postgres", kind="StatefulSet", container_port=5432),
        w("rabbitmq", kind="StatefulSet", container_port=5672),
        w("fulfillment-worker", version="v1",
          external_names=("api.shipping.example.com", "hooks.slack.com")),
        # The one pod without its sidecar: opted out, so it talks plaintext to orders.
        w("legacy-reports", version="v0", sidecar="",
          extra_labels={"sidecar.istio.io/inject": "false"},
          external_names=("reports.s3.amazonaws.com",)),
    )  # fmt: skip
    services = (
        ServiceSpec("shop", "storefront", (http_port(8080),), {"app": "storefront"},
                    labels={"app": "storefront"}),
        ServiceSpec("shop", "orders", (http_port(8080),), {"app": "orders"},
                    labels={"app": "orders"}),
        ServiceSpec("shop", "payments", (http_port(8080),), {"app": "payments"},
                    labels={"app": "payments"}),
        ServiceSpec("shop", "postgres", (http_port(5432, "tcp-postgres"),), {"app": "postgres"},
                    labels={"app": "postgres"}),
        ServiceSpec("shop", "rabbitmq",
                    (http_port(5672, "tcp-amqp"), http_port(15672, "http-management")),
                    {"app": "rabbitmq"}, labels={"app": "rabbitmq"}),
        # The orphan: its Deployment was deleted, the Service (and its callers) stayed.
        ServiceSpec("shop", "recommendations", (http_port(8080),), {"app": "recommendations"},
                    labels={"app": "recommendations"}),
    )  # fmt: skip
    return workloads, services


def kube_system() -> tuple[tuple[WorkloadSpec, ...], tuple[ServiceSpec, ...]]:
    """CoreDNS behind kube-dns, as the upstream coredns/deployment manifest lays it out."""
    workloads = (
        WorkloadSpec("kube-system", "coredns", "kube-dns", replicas=2, service_account="coredns",
                     container_port=53, app_label="k8s-app",
                     # CoreDNS resolves upstream through the node's resolv.conf, not itself.
                     dns_policy="Default"),
    )  # fmt: skip
    ports = (
        ServicePort(53, "UDP", "dns", "53"),
        ServicePort(53, "TCP", "dns-tcp", "53"),
        ServicePort(9153, "TCP", "metrics", "9153"),
    )
    services = (
        ServiceSpec("kube-system", "kube-dns", ports, {"k8s-app": "kube-dns"},
                    labels={"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
                    cluster_ip="10.96.0.10"),
    )  # fmt: skip
    return workloads, services


def build_world() -> World:
    """The whole demo world, namespace by namespace."""
    workloads: list[WorkloadSpec] = []
    services: list[ServiceSpec] = []
    for part in (bookinfo, istio_system, emojivoto, shop, kube_system):
        ws, ss = part()
        workloads.extend(ws)
        services.extend(ss)
    return World(namespaces(), tuple(workloads), tuple(services))


WORLD = build_world()
