"""The environment variables meshwatch reads: README's configuration table and settings.py.

Both sources are read, so a variable added to settings but not yet documented (or the other
way round) still has to reach docker-compose.yml and the chart.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Read by settings but not a deployment setting: the deprecated alias of
# MESHWATCH_ROLLUP_RETENTION, and the static root the Dockerfile fixes at build time.
NOT_SETTINGS = {"MESHWATCH_RETENTION", "MESHWATCH_STATIC_ROOT"}
_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|[^|]*\|\s*(.*)\|\s*$")
_READ = re.compile(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"")


def readme_variables() -> set[str]:
    """Rows of README's configuration table, except the Makefile's and the image's own."""
    names = set()
    for line in (REPO / "README.md").read_text().splitlines():
        match = _ROW.match(line)
        if match and not match.group(2).strip().startswith(("(Makefile)", "(image)")):
            names.add(match.group(1))
    return names - NOT_SETTINGS


def settings_variables() -> set[str]:
    """Every variable webapp/settings.py reads through the env helpers."""
    return set(_READ.findall((REPO / "webapp" / "settings.py").read_text())) - NOT_SETTINGS


def all_variables() -> set[str]:
    """What every deployment must be able to set."""
    return readme_variables() | settings_variables()
