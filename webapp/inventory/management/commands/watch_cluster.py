"""`python manage.py watch_cluster`: keep the inventory in step with the Kubernetes API.

Runs list+watch informers for every served kind (webapp/inventory/watch/runner.py) from
KUBECONFIG (or `--kubeconfig`), or from the pod's service account when run in a cluster
without one. Only the holder of the database lease writes (webapp/inventory/lease.py), so
a second replica waits as a standby. SIGTERM or Ctrl-C stops it cleanly: the informers
end, the lease is released, and the exit status is 0.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from collectors.kube.client import Transport, build_api_client
from collectors.kube.informer import InformerConfig
from collectors.kube.runner import stop_on_sigterm
from webapp.inventory.live import publish_inventory
from webapp.inventory.watch.runner import ClusterWatcher

log = logging.getLogger("meshwatch.watcher")


class Command(BaseCommand):
    help = "Watch the Kubernetes API and write inventory changes as they happen."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--kubeconfig", help="kubeconfig file (default: KUBECONFIG)")
        parser.add_argument("--context", help="kubeconfig context (default: current)")
        parser.add_argument(
            "--in-cluster", action="store_true", help="use the pod's service account"
        )
        parser.add_argument("--holder", help="lease holder name (default: host:pid)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api_client = build_api_client(
                options["kubeconfig"] or settings.KUBECONFIG or None,
                options["context"] or settings.MESHWATCH_KUBE_CONTEXT or None,
                True if options["in_cluster"] else None,
            )
        except Exception as exc:  # noqa: BLE001 - any config problem is the user's to fix
            raise CommandError(f"cannot configure the Kubernetes client: {exc}") from exc
        holder = options["holder"] or f"{socket.gethostname()}:{os.getpid()}"
        watcher = ClusterWatcher(
            Transport(api_client),
            holder,
            config=InformerConfig(
                page_size=settings.MESHWATCH_WATCH_PAGE_SIZE,
                watch_timeout_s=int(settings.MESHWATCH_WATCH_TIMEOUT_S),
            ),
            lease_ttl_s=settings.MESHWATCH_WATCH_LEASE_TTL_S,
            publish=publish_inventory,
        )
        stop = threading.Event()
        stop_on_sigterm(stop)
        self.stdout.write(f"watch_cluster: {holder} watching {api_client.configuration.host}")
        watcher.run(stop)
        self.stdout.write("watch_cluster: stopped")
