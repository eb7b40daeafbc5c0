"""What one collection cycle costs, phase by phase, against floors measured in the same run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/meshwatch_bench \\
        .venv/bin/python -m bench.cycle --cycles 40 --viewers 3

Phases: fetch (the simulator's records), store (inventory + samples in one transaction),
publish (rebuild and diff every watched view, send the deltas). Floors: the same rows
written with one bulk INSERT and nothing else, and one graph build alone. The database named
by DATABASE_URL is created if needed and emptied first: never point this at real data.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")


def main() -> None:
    args = _args()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _empty()
    figures = _measure(args.cycles, args.viewers)
    print(json.dumps(figures, indent=2))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--viewers", type=int, default=3, help="distinct live views watched")
    return parser.parse_args()


def _empty() -> None:
    from webapp.inventory.models import Namespace
    from webapp.live.models import TopicState
    from webapp.traffic.models import Cycle

    for model in (TopicState, Cycle, Namespace):
        model.objects.all().delete()


def _measure(cycles: int, viewers: int) -> dict[str, object]:
    from django.db import connection, transaction

    from collectors.sources import SimulatorSource
    from webapp.graph.options import GraphOptions
    from webapp.graph.services import graph_snapshot
    from webapp.inventory.services import apply_inventory
    from webapp.live.broadcast import ensure_state, publish_cycle
    from webapp.live.topics import TOPICS
    from webapp.traffic.convert import to_row
    from webapp.traffic.models import Cycle, EdgeSample
    from webapp.traffic.services import store_samples

    source = SimulatorSource(7)
    start = datetime(2026, 11, 2, 14, tzinfo=UTC)
    views = [{"window": w} for w in ("1m", "5m", "15m", "1h")][:viewers]
    phases: dict[str, list[float]] = {
        k: [] for k in ("fetch", "store", "publish", "floor_insert", "floor_build")
    }
    for i in range(cycles):
        at = start + timedelta(seconds=15 * i)
        t = time.perf_counter()
        records = source.fetch(at, 15.0)
        phases["fetch"].append(time.perf_counter() - t)
        t = time.perf_counter()
        with transaction.atomic():
            cycle = Cycle.objects.create(at=at, interval_s=15.0, source="bench", status="ok")
            apply_inventory(records.inventory)
            store_samples(cycle, records.edges)
        phases["store"].append(time.perf_counter() - t)
        if i == 0:
            for params in views:
                ensure_state(TOPICS["graph"], GraphOptions.from_params(params))
        t = time.perf_counter()
        publish_cycle(at)
        phases["publish"].append(time.perf_counter() - t)
        # Floors: the bare insert of the same rows, and one graph build of the 5m view.
        floor_cycle = Cycle.objects.create(
            at=at + timedelta(days=365), interval_s=15.0, source="floor", status="failed"
        )
        rows = [to_row(s, floor_cycle) for s in records.edges]
        t = time.perf_counter()
        EdgeSample.objects.bulk_create(rows)
        phases["floor_insert"].append(time.perf_counter() - t)
        t = time.perf_counter()
        graph_snapshot(GraphOptions.from_params({"window": "5m"}))
        phases["floor_build"].append(time.perf_counter() - t)
    p50 = {k: statistics.median(v) * 1000 for k, v in phases.items()}
    return {
        "database": connection.vendor,
        "cycles": cycles,
        "viewers": len(views),
        "edges_per_cycle": len(records.edges),
        "p50_ms": {k: round(v, 2) for k, v in p50.items()},
        "cycle_p50_ms": round(p50["fetch"] + p50["store"] + p50["publish"], 2),
        "store_vs_bulk_insert": round(p50["store"] / p50["floor_insert"], 2),
        "publish_per_view_vs_one_build": round(p50["publish"] / len(views) / p50["floor_build"], 2),
        "python": sys.version.split()[0],
    }


if __name__ == "__main__":
    main()
