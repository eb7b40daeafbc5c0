"""Fixtures for the Kubernetes collector: the test API server, a transport, fast timings."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from collectors.kube.client import Timeouts, Transport, api_client_for_host
from collectors.kube.informer import InformerConfig
from tests.support.kube_api import KubeAPI

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "k8s")
# Short enough for a fast suite, long enough not to flake on a loaded machine.
FAST = InformerConfig(
    page_size=2,
    watch_timeout_s=1,
    watch_grace_s=0.5,
    backoff_initial_s=0.05,
    backoff_max_s=0.3,
    jitter=0.5,
)


def fixture_path(*parts: str) -> str:
    return os.path.join(FIXTURES, *parts)


def load_docs(path: str) -> list[Any]:
    """Every YAML/JSON document of a fixture file (JSON is YAML)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # linkerd's ipfamilies file carries its Go test's {IPv6} placeholder; fill it in as the
    # upstream test does before parsing (see tests/fixtures/PROVENANCE.md).
    text = text.replace("{IPv6}", "fd00::1")
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def all_fixture_files() -> list[str]:
    files = glob.glob(os.path.join(FIXTURES, "*", "*"))
    return sorted(f for f in files if f.endswith((".json", ".yaml", ".injected")))


@pytest.fixture
def kube_api() -> Iterator[KubeAPI]:
    api = KubeAPI(bookmark_interval_s=0.3).start()
    yield api
    api.stop()


@pytest.fixture
def transport(kube_api: KubeAPI) -> Transport:
    return Transport(api_client_for_host(kube_api.url), Timeouts(connect_s=1.0, read_s=1.0))


def pod(
    ns: str, name: str, labels: dict[str, str] | None = None, ip: str = "10.0.0.1", **spec: Any
) -> dict[str, Any]:
    """A minimal Pod as the API server returns it."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "namespace": ns,
            "name": name,
            "uid": f"uid-{ns}-{name}",
            "labels": labels or {},
        },
        "spec": {"containers": [{"name": "app", "image": "app:1"}], "nodeName": "node-1", **spec},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def namespace(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels or {}},
    }
