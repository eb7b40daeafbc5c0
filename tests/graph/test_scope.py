"""webapp/graph/scope.py: other namespaces' nodes become opaque external ones."""

from __future__ import annotations

from webapp.graph.scope import external_id, scope_delta, scope_graph
from webapp.live.diff import apply_delta, delta_data

KEY = "test-key"


def node(node_id: str, namespace: str, name: str) -> dict:
    return {"id": node_id, "kind": "workload", "namespace": namespace, "name": name,
            "labels": {"app": name}, "app": name, "pods": 2, "outside": False,
            "health": "healthy", "traffic": {"rps_in": 3.0}, "position": {"x": 1, "y": 2},
            "sidecar": {"status": "all", "meshed_pods": 2}, "alerts": [{"name": "x"}]}


def edge(source: str, target: str) -> dict:
    return {"id": f"{source}>{target}|http", "source": source, "target": target,
            "protocol": "http", "rps": 1.0, "alerts": [{"name": "hidden"}]}


PP = "workload:bookinfo/productpage"
REV = "workload:bookinfo/reviews"
CART = "workload:shop/cart"
PAY = "workload:shop/payments"
GRAPH = {
    "generated_at": "now",
    "nodes": [node(PP, "bookinfo", "productpage"), node(REV, "bookinfo", "reviews"),
              node(CART, "shop", "cart"), node(PAY, "shop", "payments"),
              {"id": "unknown", "kind": "unknown", "namespace": "", "name": "unknown"}],
    "edges": [edge(PP, REV), edge(PP, CART), edge(CART, PAY), edge("unknown", PP)],
}


def test_none_sees_everything_unchanged():
    assert scope_graph(GRAPH, None, KEY) == GRAPH


def test_the_other_end_of_a_cross_namespace_edge_is_opaque():
    scoped = scope_graph(GRAPH, {"bookinfo"}, KEY)
    ids = {n["id"] for n in scoped["nodes"]}
    hidden = external_id(CART, KEY)
    assert ids == {PP, REV, hidden, "unknown"}
    external = next(n for n in scoped["nodes"] if n["id"] == hidden)
    assert external["kind"] == "external"
    assert external["name"] == external["namespace"] == "" and external["labels"] == {}
    assert external["traffic"] == {"rps_in": None} and "alerts" not in external
    assert "shop" not in str(scoped) and "cart" not in str(scoped)
    cross = next(e for e in scoped["edges"] if e["target"] == hidden)
    assert cross["source"] == PP and cross["id"] == f"{PP}>{hidden}|http"
    assert "alerts" not in cross
    assert next(e for e in scoped["edges"] if e["target"] == REV)["alerts"]
    assert len(scoped["edges"]) == 3  # cart → payments is dropped


def test_external_ids_are_stable_distinct_and_keyed():
    assert external_id(CART, KEY) == external_id(CART, KEY) != external_id(PAY, KEY)
    assert external_id(CART, KEY) != external_id(CART, "other")
    assert external_id(CART, KEY).startswith("external:")


def test_seeing_nothing_leaves_nothing_but_unknown_edges_to_nothing():
    assert scope_graph(GRAPH, set(), KEY)["nodes"] == []
    assert scope_graph(GRAPH, set(), KEY)["edges"] == []


def test_the_cached_graph_is_not_touched():
    before = repr(GRAPH)
    scope_graph(GRAPH, {"bookinfo"}, KEY)
    assert repr(GRAPH) == before


def test_a_scoped_delta_turns_the_scoped_snapshot_into_the_scoped_new_graph():
    new = {**GRAPH,
           "nodes": [*GRAPH["nodes"][:2], {**GRAPH["nodes"][2], "pods": 9},
                     node("workload:shop/new", "shop", "new")],
           "edges": [edge(PP, REV), edge(PP, CART), edge(PP, "workload:shop/new")]}
    data = delta_data(GRAPH, new, ("nodes", "edges"))
    scoped = scope_graph(GRAPH, {"bookinfo"}, KEY)
    full, new_scoped, scoped_data = scope_delta(GRAPH, scoped, data, {"bookinfo"}, KEY)
    assert full == apply_delta(GRAPH, data, ("nodes", "edges"))
    assert new_scoped == scope_graph(new, {"bookinfo"}, KEY)
    assert apply_delta(scoped, scoped_data, ("nodes", "edges")) == new_scoped
    assert "shop" not in str(scoped_data)
