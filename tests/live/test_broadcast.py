"""Publishing: one stored delta per cycle per watched view, consistent under two publishers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from channels.layers import InMemoryChannelLayer
from django.db import connections
from django.utils import timezone

from collectors.pipeline import run_cycle
from tests.live.conftest import INTERVAL, by_id, edge
from webapp.live import broadcast
from webapp.live.broadcast import advance, ensure_state, prune_states, publish_cycle
from webapp.live.models import TopicDelta, TopicState
from webapp.live.topics import TOPICS, group_name, state_key

pytestmark = pytest.mark.django_db(transaction=True)
GRAPH = TOPICS["graph"]
WEB, API, DB = "workload:shop/web", "workload:shop/api", "workload:shop/db"


def _options(**params):
    return GRAPH.parse({"window": "15s", **params})


def _seqs(state):
    return list(TopicDelta.objects.filter(state=state).order_by("seq")
                .values_list("seq", flat=True))


def _run(source, at):
    assert run_cycle(at, source, interval_s=INTERVAL.total_seconds()).status == "ok"


def test_ensure_state_builds_the_first_snapshot_once(source, t0):
    _run(source, t0)
    first = ensure_state(GRAPH, _options())
    again = ensure_state(GRAPH, _options(namespaces="", idle_nodes="no"))  # same canonical params
    assert again.pk == first.pk and again.seq == first.seq
    assert {WEB, API} <= set(by_id(first.snapshot["nodes"]))
    assert first.key == state_key("graph", _options().as_params()) and not first.pinned


def test_a_cycle_advances_a_watched_view_by_one_delta(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    source.edges = (edge("web", "api", requests=600.0), edge("api", "db"))
    _run(source, t0 + INTERVAL)
    state.refresh_from_db()
    delta = TopicDelta.objects.get(state=state)
    assert delta.seq == state.seq and state.cycle_at == t0 + INTERVAL
    upserted = by_id(delta.data["upsert"]["nodes"])
    assert DB in upserted and delta.data["remove"] == {"nodes": [], "edges": []}
    edges = {(e["source"], e["target"]): e for e in delta.data["upsert"]["edges"]}
    assert edges[(WEB, API)]["rps"] == pytest.approx(40.0)
    assert (API, DB) in edges
    assert {"generated_at", "window"} <= set(delta.data)


def test_publishing_a_cycle_again_or_an_older_one_adds_no_delta(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    _run(source, t0 + INTERVAL)
    publish_cycle(t0 + INTERVAL)
    publish_cycle(t0)
    assert TopicDelta.objects.filter(state=state).count() == 1


def test_every_cycle_gives_a_delta_even_when_nothing_changed(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    _run(source, t0 + INTERVAL)
    _run(source, t0 + 2 * INTERVAL)
    seqs = _seqs(state)
    assert seqs == [state.seq + 1, state.seq + 2]


def test_only_the_newest_deltas_are_kept(source, t0, settings):
    settings.MESHWATCH_LIVE_HISTORY = 2
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    for step in range(1, 5):
        _run(source, t0 + step * INTERVAL)
    seqs = _seqs(state)
    assert seqs == [state.seq + 3, state.seq + 4]


def test_a_view_pinned_to_a_past_time_never_changes(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options(at=t0.isoformat()))
    assert state.pinned
    _run(source, t0 + INTERVAL)
    state.refresh_from_db()
    assert not TopicDelta.objects.filter(state=state).exists()


def test_an_unwatched_view_is_skipped_then_caught_up_on_subscribe(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    TopicState.objects.filter(pk=state.pk).update(
        last_seen_at=timezone.now() - broadcast.ACTIVE_FOR - timedelta(seconds=1))
    source.edges = (edge("api", "db"),)
    _run(source, t0 + INTERVAL)
    assert not TopicDelta.objects.filter(state=state).exists()
    caught_up = ensure_state(GRAPH, _options())
    assert caught_up.seq == state.seq + 1
    assert WEB in TopicDelta.objects.get(state=state).data["remove"]["nodes"]
    assert DB in by_id(caught_up.snapshot["nodes"])


def test_a_publisher_that_lost_the_race_diffs_against_the_winner(source, t0, monkeypatch):
    """B publishes while A is still building: A's delta starts from B's snapshot, seq after B's."""
    _run(source, t0)
    _run(source, t0 + INTERVAL)
    state = ensure_state(GRAPH, _options())
    real_build, raced = GRAPH.build, []

    def build_while_b_publishes(options):
        snapshot = real_build(options)
        if not raced:
            raced.append(True)
            advance(state.pk, t0)  # B: another worker, committed in the middle of A's build
        return {**snapshot, "nodes": [*snapshot["nodes"], {"id": "workload:shop/extra"}]}

    monkeypatch.setitem(TOPICS, "graph", GRAPH.__class__(
        "graph", GRAPH.parse, build_while_b_publishes, GRAPH.collections))
    a_row = advance(state.pk, t0 + INTERVAL)
    rows = list(TopicDelta.objects.filter(state=state).order_by("seq"))
    assert [r.seq for r in rows] == [state.seq + 1, state.seq + 2] and rows[1].pk == a_row.pk
    # A diffed against B's stored snapshot (which already had "extra"), not A's stale read.
    assert rows[1].data["upsert"]["nodes"] == []


def test_a_stale_writer_is_refused_by_the_conditional_update(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    stale = TopicState.objects.get(pk=state.pk)
    assert advance(state.pk, None) is not None
    assert broadcast._store_next(stale, GRAPH, stale.snapshot, None) is None
    assert TopicDelta.objects.filter(state=state).count() == 1


def test_views_unseen_for_a_day_are_pruned(source, t0):
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    assert prune_states(timezone.now()) == 0
    assert prune_states(timezone.now() + broadcast.PRUNE_AFTER + timedelta(seconds=1)) >= 1
    assert not TopicState.objects.filter(pk=state.pk).exists()


def test_group_names_are_valid_channels_group_names():
    key = state_key("graph", _options(namespaces="a-very-long-namespace-name,b").as_params())
    name = group_name("graph", key)
    assert InMemoryChannelLayer().require_valid_group_name(name) and len(name) < 100


def test_two_publishers_at_once_write_consecutive_seqs(source, t0, monkeypatch):
    """Two workers build at the same moment; each seq is written once and deltas chain."""
    _run(source, t0)
    state = ensure_state(GRAPH, _options())
    both_building = threading.Barrier(2, timeout=10)
    real_build = GRAPH.build

    def build_together(options):
        snapshot = real_build(options)
        both_building.wait()
        name = threading.current_thread().name
        return {**snapshot, "nodes": [*snapshot["nodes"], {"id": f"workload:shop/{name}"}]}

    monkeypatch.setitem(TOPICS, "graph", GRAPH.__class__(
        "graph", GRAPH.parse, build_together, GRAPH.collections))
    errors: list[BaseException] = []

    def publisher() -> None:
        try:
            advance(state.pk, None)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publisher, name=f"p{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    rows = list(TopicDelta.objects.filter(state=state).order_by("seq"))
    assert [r.seq for r in rows] == [state.seq + 1, state.seq + 2]
    first, second = (r.data["upsert"]["nodes"] for r in rows)
    # The second writer diffed against the first one's snapshot: only its own node is new.
    assert len(second) == 1 and second[0]["id"] not in {n["id"] for n in first}
