"""The pure snapshot diff: what changed, per collection, by id."""

from __future__ import annotations

from webapp.live.diff import apply_delta, delta_data, diff, is_empty

COLLECTIONS = ("nodes", "edges")


def _snapshot(nodes, edges, generated_at="t1"):
    return {"generated_at": generated_at, "window": {"start": "a", "end": "b"},
            "nodes": nodes, "edges": edges}


A = {"id": "workload:shop/web", "rps": 1.0}
B = {"id": "workload:shop/api", "rps": 2.0}
E = {"id": "web->api", "source": A["id"], "target": B["id"], "rps": 1.0}


def test_it_upserts_new_and_changed_items_whole():
    old = _snapshot([A], [])
    new = _snapshot([{**A, "rps": 5.0}, B], [E])
    result = diff(old, new, COLLECTIONS)
    assert result["upsert"] == {"nodes": [{**A, "rps": 5.0}, B], "edges": [E]}
    assert result["remove"] == {"nodes": [], "edges": []}


def test_it_removes_gone_ids_and_omits_unchanged_items():
    old = _snapshot([A, B], [E])
    new = _snapshot([B], [])
    result = diff(old, new, COLLECTIONS)
    assert result == {"upsert": {"nodes": [], "edges": []},
                      "remove": {"nodes": [A["id"]], "edges": [E["id"]]}}


def test_a_missing_collection_counts_as_empty():
    result = diff({}, {"nodes": [A]}, COLLECTIONS)
    assert result["upsert"] == {"nodes": [A], "edges": []}
    assert diff({"nodes": [A]}, {}, COLLECTIONS)["remove"] == {"nodes": [A["id"]], "edges": []}


def test_identical_snapshots_give_an_empty_delta_that_still_moves_the_metadata():
    data = delta_data(_snapshot([A], [E], "t1"), _snapshot([A], [E], "t2"), COLLECTIONS)
    assert is_empty(data)
    assert data["generated_at"] == "t2" and data["window"] == {"start": "a", "end": "b"}
    assert "nodes" not in data and "edges" not in data


def test_applying_the_delta_to_the_old_snapshot_gives_the_new_one():
    old = _snapshot([A, B], [E], "t1")
    new = _snapshot([{**B, "rps": 9.0}, {"id": "workload:shop/db"}], [], "t2")
    result = apply_delta(old, delta_data(old, new, COLLECTIONS), COLLECTIONS)
    assert result["generated_at"] == "t2"
    for name in COLLECTIONS:
        assert sorted(result[name], key=str) == sorted(new[name], key=str)
