"""SIGTERM, as Kubernetes and compose send it on every rollout: nothing lost, nothing twice.

Real processes on PostgreSQL (`mwdeploy2`) and Redis db 9 (tests/deploy/processes.py):

- a Celery worker (acks_late, prefetch 1) stopped mid-cycle finishes the cycle, acks it and
  exits; a second delivery of the same task finds the cycle claimed;
- one killed after its grace period, inside the store transaction, leaves no partial rows:
  a `running` Cycle row the next cycles skip behind for three intervals, then run past;
- a worker stopped mid-webhook-attempt records the attempt before it exits, and the next
  worker delivers; one killed mid-attempt leaves the delivery pending and claimed until its
  lease runs out, and then another worker delivers it, once;
- Daphne closes its sockets and exits at once; the client reconnects to the next process.
"""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.deploy.processes import (
    BROKER,
    manage,
    sql,
    start_daphne,
    wait_for,
    worker_argv,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]
SLOW_WORKER = "tests.support.slow_worker"


def send(task: str, *args: object) -> None:
    Celery(broker=BROKER).send_task(task, args=list(args))


def cycle_rows() -> list[tuple[datetime, str, int, int, str]]:
    """Every cycle: at, status, edges it says it wrote, edge rows it has, error."""
    return sql(
        "SELECT c.at, c.status, c.edges, COUNT(s.id), c.error FROM traffic_cycle c"
        " LEFT JOIN traffic_edgesample s ON s.cycle_id = c.id GROUP BY c.id ORDER BY c.at"
    )  # type: ignore[return-value]


def broker_messages() -> tuple[int, int]:
    """Tasks waiting in the queue, and tasks handed to a worker but not acked."""
    client = redis.Redis.from_url(BROKER)
    return int(client.llen("celery")), int(client.hlen("unacked"))


def test_a_worker_stopped_mid_cycle_finishes_it_and_nothing_runs_twice(mw_env, processes, tmp_path):
    mark = tmp_path / "mark"
    slow = {**mw_env, "MESHWATCH_TEST_SLOW_FETCH_S": "4", "MESHWATCH_TEST_MARK": str(mark)}
    first = processes(slow, worker_argv("w1", SLOW_WORKER), "w1")
    first.wait_for_output("ready.")
    at = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    send("collectors.tasks.run_cycle", at.timestamp())
    assert wait_for(mark.exists), "the cycle never started"
    assert [row[1] for row in cycle_rows()] == ["running"]
    started = time.monotonic()
    assert first.terminate_and_wait() == 0  # warm shutdown: the cycle ran to its end
    assert time.monotonic() - started > 2, "the worker did not wait for its cycle"
    [(stored_at, status, edges, rows, _)] = cycle_rows()
    assert (stored_at, status) == (at, "ok") and edges > 10 and rows == edges
    assert broker_messages() == (0, 0)  # acked after it finished: nothing to redeliver
    # A redelivery of the same task (another worker, later) must change nothing.
    second = processes(mw_env, worker_argv("w2"), "w2")
    second.wait_for_output("ready.")
    send("collectors.tasks.run_cycle", at.timestamp())
    second.wait_for_output("'status': 'skipped'")
    assert cycle_rows() == [(at, "ok", edges, edges, "")]


def test_a_worker_killed_inside_the_store_leaves_no_rows_and_blocks_nothing_for_long(
    mw_env, processes, tmp_path
):
    interval = 3
    env = {**mw_env, "MESHWATCH_INTERVAL": f"{interval}s"}
    mark = tmp_path / "mark"
    slow = {**env, "MESHWATCH_TEST_SLOW_STORE_S": "120", "MESHWATCH_TEST_MARK": str(mark)}
    first = processes(slow, worker_argv("w1", SLOW_WORKER), "w1")
    first.wait_for_output("ready.")
    send("collectors.tasks.run_cycle")  # as beat sends it: the current grid point
    assert wait_for(mark.exists), "the store never started"
    first.popen.send_signal(signal.SIGTERM)
    time.sleep(1.0)  # the grace period runs out before the store does
    first.popen.kill()
    first.popen.wait(10)
    [(dead_at, status, _, rows, _)] = cycle_rows()
    assert (status, rows) == ("running", 0)  # the store's transaction rolled back whole
    second = processes(env, worker_argv("w2"), "w2")
    second.wait_for_output("ready.")
    for _ in range(6):  # stand in for beat
        send("collectors.tasks.run_cycle")
        time.sleep(interval)
    assert wait_for(lambda: any(r[1] == "ok" for r in cycle_rows()), 10)
    later = cycle_rows()[1:]
    assert cycle_rows()[0] == (dead_at, "running", 0, 0, "")
    window = dead_at + timedelta(seconds=3 * interval)
    print([(at.isoformat(), status, error) for at, status, _, _, error in later])
    for at, status, edges, rows, error in later:
        # Within three intervals the dead cycle still looks alive: the pile-up guard holds
        # back (at exactly three, its start time decides); past them it is taken for dead.
        if at < window:
            assert (status, error) == ("skipped", "the previous cycle is still running")
        elif at > window:
            assert status == "ok" and rows == edges > 10, (at, status, error)
    assert any(at > window for at, *_ in later), "no cycle ran past the dead one"


def _delivery() -> tuple[str, int, str]:
    [row] = sql("SELECT status, attempts, key FROM alerts_delivery")
    return row  # type: ignore[return-value]


def _attempts() -> list[tuple[int, bool]]:
    return sql("SELECT number, ok FROM alerts_deliveryattempt ORDER BY number")  # type: ignore[return-value]


def _queue_test_delivery(env: dict[str, str], url: str) -> None:
    """A receiver and a test notification to it, queued through Celery as the API does."""
    manage(env, "shell", "-c", (
        "from webapp.alerts.models import Receiver\n"
        "from webapp.alerts import services\n"
        f"services.send_test(Receiver.objects.create(name='hook', url={url!r}, secret='s'))\n"
    ))  # fmt: skip


def _sweep_until(predicate, timeout: float = 60.0) -> bool:
    """Stand in for beat: a sweep every half second until `predicate` holds."""

    def tick() -> bool:
        send("webapp.alerts.tasks.sweep")
        return predicate()

    return wait_for(tick, timeout, step=0.5)


def _webhook_env(env: dict[str, str], timeout: str) -> dict[str, str]:
    return {**env, "MESHWATCH_WEBHOOK_ALLOW": "127.0.0.1/32",
            "MESHWATCH_WEBHOOK_TIMEOUT": timeout, "MESHWATCH_WEBHOOK_BACKOFF": "100ms",
            "MESHWATCH_WEBHOOK_BACKOFF_MAX": "200ms"}  # fmt: skip


def test_a_worker_stopped_during_a_webhook_retry_records_it_and_the_next_delivers(
    mw_env, processes, receiver
):
    hook = receiver(["fail", "hang"], hang_s=4.0)
    env = _webhook_env(mw_env, "2s")
    first = processes(env, worker_argv("w1"), "w1")
    first.wait_for_output("ready.")
    _queue_test_delivery(env, hook.url)
    assert _sweep_until(hook.hanging.is_set), "the retry never reached the receiver"
    assert first.terminate_and_wait() == 0  # the attempt runs to its timeout first
    status, attempts, key = _delivery()
    assert (status, attempts, _attempts()) == ("pending", 2, [(1, False), (2, False)])
    second = processes(env, worker_argv("w2"), "w2")
    second.wait_for_output("ready.")
    assert _sweep_until(lambda: _delivery()[0] == "delivered")
    assert _attempts() == [(1, False), (2, False), (3, True)]
    assert [r.key for r in hook.requests] == [key] * 3


def test_a_worker_killed_mid_attempt_leaves_the_delivery_to_the_next_after_its_lease(
    mw_env, processes, receiver
):
    hook = receiver(["hang"], hang_s=15.0)
    env = _webhook_env(mw_env, "3s")  # a lease of 2 × 3 s + 10 s
    first = processes(env, worker_argv("w1"), "w1")
    first.wait_for_output("ready.")
    _queue_test_delivery(env, hook.url)
    assert _sweep_until(hook.hanging.is_set, 30), "the attempt never reached the receiver"
    first.popen.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    first.popen.kill()  # the grace period ran out mid-attempt: nothing was recorded
    first.popen.wait(10)
    [(status, attempts, claimed_until)] = sql(
        "SELECT status, attempts, claimed_until FROM alerts_delivery"
    )
    assert (status, attempts, _attempts()) == ("pending", 0, [])
    second = processes(env, worker_argv("w2"), "w2")
    second.wait_for_output("ready.")
    assert _sweep_until(lambda: _delivery()[0] == "delivered", 60)
    assert _attempts() == [(1, True)]  # delivered once, recorded once
    [killed, delivered] = hook.requests
    assert killed.key == delivered.key  # the same idempotency key: receivers drop repeats
    assert delivered.at >= claimed_until.timestamp() - 0.5  # not before the lease ran out


def _token(env: dict[str, str]) -> str:
    return manage(env, "issue_token", "--user", "ops", "--admin").split()[-1]


def test_daphne_closes_its_sockets_and_exits_on_sigterm(mw_env, processes):
    token = _token(mw_env)
    web, port = start_daphne(processes, mw_env, "web1")
    url = f"ws://127.0.0.1:{port}/ws/v1/live?token={token}"
    with connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=10) as ws:
        ws.send(json.dumps({"type": "subscribe", "topic": "graph", "params": {"window": "1m"}}))
        assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"
        started = time.monotonic()
        assert web.terminate_and_wait(timeout=20) == 0
        assert time.monotonic() - started < 10  # not --application-close-timeout per socket
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    _, port = start_daphne(processes, mw_env, "web2")  # the replacement takes the client back
    url = f"ws://127.0.0.1:{port}/ws/v1/live?token={token}"
    with connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=10) as ws:
        ws.send(json.dumps({"type": "subscribe", "topic": "graph", "params": {"window": "1m"}}))
        assert json.loads(ws.recv(timeout=30))["type"] == "snapshot"


def test_worker_logs_are_json_lines_with_the_cycle(mw_env, processes):
    worker = processes(mw_env, worker_argv("w1"), "w1")
    worker.wait_for_output("ready.")
    at = datetime(2026, 11, 2, 14, 0, 15, tzinfo=UTC)
    send("collectors.tasks.run_cycle", at.timestamp())
    worker.wait_for_output("edges in")
    assert worker.terminate_and_wait() == 0
    lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    [cycle] = [line for line in lines if line["logger"] == "meshwatch.pipeline"]
    assert cycle["cycle"] == at.isoformat() and cycle["level"] == "INFO"
    assert {"time", "level", "logger", "message"} <= set(cycle)
    assert any(line["logger"].startswith("celery") for line in lines)  # Celery's own, too
    assert Path(worker.log).stat().st_size > 0
