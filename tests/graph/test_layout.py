"""Deterministic layout, and the layout appender."""

from __future__ import annotations

import random

from webapp.graph.appenders import layout as layout_appender
from webapp.graph.layout import (
    COLUMN_WIDTH,
    compute_positions,
    longest_path_depths,
)

from .helpers import context, shop_samples, traffic_map

NODES = {
    "unknown": "",
    "workload:a/web": "a",
    "workload:a/api": "a",
    "workload:a/db": "a",
    "workload:a/cache": "a",
    "workload:b/pay": "b",
    "workload:b/ledger": "b",
}
EDGES = [
    ("unknown", "workload:a/web"),
    ("workload:a/web", "workload:a/api"),
    ("workload:a/api", "workload:a/db"),
    ("workload:a/web", "workload:a/db"),
    ("workload:a/api", "workload:a/cache"),
    ("workload:a/api", "workload:b/pay"),
    ("workload:b/pay", "workload:b/ledger"),
]


def test_columns_follow_longest_path_depth() -> None:
    positions = compute_positions(NODES, EDGES)
    x = {node_id: position[0] for node_id, position in positions.items()}
    assert x["workload:a/web"] < x["workload:a/api"] < x["workload:a/db"]
    assert x["workload:a/db"] == x["workload:a/api"] + COLUMN_WIDTH  # longest path, not shortest
    assert x["workload:a/cache"] == x["workload:a/db"]


def test_unknown_is_at_the_far_left() -> None:
    positions = compute_positions(NODES, EDGES)
    assert all(positions["unknown"][0] < p[0] for n, p in positions.items() if n != "unknown")


def test_positions_are_distinct_and_namespaces_do_not_overlap() -> None:
    positions = compute_positions(NODES, EDGES)
    assert len(set(positions.values())) == len(NODES)
    a = [p for n, p in positions.items() if NODES[n] == "a"]
    b = [p for n, p in positions.items() if NODES[n] == "b"]
    assert max(x for x, _ in a) < min(x for x, _ in b) or max(y for _, y in a) < min(
        y for _, y in b
    )


def test_same_graph_same_positions_whatever_the_order() -> None:
    expected = compute_positions(NODES, EDGES)
    rng = random.Random(7)
    for _ in range(5):
        items = list(NODES.items())
        edges = list(EDGES)
        rng.shuffle(items)
        rng.shuffle(edges)
        assert compute_positions(dict(items), edges) == expected


def test_cycles_are_broken_deterministically() -> None:
    ids = ["a", "b", "c", "d"]
    succ = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}}
    assert longest_path_depths(ids, succ) == {"a": 0, "b": 1, "c": 2, "d": 3}
    # A source outside the cycle roots the search, so the cycle opens behind it.
    succ = {"a": {"b"}, "b": {"c"}, "c": {"b"}, "d": {"c"}}
    assert longest_path_depths(ids, succ) == {"a": 0, "b": 1, "c": 2, "d": 0}
    assert longest_path_depths(["x"], {"x": {"x"}}) == {"x": 0}  # self loop


def test_tall_columns_wrap() -> None:
    nodes = {f"workload:a/w{i:03}": "a" for i in range(400)}
    positions = compute_positions(nodes, [])
    assert len({x for x, _ in positions.values()}) > 1
    assert len(set(positions.values())) == 400


def test_a_long_chain_does_not_recurse() -> None:
    nodes = {f"n{i:05}": "a" for i in range(5000)}
    edges = [(f"n{i:05}", f"n{i + 1:05}") for i in range(4999)]
    positions = compute_positions(nodes, edges)
    assert positions["n04999"][0] == 4999 * COLUMN_WIDTH


def test_the_appender_sets_every_node_position() -> None:
    ctx = context()
    result = traffic_map(shop_samples(), ctx)
    layout_appender.apply(result, ctx)
    positions = [node.position for node in result.nodes.values()]
    assert len(set(positions)) == len(positions)
