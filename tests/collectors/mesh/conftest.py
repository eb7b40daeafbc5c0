"""One real Prometheus for the mesh tests, backfilled with tests/support/mesh_series.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.support.mesh_series import mesh_series
from tests.support.openmetrics import QUERY_AT
from tests.support.prometheus import PrometheusServer

AT = datetime.fromtimestamp(QUERY_AT, tz=UTC)


@pytest.fixture(scope="session")
def mesh_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """A started Prometheus over both meshes' series; terminated after the session."""
    workdir = tmp_path_factory.mktemp("mesh-prometheus")
    server = PrometheusServer.backfilled(mesh_series().openmetrics(), workdir)
    with server:
        yield server


@pytest.fixture(scope="session")
def mesh_cycle(mesh_prometheus: PrometheusServer):
    """One cycle of the source against it, at a time inside the backfilled data."""
    from collectors.mesh import MeshTelemetrySource

    return MeshTelemetrySource(mesh_prometheus.url).fetch(AT, 15.0)
