"""Envoy response flags: requests per flag, parsed from telemetry and kept bounded.

Istio's `istio_requests_total` carries `response_flags`: "-" for none, else one or more of
Envoy's short codes joined by "," (a retried request that finally overflowed reads "URX,UO").
A request with several flags counts once under each, so per edge the flag counts may add up
to more than its requests; a share is always a flag's count over the edge's requests.

The label is telemetry, so attacker input like any other: a token longer than FLAG_MAX_LEN is
cut, a non-printable one becomes OTHER, and an edge keeps at most MAX_FLAGS distinct flags,
the rest summed under OTHER, so one hostile proxy cannot grow a row or a window without bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Envoy's flags (envoy/stream_info/stream_info.h, access-log "%RESPONSE_FLAGS%").
KNOWN_FLAGS = frozenset({
    "DC", "DF", "DI", "DO", "DPE", "DT", "FI", "IH", "LH", "LR", "NC", "NFCF", "NR", "OM",
    "RFCF", "RL", "RLSE", "SI", "UAEX", "UC", "UF", "UH", "UMSDR", "UO", "UPE", "URX", "UT",
})  # fmt: skip
NONE = "-"
OTHER = "other"
FLAG_MAX_LEN = 16
MAX_FLAGS = 16


def split_flags(value: str | None) -> list[str]:
    """The distinct flags of one label value, bounded; [] for "-" or nothing."""
    tokens: list[str] = []
    for raw in (value or "").split(","):
        token = raw.strip()
        if not token or token == NONE:
            continue
        token = token[:FLAG_MAX_LEN] if token.isprintable() else OTHER
        if token not in tokens:
            tokens.append(token)
    return tokens


def add_flags(into: dict[str, float], tokens: Iterable[str], count: float) -> None:
    """Count `count` requests under each of `tokens`, keeping `into` within MAX_FLAGS keys."""
    if count <= 0:
        return
    for token in tokens:
        if token not in into and len(into) >= MAX_FLAGS - (OTHER not in into):
            token = OTHER  # a full edge: known and unknown flags alike go to the catch-all
        into[token] = into.get(token, 0.0) + count


def merge_flags(into: dict[str, float], flags: Mapping[str, object] | None) -> None:
    """Add stored or summed flag counts into `into`, re-bounding what may not be ours."""
    for token, value in (flags or {}).items():
        try:
            count = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue  # a hand-edited row: its junk does not fail a window read
        add_flags(into, split_flags(str(token)) or [], count)


def bounded_flags(flags: Mapping[str, object] | None) -> dict[str, float] | None:
    """`flags` bounded for a row; None (SQL NULL) when there is none, the common case."""
    out: dict[str, float] = {}
    merge_flags(out, flags)
    return out or None
