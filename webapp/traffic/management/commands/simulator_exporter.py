"""`python manage.py simulator_exporter --port P`: the simulator's mesh series on /metrics.

The docker-compose stack points Prometheus at it, so the worker's real PromQL path has real
series to read without a cluster (collectors/simulator/exporter.py says what is emitted).
"""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from prometheus_client.exposition import start_http_server

from collectors.simulator.exporter import CumulativeSeries, registry
from webapp.timeparse import parse_time


class Command(BaseCommand):
    help = "Serve the simulator's Istio and Linkerd series in Prometheus exposition format."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=9102, help="port to listen on (9102)")
        parser.add_argument(
            "--bind", default="127.0.0.1", help="address to bind (0.0.0.0 in a container)"
        )
        parser.add_argument(
            "--epoch",
            help="time the counters start from (Unix seconds or ISO 8601; default: now). "
            "Replicas given the same epoch serve identical series.",
        )
        parser.add_argument(
            "--seed", type=int, help="simulator seed (default: MESHWATCH_SIMULATOR_SEED)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        epoch = None
        if options["epoch"]:
            try:
                epoch = parse_time(options["epoch"]).timestamp()
            except ValueError as exc:
                raise CommandError(f"--epoch: {exc}") from exc
        seed = options["seed"] if options["seed"] is not None else settings.MESHWATCH_SIMULATOR_SEED
        series = CumulativeSeries(seed, epoch)
        server, _ = start_http_server(options["port"], options["bind"], registry(series))
        self.stdout.write(
            f"simulator exporter (seed {seed}) on http://{options['bind']}:{options['port']}/metrics",
        )
        self.stdout.flush()
        stop = threading.Event()
        # SIGTERM (docker stop, Kubernetes) ends it as cleanly as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
