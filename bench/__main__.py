"""`python -m bench --size s`: measure every figure of the benchmark issue against its floor.

    .venv/bin/python -m bench --size xs|s|m|l [--only GROUP,...] [--out DIR] [--keep-db]

Runs on its own database (meshwatch_bench_<size> on the local PostgreSQL, recreated each
run) and Redis db 10; starts Prometheus, Daphne and a Celery worker on loopback ports and
stops them all at the end. A figure group that fails is reported as an error (exit status 1)
and the others still run. Groups, in order: prometheus (cycle, viewers, store), api, live,
browser, worker, storage.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import db, report
from bench.sizes import SIZES, Size
from bench.stats import Figure

GROUPS = ("prometheus", "api", "live", "browser", "worker", "storage")
WATCHER = "not measured: watcher not built"


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="s")
    parser.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups")
    parser.add_argument("--out", type=Path, default=report.RESULTS)
    parser.add_argument("--database", default=None, help="default: meshwatch_bench_<size>")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    return parser.parse_args(argv)


class Run:
    """One run: its size, its servers and the figures measured so far."""

    def __init__(self, size: Size, groups: set[str], workdir: Path, env: dict[str, str]) -> None:
        self.size, self.groups, self.workdir, self.env = size, groups, workdir, env
        self.figures: list[Figure] = []
        self.errors = 0
        self.graph_path = workdir / "graph.json"

    def group(self, name: str, measure: Callable[[], list[Figure]]) -> None:
        """Measure one group unless excluded; an exception becomes an error row."""
        if name not in self.groups:
            return
        started = time.monotonic()
        print(f"[bench {self.size.name}] {name} …", file=sys.stderr, flush=True)
        try:
            self.figures += measure()
        except Exception as exc:  # noqa: BLE001 - one broken figure must not lose the run
            traceback.print_exc()
            self.errors += 1
            self.figures.append(Figure(name, "", skipped=f"error: {type(exc).__name__}: {exc}"))
        print(f"[bench {self.size.name}] {name} done in {time.monotonic() - started:.1f}s",
              file=sys.stderr, flush=True)  # fmt: skip


def measure(run: Run) -> None:
    """Every group in order; later groups reuse what earlier ones stored or started."""
    from bench.figures import api, browser, cycle, live, memory, storage, store
    from bench.mesh import cycle_time, write_backfill
    from bench.servers import Servers, backfill

    size = run.size
    with Servers(run.workdir) as servers:
        source = write_backfill(size, run.workdir / "mesh.om")
        print(f"[bench {size.name}] {source} series written", file=sys.stderr)
        backfill(run.workdir / "mesh.om", run.workdir / "tsdb")
        (run.workdir / "mesh.om").unlink()
        prometheus = servers.prometheus(run.workdir / "tsdb")

        def prometheus_figures() -> list[Figure]:
            figures, timed_source, floor = cycle.measure_cycle(size, prometheus)
            queries = len(timed_source.source.queries(cycle_time(0), cycle.INTERVAL_S)) + 1
            figures += cycle.measure_viewers(size, prometheus, floor, queries)
            assert timed_source.last is not None
            return figures + store.measure_store(size, timed_source.last.edges)

        run.group("prometheus", prometheus_figures)
        token = db.api_token()
        web, web_pid = servers.daphne({**run.env, "MESHWATCH_BENCH_GRAPH_BYTES":
                                       str(run.graph_path)})  # fmt: skip
        at = cycle_time(size.repeats - 1).timestamp()
        run.group("api", lambda: api.measure_api(size, web, token, run.graph_path, at))
        run.group("live", lambda: live.measure_live(size, web, token))
        run.group("live", lambda: [memory.web_rss(web_pid, size.ws_clients)])
        if not run.graph_path.exists():
            api.fetch_graph(f"{web}/api/v1/graph?window=5m&at={at}", token, run.graph_path)
        run.group("browser", lambda: browser.measure_browser(size, run.graph_path))
        run.group("worker", lambda: [memory.worker_rss(size, servers, run.env, prometheus)])
        run.group("storage", lambda: storage.measure_storage(size))


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    size = SIZES[args.size]
    name = args.database or f"meshwatch_bench_{size.name}"
    workdir = Path(tempfile.mkdtemp(prefix=f"meshwatch-bench-{size.name}-"))
    started = time.monotonic()
    env = db.prepare(name)
    run = Run(size, set(args.only.split(",")), workdir, env)
    try:
        measure(run)
        run.figures.append(Figure("watcher initial sync", "s", target=2.0, skipped=WATCHER))
        run.figures.append(Figure("peak RSS, watcher", "MB", target=400, absolute=True,
                                  skipped=WATCHER))  # fmt: skip
        info = report.machine()
        info["bench_seconds"] = round(time.monotonic() - started, 1)
        path = report.write(size, run.figures, info, args.out)
        plots = report.plot(args.out)
        print(path.with_suffix(".md").read_text())
        print(f"results: {path}" + (f"; plots: {len(plots)}" if plots else ""))
    finally:
        db.flush_redis()
        if not args.keep_db:
            db.drop(name)
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
