"""The simulator's bookinfo is Istio's Bookinfo manifest (tests/fixtures/k8s/bookinfo.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from collectors.simulator import Simulator
from collectors.simulator.catalog import WORLD

from .helpers import AFTERNOON

FIXTURE = Path(__file__).parents[2] / "fixtures" / "k8s" / "bookinfo.yaml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict[str, dict]]:
    """The fixture's objects by kind and name."""
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in yaml.safe_load_all(FIXTURE.read_text()):
        if doc:
            by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    return by_kind


def test_services_match(manifest) -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    services = {s.name: s for s in inventory.services if s.namespace == "bookinfo"}
    assert set(services) == set(manifest["Service"])
    for name, doc in manifest["Service"].items():
        svc = services[name]
        assert svc.labels == doc["metadata"]["labels"]
        assert svc.selector == doc["spec"]["selector"]
        # The API server defaults protocol to TCP and targetPort to the port.
        expected = [
            (p["port"], p.get("protocol", "TCP"), p["name"], str(p.get("targetPort", p["port"])))
            for p in doc["spec"]["ports"]
        ]
        assert [(p.port, p.protocol, p.name, p.target_port) for p in svc.ports] == expected


def test_deployments_match(manifest) -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    workloads = {w.name: w for w in inventory.workloads if w.namespace == "bookinfo"}
    assert set(workloads) == set(manifest["Deployment"])
    for name, doc in manifest["Deployment"].items():
        workload = workloads[name]
        labels = doc["metadata"]["labels"]
        assert workload.kind == "Deployment"
        assert (workload.app, workload.version) == (labels["app"], labels["version"])
        assert workload.labels == doc["spec"]["template"]["metadata"]["labels"]
        assert workload.replicas == doc["spec"]["replicas"]
        pods = [p for p in inventory.pods if p.namespace == "bookinfo" and p.workload == name]
        for pod in pods:
            assert doc["spec"]["template"]["metadata"]["labels"].items() <= pod.labels.items()


def test_service_accounts_and_container_ports_match(manifest) -> None:
    specs = {w.name: w for w in WORLD.workloads if w.namespace == "bookinfo"}
    accounts = set()
    for name, doc in manifest["Deployment"].items():
        pod_spec = doc["spec"]["template"]["spec"]
        assert specs[name].service_account == pod_spec["serviceAccountName"]
        assert specs[name].container_port == pod_spec["containers"][0]["ports"][0]["containerPort"]
        accounts.add(pod_spec["serviceAccountName"])
    assert accounts == set(manifest["ServiceAccount"])
