"""`python manage.py retention`: the history job once, as beat runs it every few minutes.

Rolls up every complete 5-minute bucket not rolled yet, deletes the raw rows of rolled
buckets past MESHWATCH_RAW_RETENTION and the rollups past MESHWATCH_ROLLUP_RETENTION
(webapp/traffic/rollups.py), and says what it did. Safe to run beside the workers: every
step claims its bucket.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from webapp.traffic.rollups import apply_retention


class Command(BaseCommand):
    help = "Roll up complete buckets, then prune past retention; print what was done."

    def handle(self, *args: Any, **options: Any) -> None:
        result = apply_retention()
        self.stdout.write(
            f"rolled up {result.rolled} buckets; "
            f"pruned the raw rows of {result.raw_pruned} buckets "
            f"(older than {_span(settings.MESHWATCH_RAW_RETENTION_S)}); "
            f"deleted {result.rollups_pruned} rollup buckets "
            f"(older than {_span(settings.MESHWATCH_ROLLUP_RETENTION_S)})"
        )


def _span(seconds: float) -> str:
    """A retention as the operator wrote it, near enough: 24h, 30d, 90m, 45s."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds > size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
