"""Figures: a measured value against its floor, as medians of repeats with min and max."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One row of the report: meshwatch's value, the floor's, their ratio and the target.

    `target` is a ratio ceiling (≤ target) or an absolute ceiling in `unit` when
    `absolute` is set; `met` is None when the figure has no target ("reported").
    `skipped` holds the reason when the figure was not measured at this size.
    """

    name: str
    unit: str
    value: float | None = None
    floor: float | None = None
    target: float | None = None
    absolute: bool = False
    min: float | None = None
    max: float | None = None
    notes: str = ""
    skipped: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    verdict: bool | None = None  # set where "met" is a rule, not a ratio (e.g. "constant")

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    @property
    def met(self) -> bool | None:
        if self.verdict is not None:
            return self.verdict
        if self.target is None or self.value is None:
            return None
        measured = self.value if self.absolute else self.ratio
        return measured is not None and measured <= self.target

    def as_json(self) -> dict[str, Any]:
        """The figure as the results JSON holds it (ratio and met computed, rounded)."""
        data = asdict(self)
        del data["verdict"]
        data["ratio"] = self.ratio
        data["met"] = self.met
        for key in ("value", "floor", "min", "max", "ratio"):
            if isinstance(data[key], float):
                data[key] = round(data[key], 4)
        return data


@dataclass(frozen=True)
class Spread:
    """Median, min and max of repeated measurements."""

    median: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no measurements")
        return cls(statistics.median(values), min(values), max(values))


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank rule: an observed value, never interpolated."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def skipped(name: str, unit: str, reason: str, target: float | None = None) -> Figure:
    """A figure that was not measured, with why."""
    return Figure(name=name, unit=unit, target=target, skipped=reason)
