"""Log lines: plain text for the demo, one JSON object per line in production.

MESHWATCH_LOG_FORMAT picks the formatter (settings.LOGGING). A JSON line has `time` (UTC,
ISO 8601), `level`, `logger` and `message`; inside a collection cycle also `cycle`, the
cycle's `at`, so every line a cycle causes (fetch, store, publish, alert evaluation in the
same process) can be found with one filter; an exception adds `exc`, its formatted traceback.
The cycle is a context variable, set by collectors.pipeline.run_cycle: it follows the code
that runs on the cycle's behalf and nothing else, in threads and asyncio tasks alike.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

CYCLE: ContextVar[str | None] = ContextVar("meshwatch_cycle", default=None)


@contextmanager
def cycle_context(at: datetime) -> Iterator[None]:
    """Tag every log line written inside the block with the cycle `at`."""
    token = CYCLE.set(at.isoformat())
    try:
        yield
    finally:
        CYCLE.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback's newlines are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        cycle = CYCLE.get()
        if cycle is not None:
            line["cycle"] = cycle
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # default=str: a message argument that is not JSON (a datetime) must not lose the line.
        return json.dumps(line, default=str, ensure_ascii=False)
