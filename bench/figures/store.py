"""Storing a cycle's rows: meshwatch's `store_samples` against COPY of the same rows.

Both write into the real `EdgeSample` table (its indexes included) inside a transaction on
the bench database. meshwatch's time includes turning records into rows, as a cycle pays it;
the floor gets its rows ready-made as tuples and only streams them with psycopg's COPY.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bench.sizes import Size
from bench.stats import Figure, Spread, timed
from collectors.records import EdgeSample

FAR = datetime(2100, 1, 1, tzinfo=UTC)  # these cycles sit far from every measured window


def _columns() -> list[str]:
    from webapp.traffic.models import EdgeSample as Row

    return [f.column for f in Row._meta.concrete_fields if not f.primary_key]


def _tuples(rows: Sequence[Any], columns: list[str]) -> list[tuple[Any, ...]]:
    """Row values in column order; JSON columns as JSON text, as COPY's text format wants."""
    out = []
    for row in rows:
        values = []
        for column in columns:
            value = getattr(row, column)
            if column.startswith("latency_") and value is not None:
                value = json.dumps(value)
            values.append(value)
        out.append(tuple(values))
    return out


def _copy(cycle_pk: int, tuples: list[tuple[Any, ...]], columns: list[str]) -> None:
    from django.db import connection, transaction

    from webapp.traffic.models import EdgeSample as Row

    cycle_i = columns.index("cycle_id")
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"COPY {Row._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for values in tuples:
                copy.write_row(values[:cycle_i] + (cycle_pk,) + values[cycle_i + 1 :])


def measure_store(size: Size, samples: Sequence[EdgeSample]) -> list[Figure]:
    """Median of `size.repeats` stores of one cycle's samples, each against a COPY of them."""
    from django.db import transaction

    from webapp.traffic.convert import to_row
    from webapp.traffic.models import Cycle
    from webapp.traffic.services import store_samples

    columns = _columns()
    stores, copies = [], []
    for i in range(size.repeats):
        ours = Cycle.objects.create(at=FAR + timedelta(seconds=30 * i), interval_s=15,
                                    source="bench-store", status="ok")  # fmt: skip
        floor = Cycle.objects.create(at=FAR + timedelta(seconds=30 * i + 15), interval_s=15,
                                     source="bench-copy", status="ok")  # fmt: skip
        tuples = _tuples([to_row(s, floor) for s in samples], columns)
        copies.append(timed(partial(_copy, floor.pk, tuples, columns))[0])

        def store(cycle: Cycle = ours) -> None:
            with transaction.atomic():
                store_samples(cycle, samples)

        stores.append(timed(store)[0])
    Cycle.objects.filter(at__gte=FAR).delete()
    spread, floor_spread = Spread.of(stores), Spread.of(copies)
    return [Figure(
        "store a cycle's rows", "ms", spread.median * 1000, floor_spread.median * 1000, 2.0,
        min=spread.min * 1000, max=spread.max * 1000,
        notes=f"{len(samples)} rows; floor: psycopg COPY of the same rows",
    )]  # fmt: skip
