"""Writing traffic: storing a cycle's samples.

Retention (rolling up, then pruning what is no longer kept) lives in webapp/traffic/rollups.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection
from psycopg import sql

from collectors.records import EdgeSample
from webapp.traffic import models
from webapp.traffic.convert import to_row
from webapp.traffic.rollups import bucket_start

_BATCH = 1000


class HistoryClosed(Exception):
    """The cycle falls in a 5-minute bucket that is already rolled up: that history is final."""


def store_samples(cycle: models.Cycle, samples: Sequence[EdgeSample]) -> int:
    """Insert `samples` as rows of `cycle`; returns how many were written.

    A cycle whose bucket is already rolled up (a replay or backfill of old time) is refused
    with HistoryClosed: its rows would be counted twice once the bucket's raw rows are pruned
    (pruning deletes the cycle claims that would otherwise stop a second backfill), or lost.
    """
    rolled = models.RollupBucket.objects.filter(
        start=bucket_start(cycle.at), resolution_s=models.ROLLUP_RESOLUTION_S
    )
    if rolled.exists():
        raise HistoryClosed(f"{cycle.at.isoformat()} is in a bucket already rolled up")
    rows = [to_row(sample, cycle) for sample in samples]
    if connection.vendor == "postgresql" and rows:
        _copy(rows)
    else:
        models.EdgeSample.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)


def _copy(rows: Sequence[models.EdgeSample]) -> None:
    """Write `rows` with PostgreSQL's COPY, in the caller's transaction.

    The benchmark measured bulk_create at five to six times COPY for a cycle's rows: most
    of it is building one huge parameterised INSERT. JSON columns go as their text.
    """
    fields = [f for f in models.EdgeSample._meta.concrete_fields if not f.primary_key]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(models.EdgeSample._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = []
            for field in fields:
                value = getattr(row, field.attname)
                if field.attname in json_fields and value is not None:
                    value = json.dumps(value)
                values.append(value)
            copy.write_row(values)
