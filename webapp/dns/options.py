"""What a DNS request asks for, parsed once for REST (`GET /api/v1/dns`) and the live topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from webapp.graph.options import (
    OptionsError,
    parse_at,
    parse_namespaces,
    parse_window,
)

DEFAULT_WINDOW = "5m"
_LABEL_MAX = 253


@dataclass(frozen=True)
class DnsOptions:
    """A parsed DNS request; `at` None means "the latest cycle", empty filters mean all.

    `namespaces` scope the amplification report (a namespace-limited token must name them).
    """

    window_s: float = 300.0
    window_text: str = DEFAULT_WINDOW
    at: datetime | None = None
    server: str = ""
    zone: str = ""
    namespaces: tuple[str, ...] = ()
    step_s: float | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> DnsOptions:
        """Parse `window`, `at`, `server`, `zone`, `namespaces`, `step`; ignore other keys."""
        window_text = str(params.get("window") or DEFAULT_WINDOW)
        window_s = parse_window("window", window_text)
        step = params.get("step")
        step_s = parse_window("step", str(step)) if step not in (None, "") else None
        at = parse_at(params.get("at"))
        return cls(
            window_s=window_s,
            window_text=window_text,
            at=at,
            server=_label("server", params.get("server")),
            zone=_label("zone", params.get("zone")),
            namespaces=parse_namespaces(params.get("namespaces")),
            step_s=step_s,
        )

    def as_params(self) -> dict[str, object]:
        """The canonical parameters (live view keys, echoes to clients)."""
        return {
            "window": self.window_text,
            "at": self.at.astimezone(UTC).isoformat() if self.at else None,
            "server": self.server,
            "zone": self.zone,
            "namespaces": ",".join(self.namespaces),
            "step": f"{self.step_s:g}s" if self.step_s else None,
        }


def _label(name: str, value: object) -> str:
    text = str(value or "").strip()
    if len(text) > _LABEL_MAX or any(ord(c) < 32 for c in text):
        raise OptionsError(
            f"{name} must be a CoreDNS label value of at most {_LABEL_MAX} characters"
        )
    return text
