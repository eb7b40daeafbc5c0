"""The simulator's Envoy flags: records_at carries what its exporter labels, and the Istio
parser reading the exporter's series gives the records' flags back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.mesh import istio
from collectors.prometheus import Sample
from collectors.simulator import Simulator
from collectors.simulator.behaviour import RATINGS_OUTAGE
from collectors.simulator.exporter import BUCKET_S, bucket_samples, interval_series, resolved_edges

from .helpers import AFTERNOON


def _pair(e):
    return (e.source.workload, e.destination.workload, e.destination.service, e.protocol)


def _through_the_exporter(end: datetime) -> dict:
    """The exporter's istio_requests_total increase over one bucket, parsed as Prometheus
    would answer `rate()` over exactly that bucket."""
    series = interval_series(bucket_samples(resolved_edges(), 7, end.timestamp()))
    rows = [Sample(dict(labels), value / BUCKET_S) for (name, labels), value in series.items()
            if name == "istio_requests_total"]  # fmt: skip
    edges, gaps = istio.parse({istio.REQUESTS: rows}, BUCKET_S)
    assert gaps == []
    return {_pair(e): e.response_flags for e in edges}


def test_the_orphan_services_503s_are_uh_and_nothing_else_is_flagged():
    records = Simulator(7).records_at(AFTERNOON)
    flagged = {_pair(e): e.response_flags for e in records.edges if e.response_flags}
    orphan = next(e for e in records.edges if e.destination.service == "recommendations")
    assert flagged == {_pair(orphan): {"UH": pytest.approx(orphan.errors_5xx)}}
    assert orphan.errors_5xx == pytest.approx(orphan.requests)
    assert all(e.response_flags == {} for e in records.edges if e.mesh == "linkerd")


def test_the_ratings_outages_resets_are_dc():
    ts = RATINGS_OUTAGE.offset_s + RATINGS_OUTAGE.period_s * 1_234_567 + 60.0
    records = Simulator(7).records_at(datetime.fromtimestamp(ts, UTC))
    ratings = [e for e in records.edges if e.destination.workload == "ratings-v1"]
    assert ratings and all(
        e.response_flags == {"DC": pytest.approx(e.no_response)} and e.no_response > 0
        for e in ratings
    )


@pytest.mark.parametrize("offset_s", [0, 60 * 17 + 15])
def test_records_and_exporter_agree_on_flags(offset_s):
    end = AFTERNOON + timedelta(seconds=offset_s)
    records = Simulator(7).records_at(end, BUCKET_S)
    mine = {_pair(e): e.response_flags for e in records.edges if e.mesh == "istio"}
    parsed = _through_the_exporter(end)
    assert set(parsed) <= set(mine)
    for pair, flags in parsed.items():
        assert flags == pytest.approx(mine[pair]), pair


def test_the_egress_edge_reads_back_from_the_exporter_as_the_records_have_it():
    end = AFTERNOON
    series = interval_series(bucket_samples(resolved_edges(), 7, end.timestamp()))
    rows: dict[str, list[Sample]] = {}
    for (name, labels), value in series.items():
        if name in istio.FAMILIES:
            rows.setdefault(name, []).append(Sample(dict(labels), value / BUCKET_S))
    parsed, _ = istio.parse(rows, BUCKET_S)
    egress = [e for e in parsed if e.destination.service == "PassthroughCluster"]
    [mine] = [e for e in Simulator(7).records_at(end, BUCKET_S).edges
              if e.destination.service == "PassthroughCluster"]  # fmt: skip
    assert len(egress) == 1 and _pair(egress[0]) == _pair(mine)
    assert (egress[0].source, egress[0].destination) == (mine.source, mine.destination)
    assert egress[0].bytes_sent == pytest.approx(mine.bytes_sent) and mine.bytes_sent > 0
    assert egress[0].mesh == mine.mesh == "istio"
