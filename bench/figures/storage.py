"""Database bytes per edge per day after rollups, measured on the real tables.

One 5-minute bucket of synthetic cycles is stored and rolled up with the real rollup code;
after VACUUM FULL, each table's total size (heap, TOAST and indexes) over its rows gives the
bytes per row. A day of an edge's history, once rolled up, is 288 rollup rows; the last 24 h
are also kept raw (5,760 rows at 15 s), which the figure's detail reports.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.mesh import SyntheticSource
from bench.sizes import Size
from bench.stats import Figure

DAY_S = 86_400
INTERVAL_S = 15
BUCKET_START = datetime(2023, 11, 1, tzinfo=UTC)  # before every other stored cycle


def _bytes_per_row(table: str) -> tuple[float, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (FULL, ANALYZE) {table}")
        cursor.execute(f"SELECT pg_total_relation_size('{table}'), count(*) FROM {table}")
        size, rows = cursor.fetchone()
    return (size / rows if rows else 0.0), rows


def measure_storage(size: Size) -> list[Figure]:
    """Store a bucket's cycles, roll it up, and size both tables."""
    from collectors.pipeline import run_cycle

    try:
        from webapp.traffic.models import EdgeRollup, EdgeSample, RollupBucket
        from webapp.traffic.rollups import ROLLUP_RESOLUTION_S, roll_bucket
    except ImportError as exc:  # the rollups issue has not landed in this checkout
        return [
            Figure(
                "DB bytes per edge per day (rollups)",
                "B",
                skipped=f"rollups not in this checkout ({exc})",
            )
        ]
    source = SyntheticSource(size)
    cycles = ROLLUP_RESOLUTION_S // INTERVAL_S
    for i in range(1, cycles + 1):
        result = run_cycle(BUCKET_START + timedelta(seconds=INTERVAL_S * i), source,
                           publish=False, interval_s=INTERVAL_S)  # fmt: skip
        if result.status != "ok":  # an empty bucket would size nothing and report 0 B
            raise RuntimeError(f"storage cycle {result.at} {result.status}: {result.error}")
    if not roll_bucket(BUCKET_START):
        raise RuntimeError("the bench bucket was rolled up already")
    raw, raw_rows = _bytes_per_row(EdgeSample._meta.db_table)
    rolled, rolled_rows = _bytes_per_row(EdgeRollup._meta.db_table)
    RollupBucket.objects.filter(start=BUCKET_START).delete()
    per_day = DAY_S / ROLLUP_RESOLUTION_S
    raw_day = raw * DAY_S / INTERVAL_S
    return [Figure(
        "DB bytes per edge per day (rollups)", "B", rolled * per_day,
        notes=f"{rolled:.0f} B per 5-min rollup row x {per_day:.0f}; the last 24 h raw add "
        f"{raw_day / 1e6:.1f} MB per edge ({raw:.0f} B per raw row)",
        detail={"raw_bytes_per_row": raw, "rollup_bytes_per_row": rolled,
                "raw_bytes_per_edge_day": raw_day, "raw_rows": raw_rows,
                "rollup_rows": rolled_rows},
    )]  # fmt: skip
