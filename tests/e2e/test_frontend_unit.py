"""The frontend's unit tests (node:test over esbuild bundles, see frontend/test/run.mjs), run
from pytest so `make test` covers them; a failure shows their whole output."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.conftest import REPO

FRONTEND = REPO / "frontend"


def test_frontend_unit_tests_pass():
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    if not (FRONTEND / "node_modules").is_dir():
        pytest.fail("frontend/node_modules is missing: run `cd frontend && npm ci`")
    run = subprocess.run(
        [npm, "test", "--prefix", str(FRONTEND)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, f"npm test failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    assert "# fail 0" in run.stdout, run.stdout
