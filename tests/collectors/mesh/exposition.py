"""Exposition text → the rows a `sum by (...)` query would answer, for the parsers' tests.

The proxies' /metrics carry every label; a query sums over the labels it does not group by.
This emulates exactly that (and the selector of each query), so the same parser that reads
live query answers reads a scraped exposition too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from collectors.prometheus import Sample

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "prometheus"


def query_rows(
    text: str,
    families: Mapping[str, tuple[str, ...]],
    selector: Mapping[str, str],
    extra_labels: Mapping[str, str] | None = None,
) -> dict[str, list[Sample]]:
    """Per metric of `families`, the samples summed by its group-by labels.

    `extra_labels` stand for the target labels Prometheus adds at scrape time (e.g. Linkerd's
    `namespace` and `deployment`). Counter values are totals since the proxy started; read
    with an interval of 1 s they come out as totals again.
    """
    sums: dict[str, dict[tuple[tuple[str, str], ...], float]] = {m: {} for m in families}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name not in families:
                continue
            labels = {**(extra_labels or {}), **sample.labels}
            if any(labels.get(k, "") != v for k, v in selector.items()):
                continue
            if sample.name.startswith("tcp_") and labels.get("peer", "dst") != "dst":
                continue
            by = ("reporter", *families[sample.name])
            key = tuple((k, labels[k]) for k in by if k in labels)
            sums[sample.name][key] = sums[sample.name].get(key, 0.0) + sample.value
    return {m: [Sample(dict(k), v) for k, v in rows.items()] for m, rows in sums.items()}


def read(name: str) -> str:
    """A fixture file's text."""
    return (FIXTURES / name).read_text()
