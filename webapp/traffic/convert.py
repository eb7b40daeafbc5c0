"""Between collectors.records.EdgeSample and webapp.traffic.models.EdgeSample rows."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime

from collectors.records import EdgeSample, Histogram, Peer
from webapp.traffic import models

_INF = "+Inf"


def edge_key(sample: EdgeSample) -> str:
    """A digest of who talks to whom over what: the same edge in every cycle gets one key."""
    src, dst = sample.source, sample.destination
    identity = "\x1f".join(
        (
            src.namespace,
            src.workload,
            src.app,
            src.version,
            dst.namespace,
            dst.workload,
            dst.app,
            dst.version,
            dst.service,
            sample.protocol,
            sample.mesh,
        )
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _bounds_to_json(bounds: tuple[float, ...]) -> list[float | str]:
    return [_INF if math.isinf(b) else b for b in bounds]


def _bounds_from_json(bounds: list[float | str]) -> tuple[float, ...]:
    return tuple(math.inf if b == _INF else float(b) for b in bounds)


def to_row(sample: EdgeSample, cycle: models.Cycle) -> models.EdgeSample:
    """An unsaved row for `sample` in `cycle`."""
    src, dst = sample.source, sample.destination
    latency = sample.latency
    return models.EdgeSample(
        cycle=cycle,
        at=cycle.at,
        edge_key=edge_key(sample),
        source_namespace=src.namespace,
        source_workload=src.workload,
        source_app=src.app,
        source_version=src.version,
        destination_namespace=dst.namespace,
        destination_workload=dst.workload,
        destination_app=dst.app,
        destination_version=dst.version,
        destination_service=dst.service,
        protocol=sample.protocol,
        mesh=sample.mesh,
        interval_s=sample.interval_s,
        requests=sample.requests,
        errors_4xx=sample.errors_4xx,
        errors_5xx=sample.errors_5xx,
        errors_grpc=sample.errors_grpc,
        no_response=sample.no_response,
        mtls_requests=sample.mtls_requests,
        bytes_sent=sample.bytes_sent,
        bytes_received=sample.bytes_received,
        latency_bounds=_bounds_to_json(latency.bounds_ms) if latency else None,
        latency_counts=list(latency.counts) if latency else None,
    )


def histogram_from_json(bounds: list[float | str], counts: list[float]) -> Histogram:
    """A stored histogram (bounds with "+Inf" spelled out) as a record."""
    return Histogram(_bounds_from_json(bounds), tuple(counts))


def from_row(row: models.EdgeSample) -> EdgeSample:
    """The record a stored row holds."""
    latency = None
    if row.latency_bounds is not None and row.latency_counts is not None:
        latency = histogram_from_json(row.latency_bounds, row.latency_counts)
    return EdgeSample(
        source=Peer(row.source_namespace, row.source_workload, row.source_app, row.source_version),
        destination=Peer(
            row.destination_namespace,
            row.destination_workload,
            row.destination_app,
            row.destination_version,
            row.destination_service,
        ),
        protocol=row.protocol,
        mesh=row.mesh,
        interval_s=row.interval_s,
        requests=row.requests,
        errors_4xx=row.errors_4xx,
        errors_5xx=row.errors_5xx,
        errors_grpc=row.errors_grpc,
        no_response=row.no_response,
        mtls_requests=row.mtls_requests,
        bytes_sent=row.bytes_sent,
        bytes_received=row.bytes_received,
        latency=latency,
    )


def cycle_time(at: datetime) -> str:
    """A cycle's time as the ISO string the API shows."""
    return at.isoformat().replace("+00:00", "Z")
