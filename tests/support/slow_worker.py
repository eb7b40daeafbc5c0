"""A Celery worker whose cycles are slow on purpose, for the SIGTERM tests (tests/deploy/).

`python -m tests.support.slow_worker worker --pool=solo ...` takes `celery -A webapp`'s
arguments and runs the real worker, after wrapping two steps of collectors.pipeline:

- MESHWATCH_TEST_SLOW_FETCH_S: the source's fetch sleeps this long first (before the store
  transaction begins);
- MESHWATCH_TEST_SLOW_STORE_S: the store sleeps this long inside its transaction, after the
  edge rows are written and before they commit.

Each writes the file named by MESHWATCH_TEST_MARK when its sleep begins, so a test knows the
cycle is exactly there before it sends a signal. Nothing outside tests/ reads these variables.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

import django


def _pause(seconds: float) -> None:
    mark = os.environ.get("MESHWATCH_TEST_MARK")
    if mark:
        Path(mark).write_text(str(os.getpid()))
    time.sleep(seconds)


class _SlowSource:
    """The configured source, with a sleep before every fetch."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self.inner, self.seconds, self.name = inner, seconds, inner.name

    def fetch(self, at: datetime, interval_s: float) -> Any:
        _pause(self.seconds)
        return self.inner.fetch(at, interval_s)


def install() -> None:
    """Wrap the pipeline's source and its last store step as the environment asks."""
    from collectors import pipeline

    fetch_s = float(os.environ.get("MESHWATCH_TEST_SLOW_FETCH_S", "0"))
    store_s = float(os.environ.get("MESHWATCH_TEST_SLOW_STORE_S", "0"))
    if fetch_s:
        configured = pipeline.configured_source
        pipeline.configured_source = lambda: _SlowSource(configured(), fetch_s)  # type: ignore[assignment]
    if store_s:
        store_dns = pipeline.store_dns

        @wraps(store_dns)
        def slow_store_dns(*args: Any, **kwargs: Any) -> Any:
            _pause(store_s)  # inside _fetch_and_store's transaction: samples written, not committed
            return store_dns(*args, **kwargs)

        pipeline.store_dns = slow_store_dns  # type: ignore[assignment]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    django.setup()
    install()
    from celery.bin.celery import main as celery_main

    sys.argv = ["celery", "-A", "webapp", *sys.argv[1:]]
    sys.exit(celery_main())


if __name__ == "__main__":
    main()
