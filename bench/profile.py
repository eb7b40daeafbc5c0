"""`python -m bench.profile --size s`: where a missed figure's time goes, with cProfile.

Sets up like a bench run (own database, a backfilled Prometheus), then profiles one
collection cycle, one graph build as `GET /api/v1/graph` does it (in process, through
Django's test client) and one store of a cycle's rows, printing the top functions of each
by cumulative time. cProfile is in the standard library; py-spy would add native frames.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import db
from bench.sizes import SIZES

TOP = 25


def profiled(title: str, call: Callable[[], Any]) -> Any:
    """Run `call` under cProfile; print its top functions by cumulative time."""
    profile = cProfile.Profile()
    result = profile.runcall(call)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(TOP)
    print(f"\n===== {title} =====\n{out.getvalue()}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--size", choices=sorted(SIZES), default="s")
    size = SIZES[parser.parse_args().size]
    name = f"meshwatch_bench_profile_{size.name}"
    workdir = Path(tempfile.mkdtemp(prefix="meshwatch-profile-"))
    db.prepare(name)
    try:
        _profile(size, workdir)
    finally:
        db.drop(name)
        shutil.rmtree(workdir, ignore_errors=True)


def _profile(size: Any, workdir: Path) -> None:
    from django.db import transaction
    from django.test import Client

    from bench.mesh import cycle_time, write_backfill
    from bench.servers import Servers, backfill
    from collectors.mesh import MeshTelemetrySource
    from collectors.pipeline import run_cycle
    from webapp.traffic.models import Cycle
    from webapp.traffic.services import store_samples

    write_backfill(size, workdir / "mesh.om")
    backfill(workdir / "mesh.om", workdir / "tsdb")
    with Servers(workdir) as servers:
        source = MeshTelemetrySource(servers.prometheus(workdir / "tsdb"), timeout_s=60)
        run_cycle(cycle_time(0), source, publish=False)  # warm: imports, connections
        profiled(
            "collection cycle (run_cycle)", lambda: run_cycle(cycle_time(1), source, publish=False)
        )
        records = source.fetch(cycle_time(2), 15.0)
        cycle = Cycle.objects.create(at=cycle_time(3), interval_s=15, source="p", status="ok")

        def store() -> None:
            with transaction.atomic():
                store_samples(cycle, records.edges)

        profiled("store a cycle's rows", store)
        client = Client(
            headers={"authorization": f"Bearer {db.api_token()}"}, HTTP_HOST="127.0.0.1"
        )
        url = f"/api/v1/graph?window=5m&at={cycle_time(1).timestamp()}"
        client.get(url)
        answer = profiled("GET /api/v1/graph", lambda: client.get(url))
        assert answer.status_code == 200, answer.content[:200]


if __name__ == "__main__":
    main()
