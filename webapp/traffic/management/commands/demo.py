"""`python manage.py demo [--port P]`: all of meshwatch in one process, for a laptop.

SQLite, the in-memory channel layer and the simulator; anonymous read-only access, bound to
127.0.0.1 only. It migrates, backfills MESHWATCH_BACKFILL of history, then serves the ASGI
app with Daphne while an in-process scheduler runs the same cycle Celery beat runs in
production.
"""

from __future__ import annotations

import asyncio
import logging
import time
from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from collectors import pipeline
from collectors.sources import configured_source
from webapp.traffic.rollups import RUN_EVERY_S, apply_retention

log = logging.getLogger("meshwatch.demo")
HOST = "127.0.0.1"


class Command(BaseCommand):
    help = "Run the whole dashboard on the simulator, on http://127.0.0.1:PORT (anonymous)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1")
        parser.add_argument("--no-backfill", action="store_true", help="start without history")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port")
        # The demo is anonymous by definition; settings read the variable once, so the
        # command states it here as well for anyone who forgot MESHWATCH_AUTH=anonymous.
        settings.MESHWATCH_AUTH = "anonymous"
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_backfill"]:
            self._backfill()
        self._serve(port)

    def _backfill(self) -> None:
        duration = settings.MESHWATCH_BACKFILL_S
        interval = settings.MESHWATCH_INTERVAL_S
        self.stdout.write(
            f"backfilling {duration / 60:.0f} min of history "
            f"({int(duration // interval)} cycles of {interval:g}s)…"
        )
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if done == total or done % max(1, total // 4) == 0:
                self.stdout.write(f"  {done}/{total} cycles")

        results = pipeline.backfill(
            duration, interval, source=configured_source(), progress=progress
        )
        failed = sum(1 for r in results if r.status == "failed")
        self.stdout.write(
            f"backfilled {len(results)} cycles in {time.perf_counter() - started:.1f}s"
            + (f", {failed} failed (see the log)" if failed else "")
        )

    def _serve(self, port: int) -> None:
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server
        from twisted.internet import reactor

        from webapp.asgi import application

        def start_scheduler() -> None:
            asyncio.get_event_loop().create_task(_scheduler(settings.MESHWATCH_INTERVAL_S))
            self.stdout.write(
                f"meshwatch demo serving http://{HOST}:{port}/ "
                "(anonymous, read-only, bound to 127.0.0.1; Ctrl-C stops it)"
            )
            self.stdout.flush()

        reactor.callWhenRunning(start_scheduler)  # type: ignore[attr-defined]
        Server(
            application=application,
            endpoints=build_endpoint_description_strings(host=HOST, port=port),
            signal_handlers=True,
            verbosity=0,
        ).run()


async def _scheduler(interval: float) -> None:
    """Run a cycle at every grid point, in the server's own event loop.

    The cycle runs in Django's sync thread; its after-commit publish reaches the in-memory
    channel layer on this loop, which is why the scheduler lives here and not in a thread.
    """
    # Fill the cycles missed between the backfill and the server's start, then keep time.
    await sync_to_async(pipeline.backfill)(settings.MESHWATCH_BACKFILL_S, interval)
    cycles = 0
    history_every = max(1, round(RUN_EVERY_S / interval))  # the history job, as beat runs it
    while True:
        now = time.time()
        await asyncio.sleep(interval - now % interval + 0.05)
        # Name the grid point now: if the sync thread is still busy when the cycle gets to
        # run, the pile-up guard sees how late it is and skips it.
        at = pipeline.aligned(datetime.now(UTC), interval)
        try:
            await sync_to_async(pipeline.run_cycle)(at, scheduled=True)
            cycles += 1
            if cycles % history_every == 0:
                await sync_to_async(apply_retention)()
        except Exception:  # noqa: BLE001 - the schedule outlives any one cycle
            log.exception("scheduled cycle failed")
