"""docker-compose.yml: the whole production path on one machine, checked offline.

`docker-compose config -q` (Debian's docker-compose, no engine needed) validates the file
against the Compose schema; the rest reads the YAML for what the stack promises.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.envvars import all_variables

REPO = Path(__file__).resolve().parents[2]
MESHWATCH = ("migrate", "web", "worker", "beat", "watcher", "simulator")


def _compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def _services() -> dict[str, Any]:
    return _compose()["services"]


def test_docker_compose_validates_the_file_offline():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose missing: make test installs Debian's docker-compose")
    env = {**os.environ, "HOME": os.environ.get("HOME", "/root")}
    for profile in ([], ["--profile", "cluster"]):
        result = subprocess.run(
            [binary, "-f", "docker-compose.yml", *profile, "config", "-q"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "WARNING" not in result.stderr, result.stderr  # e.g. an unset variable


def test_the_stack_has_every_process_and_its_dependencies():
    assert set(_services()) == {"postgres", "redis", "prometheus", *MESHWATCH}
    assert _services()["watcher"]["profiles"] == ["cluster"]


@pytest.mark.parametrize("name", MESHWATCH)
def test_every_meshwatch_service_gets_every_variable(name):
    env = _services()[name]["environment"]
    expected = all_variables() - ({"KUBECONFIG"} if name != "watcher" else set())
    assert expected - set(env) == set()


@pytest.mark.parametrize("name", MESHWATCH)
def test_every_meshwatch_container_is_locked_down(name):
    service = _services()[name]
    assert service["read_only"] is True
    assert service["tmpfs"] == ["/tmp"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]


def test_health_checks_gate_the_start_order():
    services = _services()
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat", "watcher"):
        migrate = services[name]["depends_on"]["migrate"]
        assert migrate["condition"] == "service_completed_successfully", name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy", name
    assert services["worker"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_the_worker_reads_the_prometheus_that_scrapes_the_simulator():
    services = _services()
    assert services["worker"]["environment"]["PROMETHEUS_URL"].endswith("http://prometheus:9090}")
    assert services["simulator"]["command"] == ["exporter"]
    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["simulator"]["static_configs"][0]["targets"] == ["simulator:9102"]
    assert jobs["simulator"]["honor_labels"] is True  # the Linkerd series' own `namespace`
    mount = "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    assert mount in services["prometheus"]["volumes"]


def test_data_lives_in_volumes():
    compose = _compose()
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert set(compose["volumes"]) == {"pgdata", "promdata"}


def test_prometheus_config_is_valid_for_promtool():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool missing: make test installs Debian's prometheus package")
    result = subprocess.run(
        [promtool, "check", "config", str(REPO / "deploy" / "prometheus.yml")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
