"""What an mTLS request asks for, parsed once for REST (`GET /api/v1/mtls`) and the live topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from webapp.graph.options import (
    parse_at,
    parse_namespaces,
    parse_window,
)

DEFAULT_WINDOW = "5m"


@dataclass(frozen=True)
class MtlsOptions:
    """A parsed mTLS request; `at` None means "the latest cycle", no namespaces means all."""

    window_s: float = 300.0
    window_text: str = DEFAULT_WINDOW
    at: datetime | None = None
    namespaces: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> MtlsOptions:
        """Parse `window`, `at` and `namespaces`; ignore other keys."""
        window_text = str(params.get("window") or DEFAULT_WINDOW)
        window_s = parse_window("window", window_text)
        at = parse_at(params.get("at"))
        return cls(window_s, window_text, at, parse_namespaces(params.get("namespaces")))

    def as_params(self) -> dict[str, object]:
        """The canonical parameters (live view keys, echoes to clients)."""
        return {
            "window": self.window_text,
            "at": self.at.astimezone(UTC).isoformat() if self.at else None,
            "namespaces": ",".join(self.namespaces),
        }
