"""Exposition text → the rows coredns.queries() would answer, so the same parser reads both.

A query sums over the labels it does not group by, over every name its family lists; this
does exactly that with prometheus_client's parser. Counter values are totals since CoreDNS
started; read with an interval of 1 s they come out as totals again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from collectors.dns.coredns import FAMILIES
from collectors.prometheus import Sample

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def query_rows(text: str, target: Mapping[str, str]) -> dict[str, list[Sample]]:
    """Per family key, the samples summed by the family's labels (plus `instance`).

    `target` stands for the labels Prometheus adds at scrape time (`instance`).
    """
    by_name = {name: family for family in FAMILIES for name in family.names}
    sums: dict[str, dict[tuple[tuple[str, str], ...], float]] = {f.key: {} for f in FAMILIES}
    for metric in text_string_to_metric_families(text):
        for sample in metric.samples:
            family = by_name.get(sample.name)
            if family is None:
                continue
            labels = {**target, **sample.labels}
            key = tuple((k, labels[k]) for k in ("instance", *family.labels) if labels.get(k))
            rows = sums[family.key]
            rows[key] = rows.get(key, 0.0) + sample.value
    return {key: [Sample(dict(k), v) for k, v in rows.items()] for key, rows in sums.items()}


def read(relative: str) -> str:
    """A fixture file's text, e.g. "prometheus/coredns-1.1.0.datadog-fixture.excerpt.txt"."""
    return (FIXTURES / relative).read_text()
