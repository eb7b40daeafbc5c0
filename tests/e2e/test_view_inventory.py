"""The Inventory view against the real demo: every tab from REST, paging, the namespace and
label filters (a bad selector is reported, not fatal), the cluster card, live refresh, the
deep link, and hostile names and labels shown as text."""

from __future__ import annotations

import re

import pytest

from tests.e2e.view_helpers import (
    EVIL,
    EVIL_NS,
    EVIL_WORKLOAD,
    api_json,
    hostile_inventory,
    no_injected_markup,
    settle,
    shoot,
    wait_seq_increase,
    watch_dialogs,
)

pytestmark = pytest.mark.e2e


PAGE_IS = "n => document.querySelector('#mw-page-label').textContent.startsWith(`page ${n} `)"


def wait_shown(page, tab: str) -> None:
    """Until the content is the answer for `tab` (buttons switch before it arrives)."""
    page.wait_for_function(
        "t => (document.querySelector('#mw-inventory-content').dataset.shown || '')"
        ".startsWith(`/${t}`)",
        arg=tab,
    )


def table_names(page) -> list[str]:
    return page.locator("#mw-inventory-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.name)"
    )


def test_inventory_tabs_filters_and_live_refresh(demo_server, browser, page, e2e_output):
    settle(browser, demo_server)
    page.goto(f"{demo_server}/inventory?tab=services")
    page.locator("#mw-inventory-table").wait_for(timeout=30_000)
    truth = api_json(page, "/api/v1/services?page_size=1000")
    assert page.locator("#mw-inventory-summary").text_content() == (
        f"1–{truth['count']} of {truth['count']}"
    )
    details = page.locator("#mw-inventory-table tr[data-name='bookinfo/details']")
    cells = details.locator("td").all_text_contents()
    assert cells[2] == "ClusterIP" and "9080" in cells[4], cells
    assert re.fullmatch(r"\d+/\d+ ready", cells[5]) and not cells[5].startswith("0/"), cells

    # 1. The namespace filter and a label selector narrow the list and land in the URL.
    page.fill("#mw-inventory-namespace", "bookinfo")
    page.fill("#mw-inventory-labels", "app in (details,ratings)")
    page.click("#mw-inventory-filters button[type=submit]")
    page.wait_for_function("() => location.search.includes('labels=')")
    page.wait_for_function(
        "() => document.querySelectorAll('#mw-inventory-table tbody tr').length === 2"
    )
    assert sorted(table_names(page)) == ["bookinfo/details", "bookinfo/ratings"]

    # 2. A selector the server rejects is said in words; the page keeps working.
    page.fill("#mw-inventory-labels", "app in (details")
    page.click("#mw-inventory-filters button[type=submit]")
    error = page.locator("#mw-inventory-error")
    page.wait_for_function("() => document.querySelector('#mw-inventory-error').textContent")
    assert "labels" in error.text_content() and "parenthes" in error.text_content()
    assert page.locator("#mw-inventory-labels").get_attribute("aria-invalid") == "true"
    page.mw_errors[:] = [e for e in page.mw_errors if "400" not in e]  # the rejection itself

    # 3. Tabs by keyboard: arrows move between them; pods show workload, node and sidecar.
    page.fill("#mw-inventory-labels", "")
    page.click("#mw-inventory-filters button[type=submit]")
    page.click("#mw-tab-workloads")
    page.focus("#mw-tab-workloads")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('tab=pods')")
    assert page.locator("#mw-tab-pods").get_attribute("aria-selected") == "true"
    wait_shown(page, "pods")
    pod = page.locator("#mw-inventory-table tbody tr").first.locator("td").all_text_contents()
    assert pod[0] == "bookinfo" and pod[3] == "Running" and pod[8] == "istio", pod

    # 4. Nodes show their pod CIDRs; the cluster card the CNI, kube-proxy mode and DNS.
    page.click("#mw-tab-nodes")
    wait_shown(page, "nodes")
    node = page.locator("#mw-inventory-table tbody tr").first.locator("td").all_text_contents()
    assert re.match(r"10\.244\.\d+\.0/24", node[2]), node
    page.click("#mw-tab-cluster")
    wait_shown(page, "cluster")
    assert "flannel" in page.locator("#mw-cluster-cni").text_content()
    assert "iptables" in page.locator("#mw-cluster-proxy").text_content()
    assert "kube-dns" in page.locator("#mw-cluster-dns").text_content()
    assert "source: cycle" in page.locator("#mw-inventory-summary").text_content()

    # 5. Live: deltas arrive over the inventory topic.
    wait_seq_increase(page)
    shoot(page, e2e_output, "inventory.png")
    assert page.mw_errors == [], page.mw_errors


def test_inventory_paging_and_deep_link(demo_server, browser, page):
    settle(browser, demo_server)
    truth_url = "/api/v1/pods?namespace=bookinfo,shop&page_size=1000"
    page.goto(f"{demo_server}/inventory?tab=pods&namespace=bookinfo,shop&page_size=10&page=2")
    page.locator("#mw-inventory-table").wait_for(timeout=30_000)
    truth = api_json(page, truth_url)
    pages = -(-truth["count"] // 10)
    assert pages >= 2, truth["count"]
    assert page.locator("#mw-inventory-namespace").input_value() == "bookinfo,shop"
    assert page.locator("#mw-page-label").text_content() == f"page 2 of {pages}"
    expected = [f"{p['namespace']}/{p['name']}" for p in truth["results"]]
    assert table_names(page) == expected[10:20]
    assert page.evaluate("() => window.meshwatch.live.params.namespaces") == "bookinfo,shop"
    # Previous goes back a page (a history entry); Back returns to page 2.
    page.click("#mw-page-prev")
    page.wait_for_function("() => !location.search.includes('page=2')")
    page.wait_for_function(PAGE_IS, arg=1)
    assert table_names(page) == expected[:10] and page.locator("#mw-page-prev").is_disabled()
    page.go_back()
    page.wait_for_function(PAGE_IS, arg=2)
    assert page.mw_errors == [], page.mw_errors


def test_inventory_hostile_names_and_labels_are_text(
    demo_server, browser, demo_manage, page, e2e_output
):
    settle(browser, demo_server)
    watch_dialogs(page)
    with hostile_inventory(demo_manage):
        page.goto(f"{demo_server}/inventory?tab=workloads&namespace={EVIL_NS}")
        row = page.locator("#mw-inventory-table tbody tr").first
        row.wait_for(timeout=30_000)
        cells = row.locator("td").all_text_contents()
        assert cells[1] == EVIL_WORKLOAD and f"app={EVIL}" in cells[-1], cells
        page.click("#mw-tab-namespaces")
        wait_shown(page, "namespaces")
        assert f"team={EVIL}" in page.locator("#mw-inventory-table").text_content()
        no_injected_markup(page)
        shoot(page, e2e_output, "inventory-hostile.png")
    assert page.mw_errors == [], page.mw_errors
