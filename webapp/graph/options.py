"""What a graph request asks for, parsed and validated once.

REST (`GET /api/v1/graph`) and the websocket `graph` topic take the same parameters; both go
through `GraphOptions.from_params`, which raises `OptionsError` with a sentence a user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from webapp.env import parse_duration
from webapp.timeparse import parse_time

GRAPH_TYPES = ("workload", "app", "versioned_app", "service")
DEFAULT_WINDOW = "5m"
MAX_WINDOW_S = 30 * 86400
# A Kubernetes namespace name (an RFC 1123 label); shared by every parser of user input.
NAMESPACE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


class OptionsError(ValueError):
    """A parameter that cannot be honoured; the message names it."""


@dataclass(frozen=True)
class HealthThresholds:
    """Kiali's default edge health rules, as ratios (0.1 is 10%)."""

    failure_5xx: float = 0.10
    degraded_4xx: float = 0.10
    failure_4xx: float = 0.20
    failure_grpc: float = 0.10
    degraded_any: float = 0.0  # any error ratio above this is degraded


@dataclass(frozen=True)
class GraphOptions:
    """A parsed graph request. `at` is None for "now" (the latest stored cycle)."""

    graph_type: str = "workload"
    namespaces: tuple[str, ...] = ()  # empty: every namespace the caller may see
    window_s: float = 300.0
    window_text: str = DEFAULT_WINDOW
    at: datetime | None = None
    idle_nodes: bool = False
    health: HealthThresholds = field(default_factory=HealthThresholds)

    @classmethod
    def from_params(
        cls, params: Mapping[str, object], health: HealthThresholds | None = None
    ) -> GraphOptions:
        """Parse REST query or websocket params; unknown keys are ignored."""
        graph_type = str(params.get("graph_type") or "workload")
        if graph_type not in GRAPH_TYPES:
            raise OptionsError(f"graph_type must be one of {', '.join(GRAPH_TYPES)}")
        window_text = str(params.get("window") or DEFAULT_WINDOW)
        window_s = parse_window("window", window_text)
        at = parse_at(params.get("at"))
        return cls(
            graph_type=graph_type,
            namespaces=parse_namespaces(params.get("namespaces")),
            window_s=window_s,
            window_text=window_text,
            at=at,
            # `idle` is the short name the inventory issue uses; both mean the same.
            idle_nodes=str(params.get("idle_nodes", params.get("idle", ""))).lower()
            in ("1", "true", "yes"),
            health=health or HealthThresholds(),
        )

    def as_params(self) -> dict[str, object]:
        """The canonical parameters, for cache keys and for echoing back to clients."""
        return {
            "graph_type": self.graph_type,
            "namespaces": ",".join(self.namespaces),
            "window": self.window_text,
            "at": self.at.astimezone(UTC).isoformat() if self.at else None,
            "idle_nodes": self.idle_nodes,
        }


def parse_window(name: str, text: str) -> float:
    """Seconds in the duration parameter `name` (30s, 5m, 1h, 7d), within (0, 30d]."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise OptionsError(f"{name}: {exc}") from exc
    if not 0 < seconds <= MAX_WINDOW_S:
        raise OptionsError(f"{name} must be longer than 0s and at most 30d")
    return seconds


def parse_at(value: object) -> datetime | None:
    """The `at` parameter (Unix seconds or ISO 8601) as a UTC time; None when absent."""
    if value in (None, ""):
        return None
    try:
        return parse_time(str(value))
    except ValueError as exc:
        raise OptionsError(f"at: {exc}") from exc


def parse_namespaces(value: object) -> tuple[str, ...]:
    """Namespace names from a comma list or a JSON list, sorted and checked."""
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    names = sorted({str(item).strip() for item in items if str(item).strip()})
    for name in names:
        if not NAMESPACE_NAME.match(name):
            raise OptionsError(f"namespace {name[:70]!r} is not a valid Kubernetes namespace name")
    return tuple(names)
