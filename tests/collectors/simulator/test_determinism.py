"""The simulator is a pure function of (seed, time)."""

from __future__ import annotations

from datetime import timedelta

from collectors.simulator import Simulator

from .helpers import AFTERNOON


def test_same_seed_and_time_give_equal_records() -> None:
    assert Simulator(7).records_at(AFTERNOON) == Simulator(7).records_at(AFTERNOON)


def test_different_seed_gives_different_records() -> None:
    a, b = Simulator(7).records_at(AFTERNOON), Simulator(8).records_at(AFTERNOON)
    assert a.edges != b.edges
    assert {p.ip for p in a.inventory.pods} != {p.ip for p in b.inventory.pods}


def test_records_do_not_depend_on_earlier_calls() -> None:
    fresh = Simulator(7).records_at(AFTERNOON)
    used = Simulator(7)
    for minutes in (-600, 30, -1, 0, 17):  # backwards, forwards, the same instant
        used.records_at(AFTERNOON + timedelta(minutes=minutes))
    assert used.records_at(AFTERNOON) == fresh


def test_naive_datetime_is_read_as_utc() -> None:
    naive = AFTERNOON.replace(tzinfo=None)
    assert Simulator().records_at(naive).edges == Simulator().records_at(AFTERNOON).edges


def test_records_carry_the_cycle_metadata() -> None:
    records = Simulator().records_at(AFTERNOON, interval_s=30.0)
    assert records.source == "simulator"
    assert records.at == AFTERNOON
    assert all(e.interval_s == 30.0 for e in records.edges)


def test_counts_are_totals_over_the_interval() -> None:
    # Noise and rates come from the interval's midpoint and 15 s buckets, so doubling the
    # interval around the same midpoint roughly doubles the totals.
    sim = Simulator()
    short = sim.records_at(AFTERNOON, interval_s=15.0)
    long = sim.records_at(AFTERNOON + timedelta(seconds=7.5), interval_s=30.0)
    ratio = long.edges[0].requests / short.edges[0].requests
    assert 1.6 < ratio < 2.4
