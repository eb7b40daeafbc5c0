"""Small helpers shared by the simulator tests."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.records import CycleRecords, EdgeSample

# A weekday afternoon (UTC), well inside the daily peak.
AFTERNOON = datetime(2025, 6, 2, 15, 0, 0, tzinfo=UTC)
NIGHT = datetime(2025, 6, 2, 3, 0, 0, tzinfo=UTC)


def at(ts: float) -> datetime:
    """A UTC datetime from Unix seconds."""
    return datetime.fromtimestamp(ts, tz=UTC)


def edge(records: CycleRecords, source: str, destination: str) -> EdgeSample:
    """The edge between two workloads (the Service name stands in for an unknown one)."""
    for sample in records.edges:
        dst = sample.destination
        dst_name = dst.service if dst.is_unknown else dst.workload
        if sample.source.workload == source and dst_name == destination:
            return sample
    raise AssertionError(f"no edge {source} -> {destination}")
