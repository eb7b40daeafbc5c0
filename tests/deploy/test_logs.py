"""Structured logs: MESHWATCH_LOG_FORMAT=json gives one JSON object per line, with the cycle
a line belongs to and any exception; text stays the demo's default."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from collectors import pipeline
from tests.deploy.processes import REPO
from webapp.logs import CYCLE, JsonFormatter, cycle_context

AT = datetime(2026, 11, 2, 14, 0, 15, tzinfo=UTC)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the meshwatch loggers write, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("meshwatch")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_has_time_level_logger_and_message_and_no_cycle_outside_one(json_lines):
    logging.getLogger("meshwatch.test").warning("hello %s", "there")
    [line] = _lines(json_lines)
    assert line.keys() == {"time", "level", "logger", "message"}
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING", "meshwatch.test", "hello there")  # fmt: skip
    assert datetime.fromisoformat(line["time"]).tzinfo is not None


def test_inside_a_cycle_context_lines_carry_the_cycle_and_it_is_reset_after(json_lines):
    with cycle_context(AT):
        logging.getLogger("meshwatch.test").info("inside")
    logging.getLogger("meshwatch.test").info("after")
    inside, after = _lines(json_lines)
    assert inside["cycle"] == "2026-11-02T14:00:15+00:00" and "cycle" not in after
    assert CYCLE.get() is None


def test_an_exception_is_one_line_with_an_exc_field(json_lines):
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logging.getLogger("meshwatch.test").exception("it broke")
    assert len(json_lines.getvalue().splitlines()) == 1
    [line] = _lines(json_lines)
    assert line["message"] == "it broke" and "ValueError: bad\nvalue" in line["exc"]


class Broken:
    name = "broken"

    def fetch(self, at: datetime, interval_s: float):
        raise ConnectionError("prometheus went away")


@pytest.mark.django_db
def test_run_cycle_tags_its_lines_with_its_at(json_lines, simulator_source):
    pipeline.run_cycle(AT, simulator_source, interval_s=15.0)
    pipeline.run_cycle(AT.replace(second=30), Broken(), publish=False, interval_s=15.0)
    lines = [line for line in _lines(json_lines) if line["logger"] == "meshwatch.pipeline"]
    ok, failed = lines[0], lines[-1]
    assert ok["cycle"] == AT.isoformat() and "edges in" in ok["message"]
    assert failed["cycle"] == "2026-11-02T14:00:30+00:00" and failed["level"] == "ERROR"
    assert "ConnectionError: prometheus went away" in failed["exc"]
    assert CYCLE.get() is None


def test_collect_once_logs_json_when_asked(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "MESHWATCH_LOG_FORMAT": "json",
           "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "webapp.settings"}  # fmt: skip
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "--noinput"], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=180)  # fmt: skip
    done = subprocess.run([*run, "collect", "--once", "--at", AT.isoformat()], cwd=REPO,
                          env=env, check=True, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert any(line.get("cycle") == AT.isoformat() and "edges in" in line["message"]
               for line in lines), done.stderr  # fmt: skip


def test_an_unknown_format_stops_the_process(tmp_path):
    env = {"MESHWATCH_LOG_FORMAT": "xml", "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and "MESHWATCH_LOG_FORMAT" in done.stderr
