"""The Insights view against the real demo: its findings in severity-then-newest order, each
expandable to evidence, book row and remedy (copied exactly), a link to the subject on the
graph, the filters in the URL, live updates, and hostile names from the cluster as text.

Needs the insights backend (GET /api/v1/insights and the `insights` topic)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.view_helpers import (
    EVIL,
    EVIL_NS,
    EVIL_SERVICE,
    api_json,
    hostile_inventory,
    no_injected_markup,
    settle,
    shoot,
    wait_seq_increase,
    watch_dialogs,
)

pytestmark = pytest.mark.e2e
RANK = {"critical": 3, "warning": 2, "info": 1}


def shown(page) -> list[dict]:
    return page.locator("#mw-insights-list details.mw-finding").evaluate_all(
        "ds => ds.map(d => ({id: d.dataset.id, severity: d.dataset.severity}))"
    )


def test_insights_view_findings_expand_copy_and_live(demo_server, browser, page, e2e_output):
    settle(browser, demo_server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{demo_server}/insights")
    page.locator("#mw-insights-list details.mw-finding").first.wait_for(timeout=45_000)
    # 1. What the page lists is what the API calls open, worst first.
    truth = api_json(page, "/api/v1/insights?state=open&page_size=1000")
    items = shown(page)
    assert {i["id"] for i in items} == {f["id"] for f in truth["results"]}, (items, truth)
    ranks = [RANK[i["severity"]] for i in items]
    assert ranks == sorted(ranks, reverse=True), ranks
    count = page.locator("#mw-insights-count").text_content()
    assert count.startswith(f"{len(items)} finding"), count
    # The check filter lists the checks by title.
    assert page.locator("#mw-insights-check option").count() > 5

    # 2. Expanding shows the message, book row, evidence, first/last seen; URL remembers it.
    first = page.locator("#mw-insights-list details.mw-finding").first
    first.locator("summary").click()
    assert first.locator(".mw-book-row").text_content().strip() not in ("", "—")
    assert re.search(
        r"since (\d{4}-\d\d-\d\d )?\d\d:\d\d, ", first.locator("summary").text_content()
    )
    opened = parse_qs(urlparse(page.url).query)["open"][0]
    assert opened == first.get_attribute("data-id"), (opened, page.url)
    # 3. A remedy snippet copies exactly.
    with_remedy = page.locator("#mw-insights-list details.mw-finding:has(.mw-copy)").first
    if not with_remedy.evaluate("d => d.open"):
        with_remedy.locator("summary").click()
    snippet = with_remedy.locator("pre").text_content()
    with_remedy.locator(".mw-copy").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#mw-insights-list .mw-copy')]"
        ".some(b => b.textContent !== 'Copy')"
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet
    # 4. A workload or service subject links to the graph with its selection.
    link = page.locator("#mw-insights-list a.mw-subject-link[href^='/?']").first
    href = link.get_attribute("href")
    assert "sel=node%3A" in href or "sel=edge%3A" in href or "namespaces=" in href, href

    # 5. Live, then a severity filter narrows the list and lands in the URL.
    wait_seq_increase(page)
    shoot(page, e2e_output, "insights.png")
    severity = items[-1]["severity"]
    page.select_option("#mw-insights-severity", severity)
    page.wait_for_function(f"() => location.search.includes('severity={severity}')")
    page.wait_for_function(
        "s => [...document.querySelectorAll('#mw-insights-list details.mw-finding')]"
        ".every(d => d.dataset.severity === s)",
        arg=severity,
    )
    assert page.evaluate("() => window.meshwatch.live.params.severity") == severity
    assert page.mw_errors == [], page.mw_errors


def test_insights_deep_link_restores_filters(demo_server, browser, page):
    settle(browser, demo_server)
    page.goto(f"{demo_server}/insights?severity=warning&namespace=shop&state=all")
    page.wait_for_function("() => window.meshwatch.snapshotCount >= 1", timeout=45_000)
    assert page.locator("#mw-insights-severity").input_value() == "warning"
    assert page.locator("#mw-insights-namespace").input_value() == "shop"
    assert page.locator("#mw-insights-state").input_value() == "all"
    params = page.evaluate("() => window.meshwatch.live.params")
    assert params["severity"] == "warning" and params["namespaces"] == "shop", params
    page.wait_for_function("() => window.meshwatch.page.restLoads >= 1", timeout=15_000)
    for item in shown(page):
        assert item["severity"] == "warning", item
    assert page.mw_errors == [], page.mw_errors


def test_insights_hostile_names_are_text(demo_server, browser, demo_manage, page, e2e_output):
    settle(browser, demo_server)
    watch_dialogs(page)
    with hostile_inventory(demo_manage):
        page.goto(f"{demo_server}/insights?namespace={EVIL_NS}")
        finding = page.locator(
            f"#mw-insights-list details.mw-finding:has-text('{EVIL_NS}/{EVIL_SERVICE}')"
        ).first
        finding.wait_for(timeout=45_000)
        finding.locator("summary").click()
        assert EVIL in finding.text_content(), "the selector is shown as it is"
        no_injected_markup(page)
        shoot(page, e2e_output, "insights-hostile.png")
    assert page.mw_errors == [], page.mw_errors
