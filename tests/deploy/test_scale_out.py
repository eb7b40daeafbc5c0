"""Scale-out: two Celery workers and two beat processes on the real Redis and PostgreSQL still
run exactly one cycle per interval, none skipped.

Each beat sends every cycle, so every interval's task arrives twice; the Cycle row's unique
`at` is the claim, and the second run of each interval finds it taken. Runs on a database
of its own (`mwdeploy`) and Redis db 9, so it shares nothing with the rest of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "mwdeploy"
BROKER = "redis://127.0.0.1:6379/9"
INTERVAL_S = 3
RUN_S = 60

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def deploy_env() -> dict[str, str]:
    """A fresh `mwdeploy` database, migrated, and an empty Redis db 9."""
    try:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
    redis.Redis.from_url(BROKER).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "REDIS_URL": BROKER,
        "MESHWATCH_INTERVAL": f"{INTERVAL_S}s",
        "MESHWATCH_SECRET_KEY": "test-only-scale-out",
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=REPO, env=env, check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return env


def _start(env: dict[str, str], args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "webapp", *args],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()  # warm shutdown: the running cycle finishes
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _cycles() -> list[tuple[datetime, str]]:
    with psycopg.connect(f"{SERVER}/{DATABASE}") as conn:
        return list(conn.execute("SELECT at, status FROM traffic_cycle ORDER BY at").fetchall())


@pytest.mark.timeout(RUN_S + 240)
def test_two_workers_and_two_beats_run_one_cycle_per_interval(deploy_env, tmp_path):
    procs = []
    try:
        for n in (1, 2):
            procs.append(_start(deploy_env, [
                "worker", "--pool=solo", "-n", f"w{n}@mwdeploy", "--without-gossip",
                "--without-mingle", "-l", "info"], tmp_path / f"worker{n}.log"))  # fmt: skip
            procs.append(_start(deploy_env, [
                "beat", "--schedule", str(tmp_path / f"beat{n}"), "-l", "info"],
                tmp_path / f"beat{n}.log"))  # fmt: skip
            time.sleep(1.3)  # the second beat ticks out of phase with the first
        started = datetime.now(UTC)
        time.sleep(RUN_S)
        ended = datetime.now(UTC)
    finally:
        _stop(procs)
    logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in (1, 2))
    cycles = _cycles()
    # The intervals wholly inside the run, once the workers were up (the first few seconds
    # are start-up: Celery and Django importing).
    first = started + timedelta(seconds=15)
    slots = [
        at for at in (
            first.replace(microsecond=0) + timedelta(seconds=s) for s in range(0, RUN_S)
        )
        if int(at.timestamp()) % INTERVAL_S == 0 and at < ended - timedelta(seconds=INTERVAL_S)
    ]  # fmt: skip
    by_at = {at: status for at, status in cycles}
    assert len(by_at) == len(cycles), "two rows for one interval"
    missing = [at.isoformat() for at in slots if at not in by_at]
    assert missing == [], f"intervals without a cycle: {missing}"
    assert all(by_at[at] == "ok" for at in slots), {a.isoformat(): by_at[a] for a in slots}
    # Both beats sent every interval: the second run of each found the claim taken.
    ran = logs.count("'status': 'ok'")
    skipped = logs.count("'status': 'skipped'")
    assert ran == sum(1 for _, status in cycles if status == "ok")
    assert skipped >= len(slots) // 2, (ran, skipped)
