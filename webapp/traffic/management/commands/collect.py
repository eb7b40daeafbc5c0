"""`python manage.py collect --once [--at TIME]`: one cycle against the configured sources.

Without `--once` it keeps collecting every MESHWATCH_INTERVAL, for installations that run
no Celery. TIME is Unix seconds or ISO 8601.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from collectors.pipeline import CycleResult, aligned, run_cycle
from webapp.timeparse import parse_time


class Command(BaseCommand):
    help = "Run collection cycles: once (--once), or every MESHWATCH_INTERVAL until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single cycle and exit")
        parser.add_argument("--at", help="the cycle's time (Unix seconds or ISO 8601)")

    def handle(self, *args: Any, **options: Any) -> None:
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
