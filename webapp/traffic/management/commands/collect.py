"""`python manage.py collect --once [--at TIME]`: one cycle against the configured sources.

Without `--once` it keeps collecting every MESHWATCH_INTERVAL, for installations that run
no Celery. `--backfill DURATION` first fills the cycles of the last DURATION that are not
stored (with Prometheus, by range queries). TIME is Unix seconds or ISO 8601.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from collectors.pipeline import CycleResult, aligned, backfill, run_cycle
from webapp.env import parse_duration
from webapp.timeparse import parse_time


class Command(BaseCommand):
    help = "Run collection cycles: once (--once), or every MESHWATCH_INTERVAL until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single cycle and exit")
        parser.add_argument("--at", help="the cycle's time (Unix seconds or ISO 8601)")
        parser.add_argument(
            "--backfill", metavar="DURATION", help="first fill missing cycles of the last 1h, 7d…"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["backfill"]:
            self._backfill(options["backfill"])
        at = None
        if options["at"]:
            try:
                at = aligned(parse_time(options["at"]), settings.MESHWATCH_INTERVAL_S)
            except ValueError as exc:
                raise CommandError(f"--at: {exc}") from exc
        if options["once"]:
            result = run_cycle(at)
            self._report(result)
            if result.status == "failed":
                raise CommandError(f"the cycle failed: {result.error}")
            return
        if at is not None:
            raise CommandError("--at only goes with --once")
        self._loop(settings.MESHWATCH_INTERVAL_S)

    def _backfill(self, text: str) -> None:
        try:
            duration = parse_duration(text)
        except ValueError as exc:
            raise CommandError(f"--backfill: {exc}") from exc

        def progress(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                self.stdout.write(f"backfill: {done}/{total} cycles")

        results = backfill(duration, progress=progress)
        failed = sum(1 for r in results if r.status == "failed")
        self.stdout.write(f"backfill: {len(results)} cycles, {failed} failed")

    def _loop(self, interval: float) -> None:
        while True:
            self._report(run_cycle())
            now = datetime.now(UTC).timestamp()
            time.sleep(interval - now % interval)

    def _report(self, result: CycleResult) -> None:
        self.stdout.write(
            f"cycle {result.at.isoformat()} {result.status}: {result.edges} edges"
            f" in {result.duration_ms:.0f} ms"
        )
