"""Between collectors.records.EdgeSample and webapp.traffic.models.EdgeSample rows."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime

from collectors.records import EdgeSample, Histogram, Peer
from webapp.traffic import models
from webapp.traffic.flags import bounded_flags

_INF = "+Inf"
# Every name column holds 253 characters, Kubernetes' longest name. Telemetry labels are not
# bound by that: a longer value is cut and given a digest of the whole, so distinct values
# stay distinct and one hostile label cannot fail a cycle's insert.
_NAME_MAX = 253
_DIGEST_LEN = 12


def bounded(value: str, limit: int = _NAME_MAX) -> str:
    """`value`, or when longer than `limit`, its start plus a digest of all of it."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_LEN]
    if limit <= _DIGEST_LEN:
        return digest[:limit]
    return f"{value[: limit - _DIGEST_LEN - 1]}~{digest}"


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
        source_namespace=bounded(src.namespace),
        source_workload=bounded(src.workload),
        source_app=bounded(src.app),
        source_version=bounded(src.version),
        destination_namespace=bounded(dst.namespace),
        destination_workload=bounded(dst.workload),
        destination_app=bounded(dst.app),
        destination_version=bounded(dst.version),
        destination_service=bounded(dst.service),
        protocol=bounded(sample.protocol, 8),
        mesh=bounded(sample.mesh, 16),
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
        response_flags=bounded_flags(sample.response_flags),
    )


def histogram_from_json(bounds: list[float | str], counts: list[float]) -> Histogram:
    """A stored histogram (bounds with "+Inf" spelled out) as a record."""
    return Histogram(_bounds_from_json(bounds), tuple(counts))


def histogram_to_json(hist: Histogram) -> tuple[list[float | str], list[float]]:
    """A histogram as the JSON its rows store: (bounds with "+Inf" spelled out, counts)."""
    return _bounds_to_json(hist.bounds_ms), list(hist.counts)


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
        response_flags=dict(row.response_flags or {}),
    )


def cycle_time(at: datetime) -> str:
    """A cycle's time as the ISO string the API shows."""
    return at.isoformat().replace("+00:00", "Z")
