"""The graph page against the real demo server: real simulator, real websocket, real Chromium.

One page load walks what a user sees first: the graph drawn, the status going live, a cycle's
update arriving without a reload (and not moving anything), and a click opening the details.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

PRODUCTPAGE = "workload:bookinfo/productpage-v1"
UPDATE_TIMEOUT_MS = 45_000  # several 3 s cycles; the first cycles may change nothing visible

EDGE_VIEW_JS = """() => Object.fromEntries(window.meshwatch.cy.edges().map(e => [
    e.id(), {label: e.data('label'), width: e.data('width'),
             data: JSON.stringify(window.meshwatch.view.edges.get(e.id()))}]))"""
POSITIONS_JS = """() => Object.fromEntries(
    window.meshwatch.cy.nodes().map(n => [n.id(), n.position()]))"""


def test_graph_page_draws_updates_and_opens_details(demo_server, page, e2e_output):
    page.goto(f"{demo_server}/")

    # 1. The anonymous demo says so, and the graph is drawn from the first snapshot.
    assert "Anonymous read-only demo mode" in page.locator("#mw-anonymous-banner").text_content()
    page.wait_for_function(
        "() => window.meshwatch && window.meshwatch.cy && window.meshwatch.cy.nodes().length > 10",
        timeout=30_000,
    )
    node_ids = page.evaluate("() => window.meshwatch.cy.nodes().map(n => n.id())")
    assert PRODUCTPAGE in node_ids
    status = page.locator("#mw-status")
    page.wait_for_function("() => document.querySelector('#mw-status').dataset.state === 'live'")
    assert "last update" in page.locator("#mw-status-updated").text_content()

    # 2. The next cycle arrives as a delta: seq goes up, some edge shows new numbers, and no
    #    node that was on screen has moved.
    seq0 = int(status.get_attribute("data-seq"))
    edges0 = page.evaluate(EDGE_VIEW_JS)
    positions0 = page.evaluate(POSITIONS_JS)
    page.wait_for_function(
        """([seq0, before]) => {
            const mw = window.meshwatch;
            if (mw.lastSeq <= seq0 || mw.deltaCount < 1) return false;
            return mw.cy.edges().some(e => {
                const old = before[e.id()];
                return old && old.label !== e.data('label');
            });
        }""",
        arg=[seq0, edges0],
        timeout=UPDATE_TIMEOUT_MS,
    )
    seq1 = int(status.get_attribute("data-seq"))
    assert seq1 > seq0
    assert page.evaluate("() => window.meshwatch.snapshotCount") == 1, "no reload, no resync"
    edges1 = page.evaluate(EDGE_VIEW_JS)
    changed = [i for i in edges0 if i in edges1 and edges0[i]["label"] != edges1[i]["label"]]
    print(
        f"\nseq {seq0} → {seq1}; edge labels changed: {len(changed)}, e.g. "
        f"{changed[0]}: {edges0[changed[0]]['label']!r} → {edges1[changed[0]]['label']!r}"
    )
    positions1 = page.evaluate(POSITIONS_JS)
    assert {k: positions1[k] for k in positions0 if k in positions1} == {
        k: v for k, v in positions0.items() if k in positions1
    }

    overview = e2e_output / "graph-page-overview.png"
    page.screenshot(path=str(overview))
    print(f"screenshot: {overview}")

    # 3. Clicking a node opens its details, with its name and its edges.
    box = page.locator("#mw-graph").bounding_box()
    pos = page.evaluate(
        f"() => window.meshwatch.cy.getElementById({json.dumps(PRODUCTPAGE)}).renderedPosition()"
    )
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    title = page.locator("#mw-panel-content h2")
    title.wait_for(timeout=15_000)
    assert title.text_content() == "productpage-v1"
    panel = page.locator("#mw-panel").text_content()
    assert "bookinfo" in panel and "Inbound edges" in panel and "Outbound edges" in panel

    shot = e2e_output / "graph-page.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert page.mw_errors == [], page.mw_errors


def test_filters_resubscribe_to_another_graph(demo_server, page):
    page.goto(f"{demo_server}/")
    page.wait_for_function("() => window.meshwatch.snapshotCount === 1", timeout=30_000)

    page.select_option("#mw-graph-type", "app")
    page.wait_for_function(
        """() => window.meshwatch.snapshotCount === 2 &&
                 window.meshwatch.cy.nodes().some(n => n.id().startsWith('app:'))""",
        timeout=15_000,
    )
    kinds = page.evaluate(
        "() => [...new Set(window.meshwatch.cy.nodes().map(n => n.data('kind')))]"
    )
    assert "workload" not in kinds

    page.locator("#mw-namespaces summary").click()
    page.locator("#mw-namespaces-list input[value='bookinfo']").check()
    page.wait_for_function("() => window.meshwatch.snapshotCount === 3", timeout=15_000)
    inside = page.evaluate(
        "() => window.meshwatch.cy.nodes().filter(n => !n.data('outside')).map(n => n.id())"
    )
    assert inside and all("bookinfo" in node_id for node_id in inside), inside
    assert "graph_type=app&namespaces=bookinfo" in page.url
    assert page.locator("#mw-status").get_attribute("data-state") == "live"
    assert page.mw_errors == [], page.mw_errors


def test_login_page_renders(demo_server, page):
    page.goto(f"{demo_server}/login/")
    assert page.locator("form.mw-form button[type=submit]").text_content() == "Log in"
    assert page.locator("#mw-anonymous-banner").count() == 1


def test_grouping_by_namespace_on_the_demo(demo_server, page, e2e_output):
    page.goto(f"{demo_server}/?group=namespace")
    page.wait_for_function(
        "() => window.meshwatch && window.meshwatch.cy && "
        "window.meshwatch.cy.nodes('.mw-group').length > 0",
        timeout=30_000,
    )
    assert page.locator("#mw-group").is_checked()
    shown = page.evaluate(
        """() => [...new Set(window.meshwatch.cy.nodes(':childless')
              .filter(n => !n.hasClass('mw-group')).map(n => n.data('parent') ?
                  window.meshwatch.view.nodes.get(n.id()).namespace : null)
              .filter(ns => ns))].sort()"""
    )
    groups = page.evaluate(
        "() => window.meshwatch.cy.nodes('.mw-group').map(g => g.data('label')).sort()"
    )
    assert groups == shown and "bookinfo" in groups, "one box per namespace shown"
    # Every node with a namespace sits in its namespace's box, and the boxes do not overlap:
    # the server lays a namespace out as one block.
    misplaced = page.evaluate(
        """() => window.meshwatch.cy.nodes().filter(n => !n.hasClass('mw-group')).filter(n => {
              const ns = window.meshwatch.view.nodes.get(n.id()).namespace;
              return ns ? n.parent().data('label') !== ns : n.parent().nonempty();
           }).map(n => n.id())"""
    )
    assert misplaced == []
    boxes = page.evaluate(
        """() => window.meshwatch.cy.nodes('.mw-group').map(g => {
              const b = g.boundingBox({includeLabels: false});
              return [b.x1, b.y1, b.x2, b.y2]; })"""
    )
    overlaps = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert overlaps == []
    # Find still works inside boxes; a click on a node in a box opens its details.
    page.fill("#mw-find", "productpage")
    page.press("#mw-find", "Enter")
    assert page.evaluate(
        f"() => window.meshwatch.cy.getElementById({json.dumps(PRODUCTPAGE)}).hasClass('mw-found')"
    )
    shot = e2e_output / "graph-grouped.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}; namespaces: {groups}")
    page.locator("#mw-group").uncheck()
    assert page.evaluate("() => window.meshwatch.cy.nodes('.mw-group').length") == 0
    assert page.mw_errors == [], page.mw_errors
