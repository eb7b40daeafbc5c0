"""The benchmark harness at SIZE=xs, end to end, so it cannot rot between benchmark runs.

Runs `python -m bench --size xs` in a subprocess: the harness sets Django up on its own
database (meshwatch_bench_smoke, never the tests' one) and Redis db 10, and starts and stops
its own Prometheus, Daphne and Celery worker. Asserts the results' schema and that every
measured figure has its numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REPO = Path(__file__).resolve().parents[2]
FIGURE_KEYS = {"name", "value", "unit", "floor", "ratio", "target", "met", "min", "max"}
# Figures with no floor by nature: they are compared to an absolute target only.
NO_FLOOR = ("peak RSS", "DB bytes")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    for binary in ("/usr/bin/prometheus", "/usr/bin/promtool"):
        if not Path(binary).exists():
            pytest.skip(f"{binary} is missing: install Debian's prometheus package")
    out = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "xs", "--out", str(out),
         "--database", "meshwatch_bench_smoke"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, f"bench failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    paths = list(out.glob("*-xs.json"))
    assert len(paths) == 1 and paths[0].with_suffix(".md").exists()
    return json.loads(paths[0].read_text())


def test_it_records_the_machine_and_size(results):
    assert results["size"] == "xs"
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["memory_mb"] > 0
    assert machine["python"] and machine["postgres"]


def test_every_figure_has_the_schema(results):
    names = [f["name"] for f in results["figures"]]
    assert len(names) == len(set(names))
    for figure in results["figures"]:
        assert set(figure) >= FIGURE_KEYS, figure["name"]
        assert not figure["skipped"].startswith("error"), figure


def test_measured_figures_have_value_floor_and_ratio(results):
    measured = [f for f in results["figures"] if not f["skipped"]]
    assert len(measured) >= 10
    for figure in measured:
        assert isinstance(figure["value"], (int, float)), figure
        assert figure["min"] is None or figure["min"] <= figure["value"] <= figure["max"]
        if not figure["name"].startswith(NO_FLOOR):
            assert figure["floor"] and figure["ratio"] == pytest.approx(
                figure["value"] / figure["floor"], rel=1e-2, abs=1e-3
            ), figure


def test_the_core_figures_are_there(results):
    names = " | ".join(f["name"] for f in results["figures"] if not f["skipped"])
    expected = [
        "collection cycle",
        "Prometheus queries/min",
        "store a cycle's rows",
        "websockets p99",
        "peak RSS, web",
        "peak RSS, worker",
    ]
    if shutil.which("wrk"):  # `make bench` installs it; `make test` does not need to
        expected.append("GET /api/v1/graph p99")
    for name in expected:
        assert name in names
