"""The graph side panel's fetched sections against the real demo: sparklines, pods, policies,
findings, for a node and for an edge, in real Chromium."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

PRODUCTPAGE = "workload:bookinfo/productpage-v1"
SECTION = "#mw-panel-content [data-section='{}']"
# Pixels of the rps line (#2b9af3), not of the grey baseline every sparkline has.
LINE_PIXELS_JS = """(selector) => {
    const canvas = document.querySelector(selector);
    if (!canvas || !canvas.width) return -1;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 100 && data[i + 2] > 180 && data[i] < 120) n++;
    }
    return n;
}"""


def _loaded(page, name: str, timeout: int = 30_000) -> str:
    """Waits until a section is no longer loading; returns its state (or "ok") and checks it."""
    selector = SECTION.format(name)
    page.wait_for_function(
        "(s) => { const el = document.querySelector(s);"
        " return el && !el.querySelector('[data-state=loading]'); }",
        arg=selector,
        timeout=timeout,
    )
    state = page.evaluate(
        "(s) => document.querySelector(s).querySelector('[data-state]')?.dataset.state || 'ok'",
        selector,
    )
    assert state != "error", page.locator(selector).text_content()
    return state


def test_node_and_edge_panels_show_series_pods_policies_findings(demo_server, page, e2e_output):
    series_requests: list[str] = []
    page.on(
        "request", lambda r: series_requests.append(r.url) if "/api/v1/series" in r.url else None
    )
    page.goto(f"{demo_server}/")
    page.wait_for_function(
        "() => window.meshwatch && window.meshwatch.cy && window.meshwatch.cy.nodes().length > 10",
        timeout=60_000,
    )

    # 1. Clicking productpage-v1 opens its panel with sparklines drawn from /api/v1/series.
    box = page.locator("#mw-graph").bounding_box()
    pos = page.evaluate(
        f"() => window.meshwatch.cy.getElementById({json.dumps(PRODUCTPAGE)}).renderedPosition()"
    )
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator("#mw-panel-content h2").wait_for(timeout=15_000)
    assert page.locator("#mw-panel-content h2").text_content() == "productpage-v1"
    assert _loaded(page, "series") == "ok"
    for metric in ("rps", "rps_out", "error_ratio", "p95_ms", "mtls_ratio"):
        assert (
            page.locator(f"{SECTION.format('series')} canvas[data-metric='{metric}']").count() == 1
        )
    drawn = page.evaluate(LINE_PIXELS_JS, f"{SECTION.format('series')} canvas[data-metric='rps']")
    assert drawn > 20, f"the rps sparkline has {drawn} line pixels"
    latest = page.locator(f"{SECTION.format('series')} [data-metric='rps'] .mw-spark-value")
    assert latest.text_content().endswith("rps")

    # 2. Its pods, the policies that select it, and its findings (or a marked gap).
    assert _loaded(page, "pods") == "ok"
    pods = page.locator(f"{SECTION.format('pods')} [data-pod]")
    assert pods.count() >= 1
    first_pod = pods.first.text_content()
    assert first_pod.startswith("productpage-v1-"), first_pod
    assert _loaded(page, "policies") in ("ok", "empty")
    assert _loaded(page, "findings") in ("ok", "empty", "unavailable")

    page.locator(SECTION.format("findings")).scroll_into_view_if_needed()  # sparklines to findings
    shot = e2e_output / "graph-panel.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")

    # 3. An outbound edge from the list: the edge panel, with its own series.
    page.locator("#mw-panel-content [data-edge-id]").first.click()
    page.wait_for_function(
        "() => document.querySelector('#mw-panel-content .mw-panel-body')?.dataset.kind === 'edge'"
    )
    edge_id = page.locator("#mw-panel-content .mw-panel-body").get_attribute("data-id")
    assert PRODUCTPAGE in edge_id.split("|")[0].split(">")
    assert _loaded(page, "series") == "ok"
    edge_line = page.evaluate(
        LINE_PIXELS_JS, f"{SECTION.format('series')} canvas[data-metric='rps']"
    )
    assert edge_line > 20
    assert page.locator(SECTION.format("pods")).count() == 0, "an edge has no pods of its own"
    assert any("edge=" in url for url in series_requests)
    page.screenshot(path=str(e2e_output / "graph-panel-edge.png"))

    # 4. Clicking quickly: only the last selection's answers land, and nothing is left loading.
    ids = page.evaluate(
        "() => [...window.meshwatch.view.nodes.keys()]"
        ".filter(i => i.startsWith('workload:')).slice(0, 6)"
    )
    for node_id in ids:
        page.evaluate("(id) => window.meshwatch.select({group: 'node', id})", node_id)
    page.wait_for_function(
        "(id) => document.querySelector('#mw-panel-content .mw-panel-body')?.dataset.id === id",
        arg=ids[-1],
    )
    assert _loaded(page, "series") == "ok"
    assert _loaded(page, "pods") in ("ok", "empty")

    # 5. A new time window refetches the series for it.
    page.select_option("#mw-window", "15m")
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some("
        "e => e.name.includes('/api/v1/series') && e.name.includes('window=15m'))",
        timeout=20_000,
    )
    assert _loaded(page, "series") == "ok"
    assert page.mw_errors == [], page.mw_errors


def _point(minute: int, rps: float) -> dict:
    return {"start": f"2026-11-02T13:{minute:02d}:00+00:00",
            "end": f"2026-11-02T13:{minute + 1:02d}:00+00:00", "covered_s": 60,
            "requests": rps * 60, "rps": rps, "error_ratio": 0.01, "p95_ms": 40.0,
            "mtls_ratio": 1.0}  # fmt: skip


def test_hostile_panel_data_is_text_and_failures_are_marked(page, built_bundle):
    from tests.e2e.test_graph_harness import (
        EVIL,
        EVIL_NAME,
        ORIGIN,
        A,
        FakeLive,
        click_node,
        rendered_page_html,
        serve_harness,
    )  # fmt: skip

    points = [_point(m, r) for m, r in ((50, 1.0), (51, 3.0), (52, 2.0))]
    finding = {"id": "f1", "check": "c", "severity": "warning", "title": EVIL_NAME,
               "message": EVIL_NAME, "subject": {"kind": "workload", "id": EVIL}}  # fmt: skip
    other = {**finding, "id": "f2", "subject": {"kind": "workload", "id": A}}
    api = {
        "/api/v1/series": {"step_s": 60, "series": [{"name": "inbound", "points": points},
                                                    {"name": "outbound", "points": points}]},
        "/api/v1/pods": {"count": 1, "results": [{
            "namespace": "evil", "name": EVIL_NAME, "ready": True, "node": EVIL_NAME,
            "ip": "10.0.0.9", "restarts": 2, "labels": {"app": EVIL_NAME},
            "mesh": {"sidecar": EVIL_NAME}}]},
        "/api/v1/network-policies": {"results": [
            {"namespace": "evil", "name": EVIL_NAME, "pod_selector": {}, "policy_types": []}]},
        "/api/v1/mesh-policies": {"results": [
            {"namespace": "evil", "name": "pa", "kind": "PeerAuthentication", "mesh": "istio",
             "spec": {"selector": {"app": EVIL_NAME}, "mode": EVIL_NAME}}]},
        "/api/v1/services": {"results": [{"name": EVIL_NAME, "selector": {"app": EVIL_NAME}}]},
        "/api/v1/insights": {"count": 2, "results": [finding, other]},
    }  # fmt: skip
    live = FakeLive()
    serve_harness(page, rendered_page_html(), live, api=api)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.meshwatch && window.meshwatch.snapshotCount === 1")

    click_node(page, EVIL)
    for name in ("series", "pods", "policies", "findings"):
        assert _loaded(page, name) == "ok", name
    text = page.locator("#mw-panel-content .mw-panel-live").text_content()
    assert text.count(EVIL_NAME) >= 5  # pod, node, sidecar, two policies, finding
    assert page.locator(f"{SECTION.format('findings')} li").count() == 1, "only its own findings"
    assert page.locator(f"{SECTION.format('policies')} li").count() == 2
    assert page.locator("img, b").count() == 0, "server strings must never become elements"
    assert page.evaluate("() => window.__xss") is None
    drawn = page.evaluate(LINE_PIXELS_JS, f"{SECTION.format('series')} canvas[data-metric='rps']")
    assert drawn > 10
    assert page.mw_errors == [], page.mw_errors

    # The server refuses the series and has no insights yet: each section says so.
    page.route(f"{ORIGIN}/api/v1/series*", lambda route: route.fulfill(
        status=403, content_type="application/json",
        body=json.dumps({"detail": "you may not see namespace evil"})))  # fmt: skip
    page.route(f"{ORIGIN}/api/v1/insights*", lambda r: r.fulfill(status=404, body=b"not found"))
    click_node(page, A)
    page.wait_for_function(
        "(s) => document.querySelector(s)?.querySelector('[data-state=error]')",
        arg=SECTION.format("series"),
    )
    assert "you may not see namespace evil" in page.locator(SECTION.format("series")).text_content()
    page.wait_for_function(
        "(s) => document.querySelector(s)?.querySelector('[data-state=unavailable]')",
        arg=SECTION.format("findings"),
    )
    assert "findings unavailable" in page.locator(SECTION.format("findings")).text_content()
