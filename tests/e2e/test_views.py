"""Every view against the real demo: loads without console errors, shows real numbers, updates
live (seq goes up), keeps its state in the URL; plus the graph's replay, find/hide and export.

Each test saves a screenshot of its view under the test output folder (see conftest).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.e2e

PRODUCTPAGE = "workload:bookinfo/productpage-v1"
DETAILS_EDGE = "workload:bookinfo/productpage-v1>workload:bookinfo/details-v1|http"
LIVE_TIMEOUT_MS = 60_000  # several 3 s cycles, each also rebuilding every open view on SQLite


def wait_seq_increase(page, timeout: int = LIVE_TIMEOUT_MS) -> None:
    """The page's main subscription applies one more delta than it had when this was called.

    Counting deltas, not comparing seqs alone: right after a params change lastSeq is null
    until the new snapshot comes (null < any seq), and a snapshot is not a delta.
    """
    seq0, deltas0 = page.evaluate("() => [window.meshwatch.lastSeq, window.meshwatch.deltaCount]")
    page.wait_for_function(
        "([seq0, deltas0]) => window.meshwatch.deltaCount > deltas0"
        " && (seq0 === null || window.meshwatch.lastSeq > seq0)",
        arg=[seq0, deltas0],
        timeout=timeout,
    )


def shoot(page, e2e_output, name: str) -> None:
    path = e2e_output / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def test_graph_deep_link_find_replay_and_back(demo_server, page, e2e_output):
    # 1. A link restores namespaces, selection and the find box.
    page.goto(
        f"{demo_server}/?graph_type=workload&namespaces=bookinfo"
        f"&sel=node:{PRODUCTPAGE}&find=label%3Aapp%3Dreviews"
    )
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    assert page.locator("#mw-namespaces-summary").text_content() == "bookinfo"
    assert page.locator("#mw-find").input_value() == "label:app=reviews"
    page.locator("#mw-panel-content h2").wait_for(timeout=15_000)
    assert page.locator("#mw-panel-content h2").text_content() == "productpage-v1"
    found = page.evaluate("() => window.meshwatch.cy.nodes('.mw-found').length")
    dimmed = page.evaluate("() => window.meshwatch.cy.$('.mw-dimmed').length")
    assert found >= 2 and dimmed > 0, (found, dimmed)  # the reviews versions only

    # 2. Hide and "only problems" take elements off the screen; a typo is reported.
    total = page.evaluate("() => window.meshwatch.view.visibleIds().nodes.length")
    page.fill("#mw-hide", "name = details-v1")
    page.press("#mw-hide", "Enter")
    visible = page.evaluate("() => window.meshwatch.view.visibleIds().nodes")
    assert "workload:bookinfo/details-v1" not in visible and len(visible) == total - 1
    page.fill("#mw-hide", "rps >> 1")
    assert "hide:" in page.locator("#mw-find-error").text_content()
    page.fill("#mw-hide", "")
    page.press("#mw-hide", "Enter")
    assert "hide=" not in page.url

    # 3. The replay slider pins the graph in the past: a new snapshot, different numbers.
    live_edges = page.evaluate(
        "() => Object.fromEntries([...window.meshwatch.view.edges].map(([k, e]) => [k, e.rps]))"
    )
    snapshots = page.evaluate("() => window.meshwatch.snapshotCount")
    page.locator("#mw-replay").evaluate(
        "el => { el.value = String(Number(el.min) + Math.round(-Number(el.min) * 0.9));"
        " el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_function(f"() => window.meshwatch.snapshotCount > {snapshots}", timeout=15_000)
    at = parse_qs(urlparse(page.url).query)["at"][0]
    assert page.locator("#mw-status").get_attribute("data-replay") == "true"
    assert "data as of" in page.locator("#mw-status-updated").text_content()
    assert page.locator("#mw-replay-label").text_content().startswith("at ")
    past_edges = page.evaluate(
        "() => Object.fromEntries([...window.meshwatch.view.edges].map(([k, e]) => [k, e.rps]))"
    )
    common = set(live_edges) & set(past_edges)
    assert common and any(live_edges[k] != past_edges[k] for k in common), (at, past_edges)
    shoot(page, e2e_output, "graph-replay.png")

    # 4. Back returns to live (no `at`), forward to the same past picture.
    page.go_back()
    page.wait_for_function("() => !location.search.includes('at=')")
    page.wait_for_function(
        "() => document.querySelector('#mw-status').dataset.replay === 'false'", timeout=10_000
    )
    page.go_forward()
    page.wait_for_function("() => location.search.includes('at=')")
    assert page.locator("#mw-live").is_enabled()
    page.click("#mw-live")
    page.wait_for_function("() => !location.search.includes('at=')")
    # The answers to the back/forward subscribes may still be in flight here; the page must
    # take only the newest (live) subscription's frames, so live deltas apply again.
    wait_seq_increase(page)
    assert page.evaluate("() => 'at' in window.meshwatch.live.params") is False
    assert page.mw_errors == [], page.mw_errors


class SlowSocket:
    """Routes the page's live socket and holds the server's frames while `hold` is set."""

    def __init__(self) -> None:
        self.hold = False
        self.held: list[str] = []
        self.client = None

    def route(self, ws) -> None:
        server = ws.connect_to_server()
        self.client = ws
        ws.on_message(server.send)
        server.on_message(self._from_server)

    def _from_server(self, message) -> None:
        if self.hold:
            self.held.append(message)
        else:
            self.client.send(message)

    def snapshots_held(self) -> int:
        return sum(json.loads(m).get("type") == "snapshot" for m in self.held)

    def release(self, snapshots: int | None = None) -> None:
        """Deliver held frames in order: all of them, or up to and including the n-th snapshot.

        Frames arriving meanwhile join the queue, so order holds; lift `hold` only after.
        """
        while self.held and snapshots != 0:
            message = self.held.pop(0)
            if snapshots is not None and json.loads(message).get("type") == "snapshot":
                snapshots -= 1
            self.client.send(message)


def test_graph_ignores_late_answers_to_replaced_subscribes(demo_server, page):
    """Live → pinned → live faster than the server answers: only the last answer counts.

    The pinned view counts its seqs from its own start, far above the live view's; taking its
    late snapshot as the base made the page drop every live delta as already seen.
    """
    slow = SlowSocket()
    page.route_web_socket(re.compile(r".*/ws/v1/live$"), slow.route)
    page.goto(f"{demo_server}/?graph_type=workload&namespaces=bookinfo")
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    page.locator("#mw-replay").evaluate(
        "el => { el.value = String(Math.round(Number(el.min) / 2));"
        " el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 2", timeout=15_000)
    slow.hold = True
    page.go_back()
    page.wait_for_function("() => !location.search.includes('at=')")
    page.go_forward()
    page.wait_for_function("() => location.search.includes('at=')")
    page.click("#mw-live")
    page.wait_for_function("() => !location.search.includes('at=')")
    for _ in range(150):
        if slow.snapshots_held() >= 3:
            break
        page.wait_for_timeout(100)
    assert slow.snapshots_held() == 3, slow.held
    slow.release(snapshots=2)  # the replaced live and pinned subscribes' answers
    page.wait_for_timeout(300)
    assert page.evaluate("() => [window.meshwatch.lastSeq, window.meshwatch.snapshotCount]") == [
        None, 2], "a replaced subscribe's snapshot was taken"
    slow.release()
    slow.hold = False
    wait_seq_increase(page)
    assert page.mw_errors == [], page.mw_errors


def test_graph_export_png_and_json(demo_server, page, e2e_output, tmp_path):
    page.goto(f"{demo_server}/?namespaces=bookinfo")
    page.wait_for_function("() => window.meshwatch.cy.nodes().length > 3", timeout=30_000)
    with page.expect_download() as png:
        page.click("#mw-export-png")
    png_path = tmp_path / png.value.suggested_filename
    png.value.save_as(png_path)
    assert png_path.suffix == ".png" and png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as js:
        page.click("#mw-export-json")
    json_path = tmp_path / js.value.suggested_filename
    js.value.save_as(json_path)
    exported = json.loads(json_path.read_text())
    assert exported["params"]["namespaces"] == "bookinfo"
    assert any(n["id"] == PRODUCTPAGE for n in exported["nodes"])
    assert all("position" in n for n in exported["nodes"]) and exported["edges"]
    shoot(page, e2e_output, "graph-export.png")
    print(f"exports: {png_path} ({png_path.stat().st_size} B), {json_path}")
    assert page.mw_errors == [], page.mw_errors


def test_overview_lists_namespaces_sorts_and_links(demo_server, page, e2e_output):
    page.goto(f"{demo_server}/overview")
    row = page.locator("#mw-overview-table tr[data-namespace='bookinfo']")
    row.wait_for(timeout=30_000)
    cells = row.locator("td").all_text_contents()
    assert re.search(r"\d rps", cells[3]), cells
    assert cells[6].endswith("%"), cells
    # DNS: what one external-name lookup costs a bookinfo pod (ndots:5 and its search path).
    page.wait_for_function(
        "() => window.meshwatch.page.dnsLive.snapshotCount >= 1"
        " && window.meshwatch.page.insightsLive.snapshotCount >= 1",
        timeout=30_000,
    )
    cells = row.locator("td").all_text_contents()
    assert re.match(r"×\d+ \(\d+/\d+ pods\)", cells[8]), cells
    findings = row.locator("td[data-col='findings']").text_content()
    assert findings == "none" or re.search(r"\d+ (critical|warning|info)", findings), findings
    wait_seq_increase(page)
    assert page.evaluate("() => window.meshwatch.page.alertsLive.snapshotCount") == 1, (
        "alerts ride the same socket"
    )
    page.click("button[data-sort='findings']")
    assert "sort=findings&dir=desc" in page.url
    assert row.locator("a[data-view='mtls']").get_attribute("href") == "/mtls?namespaces=bookinfo"
    assert row.locator("a[data-view='insights']").get_attribute("href") == (
        "/insights?namespace=bookinfo"
    )
    page.click("button[data-sort='namespace']")  # names sort A→Z first, numbers largest first
    names = page.locator("#mw-overview-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.namespace)"
    )
    assert names == sorted(names), names
    assert "sort=namespace&dir=asc" in page.url
    shoot(page, e2e_output, "overview.png")
    row.locator("td").first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/\?namespaces=bookinfo"))
    page.wait_for_function("() => window.meshwatch.cy && window.meshwatch.cy.nodes().length > 0")
    inside = page.evaluate(
        "() => window.meshwatch.cy.nodes().filter(n => !n.data('outside')).map(n => n.id())"
    )
    assert inside and all(":bookinfo/" in i for i in inside)
    assert page.mw_errors == [], page.mw_errors


def test_heatmap_from_the_side_panel_hover_and_live(demo_server, page, e2e_output):
    page.goto(f"{demo_server}/?namespaces=bookinfo")
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    page.evaluate("id => window.meshwatch.select({group: 'edge', id})", DETAILS_EDGE)
    page.click("#mw-open-heatmap")
    page.wait_for_url(re.compile(r"/heatmap\?edge="))
    page.wait_for_function(
        "() => window.meshwatch.page && window.meshwatch.page.chart.columns.length > 5",
        timeout=30_000,
    )
    assert "productpage-v1" in page.locator("#mw-heatmap-subject").text_content()
    total = page.locator("#mw-heatmap-total").text_content()
    assert re.match(r"[\d,]+ requests", total) and not total.startswith("0 "), total
    # Hover the busiest cell of the newest column: the tooltip names its bucket and count.
    spot = page.evaluate(
        """() => { const c = window.meshwatch.page.chart; const i = c.columns.length - 1;
                   const counts = c.columns[i].counts;
                   const b = counts.indexOf(Math.max(...counts));
                   return c.cellCentre(i, b); }"""
    )
    box = page.locator("#mw-heatmap").bounding_box()
    page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"])
    tip = page.locator("#mw-heatmap-tip")
    tip.wait_for(state="visible")
    assert re.search(r"ms · [\d.]+ requests", tip.text_content()), tip.text_content()
    draws = page.evaluate("() => window.meshwatch.page.chart.draws")
    page.check("#mw-heatmap-log")
    assert page.evaluate("() => window.meshwatch.page.chart.log") is True
    assert page.evaluate("() => window.meshwatch.page.chart.draws") > draws
    assert "log=1" in page.url
    wait_seq_increase(page)
    shoot(page, e2e_output, "heatmap.png")
    # The deep link restores the subject and the scale.
    page.reload()
    page.wait_for_function(
        "() => window.meshwatch.page.chart.columns.length > 5 && window.meshwatch.page.chart.log",
        timeout=30_000,
    )
    assert page.mw_errors == [], page.mw_errors


def test_dns_view_shows_servers_upstreams_and_remedies(demo_server, page, e2e_output):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{demo_server}/dns")
    page.locator("#mw-dns-servers-table").wait_for(timeout=30_000)
    server = page.locator("#mw-dns-servers-table tbody tr").first.locator("td").all_text_contents()
    assert server[0].startswith("dns://") and re.search(r"\d rps", server[2]), server
    assert "NOERROR" in server[3] and server[7].endswith("%"), server
    assert page.locator("#mw-dns-upstreams-table tbody tr").count() >= 1
    assert "healthy" in page.locator("#mw-dns-upstreams-table").text_content()
    assert page.locator("#mw-dns-namespaces tr").count() > 1
    assert page.locator("#mw-dns-multiplier").text_content().startswith("×")
    assert "ndots" in page.locator("#mw-dns-method").text_content()
    snippet = page.locator("#mw-remedy-dns_config pre").text_content()
    assert "dnsConfig:" in snippet and "ndots" in snippet
    page.click("#mw-remedy-dns_config button.mw-copy")
    page.wait_for_function(
        "() => document.querySelector('#mw-remedy-dns_config .mw-copy').textContent !== 'Copy'"
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet
    page.wait_for_function("() => window.meshwatch.page.chart.columns.length > 5")
    wait_seq_increase(page)
    shoot(page, e2e_output, "dns.png")
    assert page.mw_errors == [], page.mw_errors


def test_alerts_view_live_alerts_and_rules_through_the_api(
    demo_server, demo_manage, page, e2e_output
):
    # A signed-in operator (the demo is read-only for anonymous visitors).
    demo_manage(
        "shell", "-c",
        "from django.contrib.auth import get_user_model as g; U = g();"
        "u = U.objects.filter(username='e2e-sre').first() or U(username='e2e-sre');"
        "u.is_staff = u.is_superuser = True; u.set_password('e2e-password-1'); u.save()",
    )
    page.goto(f"{demo_server}/login/?next=/alerts")
    page.fill("input[name=username]", "e2e-sre")
    page.fill("input[name=password]", "e2e-password-1")
    page.click("form.mw-form button[type=submit]")
    page.wait_for_url(re.compile(r"/alerts$"))
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    page.locator("#mw-rules-list").wait_for()

    # 1. Create a rule through the form (POST with CSRF): the demo's small error ratios fire it.
    page.fill("#mw-rule-form input[name=name]", "e2e any edge errors")
    page.select_option("#mw-rule-form select[name=kind]", "edge_error_ratio")
    page.fill("#mw-rule-form input[name=threshold]", "0.0001")
    page.fill("#mw-rule-form input[name=window_seconds]", "60")
    page.click("#mw-rule-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#mw-alerts-message').textContent.includes('created')"
    )
    rule_row = page.locator("#mw-rules-table tr", has_text="e2e any edge errors")
    rule_row.wait_for()

    # 2. Its alerts arrive live over the alerts topic.
    # (Other tests' rules may fire in the same demo: this rule's own alert is the one.)
    ours = page.locator("#mw-alerts-table tr[data-state='firing']", has_text="e2e any edge errors")
    ours.first.wait_for(timeout=LIVE_TIMEOUT_MS)
    assert "workload:" in ours.first.text_content()
    assert page.evaluate("() => window.meshwatch.deltaCount") > 0

    # 3. Mute it for an hour, then unmute.
    rule_row.locator("button").click()
    page.wait_for_function(
        "() => document.querySelector('#mw-alerts-message').textContent.includes('muted')"
    )
    rule_row = page.locator("#mw-rules-table tr", has_text="e2e any edge errors")
    assert "until" in rule_row.text_content()
    shoot(page, e2e_output, "alerts.png")
    rule_row.locator("button").click()
    page.wait_for_function(
        "() => document.querySelector('#mw-alerts-message').textContent.includes('unmuted')"
    )
    assert page.mw_errors == [], page.mw_errors


def test_anonymous_alerts_view_is_read_only(demo_server, page):
    page.goto(f"{demo_server}/alerts")
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    assert page.locator("#mw-rule-form fieldset").get_attribute("disabled") is not None
    assert page.locator("#mw-rule-form input[name=name]").is_disabled()
    assert "log in" in page.locator("#mw-rule-form legend").text_content()
    page.locator("#mw-receivers-list p, #mw-receivers-list section").first.wait_for()
    assert page.mw_errors == [], page.mw_errors


def test_theme_toggle_and_nav(demo_server, page, e2e_output):
    page.goto(f"{demo_server}/")
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    before = page.evaluate("() => document.documentElement.dataset.theme")
    page.click("#mw-theme-toggle")
    after = page.evaluate("() => document.documentElement.dataset.theme")
    assert {before, after} == {"light", "dark"}
    page.reload()
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=30_000)
    assert page.evaluate("() => document.documentElement.dataset.theme") == after, "remembered"
    if after == "light":
        page.click("#mw-theme-toggle")
    shoot(page, e2e_output, "graph-dark.png")
    links = page.locator(".mw-nav a").all_text_contents()
    assert [t.strip() for t in links] == [
        "Overview", "Graph", "Heatmap", "DNS", "Alerts", "mTLS", "Insights", "Inventory",
    ]
    assert page.locator(".mw-nav a.active").text_content().strip() == "Graph"
    assert page.mw_errors == [], page.mw_errors
