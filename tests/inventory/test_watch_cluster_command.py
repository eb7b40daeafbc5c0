"""`manage.py watch_cluster` as a real process: KUBECONFIG in, rows out, SIGTERM stops it.

It runs on its own SQLite file (migrated first), so it needs nothing from the test
database and reads what the process wrote with the sqlite3 module.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .conftest import cluster_objects, eventually, pod

ROOT = Path(__file__).resolve().parents[2]


def _kubeconfig(path: Path, server: str) -> None:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "test", "cluster": {"server": server}}],
                "users": [{"name": "test", "user": {"token": "test-token"}}],
                "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
                "current-context": "test",
            }
        )
    )


def _pods(db: Path) -> set[str]:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return {row[0] for row in conn.execute("SELECT name FROM inventory_pod")}
    except sqlite3.OperationalError:
        return set()  # not migrated yet, or busy


def test_it_fills_the_inventory_and_stops_on_sigterm(kube_api, tmp_path):
    kube_api.apply(*cluster_objects())
    db = tmp_path / "watch.sqlite3"
    kubeconfig = tmp_path / "kubeconfig"
    _kubeconfig(kubeconfig, kube_api.url)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "KUBECONFIG": str(kubeconfig),
        "MESHWATCH_WATCH_LEASE_TTL": "3s",
        "MESHWATCH_WATCH_PAGE_SIZE": "2",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    process = subprocess.Popen(
        [*manage, "watch_cluster"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        eventually(lambda: len(_pods(db)) == 3, timeout=20.0)
        kube_api.apply(pod("shop", "late", ip="10.244.0.9"))
        eventually(lambda: "late" in _pods(db), timeout=2.0)
        # The API server's requests carried the kubeconfig's credentials.
        assert any(path.startswith("/api/v1/pods") for path, _ in kube_api.requests)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0].decode()
        assert process.returncode == 0, output
        assert time.monotonic() - started < 8
        assert "watch_cluster: stopped" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with sqlite3.connect(db) as conn:
        (expires,) = conn.execute("SELECT expires_at FROM inventory_watcherlease").fetchone()
    assert expires  # released on the way out: a standby need not wait for the TTL
