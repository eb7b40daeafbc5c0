"""Writing backfill files: counter series with known rates, as OpenMetrics text.

Prometheus 2.42's `promtool tsdb create-blocks-from openmetrics` wants timestamps in seconds,
each series in time order, families not interleaved, and a final `# EOF`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

START = 1_700_000_000  # 2023-11-14T22:13:20Z: old, so Prometheus needs a long retention
STEP_S = 15
DURATION_S = 1800
QUERY_AT = START + 1200  # well inside the data, with a full rate() range before it


def _value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _labels(labels: Mapping[str, str]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in sorted(labels.items())) + "}"


@dataclass
class SeriesSet:
    """Counter series, each growing at a constant per-second rate from 0 at START."""

    series: dict[str, list[tuple[dict[str, str], float]]] = field(default_factory=dict)

    def counter(self, name: str, labels: Mapping[str, str], rate: float) -> None:
        """A counter `name{labels}` increasing by `rate` per second (NaN: every value NaN)."""
        self.series.setdefault(name, []).append((dict(labels), rate))

    def histogram(
        self, name: str, labels: Mapping[str, str], cumulative_rates: Mapping[str, float]
    ) -> None:
        """`name_bucket` series, one per `le`, each with its cumulative per-second rate."""
        for le, rate in cumulative_rates.items():
            self.counter(f"{name}_bucket", {**labels, "le": le}, rate)

    def openmetrics(self) -> str:
        """The whole file."""
        lines = []
        for name in sorted(self.series):
            for labels, rate in self.series[name]:
                for step in range(DURATION_S // STEP_S + 1):
                    seconds = step * STEP_S
                    value = rate * seconds
                    lines.append(f"{name}{_labels(labels)} {_value(value)} {START + seconds}")
        return "\n".join(lines) + "\n# EOF\n"
