"""How the demo behaves over time: load curve, canary, and the scheduled anomalies.

Every schedule is anchored to the Unix epoch, not to the seed or the start of the process, so
"the ratings outage at 14:05" happens at 14:05 in every demo and in every replay. The seed
only changes noise and the cluster's names and addresses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY_S = 86_400.0
PEAK_HOUR_UTC = 15.0  # mid-afternoon; the trough is twelve hours away, at 03:00 UTC
LOAD_MIN, LOAD_MAX = 0.25, 1.0  # never zero: a quiet night still has traffic

# Canary of reviews-v3, repeating every 40 minutes (phases in seconds from the cycle start):
CANARY_PERIOD_S = 2400.0
CANARY_PEAK = 0.5
_CANARY_RAMP_UP = (300.0, 1200.0)  # 0:05-0:20 ramp 0 → 0.5
_CANARY_RAMP_DOWN = (1500.0, 2100.0)  # 0:25-0:35 roll back 0.5 → 0, then 5 idle minutes
REVIEWS_V2_SHARE = 0.3  # v2 is steady; the canary takes its share from v1


def load_factor(ts: float) -> float:
    """Daily load curve in [LOAD_MIN, LOAD_MAX]: a UTC sinusoid peaking mid-afternoon."""
    hours = (ts % DAY_S) / 3600.0
    wave = math.cos(2.0 * math.pi * (hours - PEAK_HOUR_UTC) / 24.0)  # 1 at peak, -1 at trough
    return LOAD_MIN + (LOAD_MAX - LOAD_MIN) * (wave + 1.0) / 2.0


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


def canary_weight(ts: float) -> float:
    """Share of reviews traffic sent to v3 at Unix time `ts`: 0 → 0.5 → 0 every 40 minutes."""
    phase = ts % CANARY_PERIOD_S
    up_start, up_end = _CANARY_RAMP_UP
    down_start, down_end = _CANARY_RAMP_DOWN
    if phase < down_start:
        return CANARY_PEAK * _smoothstep((phase - up_start) / (up_end - up_start))
    return CANARY_PEAK * (1.0 - _smoothstep((phase - down_start) / (down_end - down_start)))


def reviews_split(ts: float) -> dict[str, float]:
    """Shares of productpage's reviews calls per reviews version; they sum to 1."""
    v3 = canary_weight(ts)
    return {"v1": 1.0 - REVIEWS_V2_SHARE - v3, "v2": REVIEWS_V2_SHARE, "v3": v3}


@dataclass(frozen=True)
class Episode:
    """A window that recurs every `period_s`, open during [offset_s, offset_s + duration_s)."""

    name: str
    period_s: float
    offset_s: float
    duration_s: float

    def active(self, ts: float) -> bool:
        """Whether the episode is on at Unix time `ts`."""
        return (ts - self.offset_s) % self.period_s < self.duration_s

    def overlap(self, start: float, end: float) -> float:
        """Fraction of [start, end) the episode is on (0..1), so long intervals stay exact."""
        if end <= start:
            return 1.0 if self.active(end) else 0.0
        total = 0.0
        k = math.floor((start - self.offset_s) / self.period_s)
        while k * self.period_s + self.offset_s < end:
            lo = k * self.period_s + self.offset_s
            total += max(0.0, min(end, lo + self.duration_s) - max(start, lo))
            k += 1
        return total / (end - start)


@dataclass(frozen=True)
class Anomaly:
    """What an episode does to the edges it touches (shares are of the edge's requests)."""

    episode: Episode
    edges: tuple[str, ...]
    share_5xx: float = 0.0
    share_4xx: float = 0.0
    share_no_response: float = 0.0
    latency_factor: float = 1.0


RATINGS_OUTAGE = Episode("ratings-5xx", period_s=1380.0, offset_s=300.0, duration_s=120.0)
CHECKOUT_4XX = Episode("orders-4xx", period_s=1860.0, offset_s=600.0, duration_s=300.0)
PAYMENTS_SLOW = Episode("payments-latency", period_s=1020.0, offset_s=120.0, duration_s=60.0)

ANOMALIES: tuple[Anomaly, ...] = (
    # ratings' database connection pool runs dry: 5xx, and some requests reset (code 0).
    Anomaly(RATINGS_OUTAGE, ("reviews-v2>ratings-v1", "reviews-v3>ratings-v1"),
            share_5xx=0.35, share_no_response=0.05),
    # A storefront release sends malformed coupons for five minutes: orders answers 400.
    Anomaly(CHECKOUT_4XX, ("storefront>orders",), share_4xx=0.15),
    # The payment provider slows down: payments' median ×5 for a minute.
    Anomaly(PAYMENTS_SLOW, ("orders>payments",), latency_factor=5.0),
)  # fmt: skip


def episodes() -> tuple[Episode, ...]:
    """Every scheduled episode (for documentation, tests and the demo's timeline)."""
    return tuple(a.episode for a in ANOMALIES)
