"""The mTLS view against the real demo: real coverage numbers, expandable namespaces, the
mismatches' YAML copied exactly, live updates, the deep link, hostile names as text."""

from __future__ import annotations

import re

import pytest

from tests.e2e.view_helpers import (
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


def test_mtls_view_coverage_mismatches_and_live(demo_server, browser, page, e2e_output):
    settle(browser, demo_server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{demo_server}/mtls")
    row = page.locator("#mw-mtls-table tr[data-namespace='bookinfo']")
    row.wait_for(timeout=30_000)
    # 1. The numbers are the API's: the mesh-wide share and bookinfo's row.
    truth = api_json(page, "/api/v1/mtls?window=5m")
    mesh = page.locator("#mw-mtls-mesh-ratio").text_content()
    assert re.fullmatch(r"\d+(\.\d)?%", mesh), mesh
    assert abs(float(mesh.rstrip("%")) - truth["mesh_wide"]["observed_ratio"] * 100) < 5
    cells = row.locator("td").all_text_contents()
    assert cells[1] == "istio" and "PERMISSIVE" in cells[2], cells
    assert cells[3].endswith("%") and int(cells[4]) > 0, cells
    assert re.fullmatch(r"\d+ of \d+", cells[7]), cells
    # 2. Expanding shows the workloads with intended mode, observed share and sidecar.
    row.locator("button.mw-toggle").click()
    workload = page.locator("#mw-mtls-table tr[data-workload='workload:bookinfo/productpage-v1']")
    workload.wait_for()
    assert "istio" in workload.text_content() and "%" in workload.text_content()
    assert "open=bookinfo" in page.url
    # 3. Mismatches carry evidence and YAML; Copy puts exactly the YAML on the clipboard.
    mismatch = page.locator("#mw-mtls-mismatches article.mw-mismatch").first
    mismatch.wait_for()
    yaml = mismatch.locator("pre").text_content()
    assert "apiVersion:" in yaml and "kind:" in yaml, yaml
    mismatch.locator("button.mw-copy").click()
    page.wait_for_function(
        "() => document.querySelector('#mw-mtls-mismatches .mw-copy').textContent !== 'Copy'"
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == yaml
    mismatch.locator("summary").click()
    assert mismatch.locator("dl.mw-evidence dt").count() > 0
    # 4. Live: a delta arrives; the trend got its past windows from REST and grows.
    wait_seq_increase(page)
    page.wait_for_function(
        "() => Number(document.querySelector('#mw-mtls-trend').dataset.points) > 3",
        timeout=15_000,
    )
    shoot(page, e2e_output, "mtls.png")
    assert page.mw_errors == [], page.mw_errors


def test_mtls_deep_link_restores_filters(demo_server, browser, page):
    settle(browser, demo_server)
    page.goto(f"{demo_server}/mtls?namespaces=shop&window=15m&open=shop")
    page.locator("#mw-mtls-table tr[data-namespace='shop']").wait_for(timeout=30_000)
    assert page.locator("#mw-mtls-namespaces").input_value() == "shop"
    assert page.locator("#mw-mtls-window").input_value() == "15m"
    names = page.locator("#mw-mtls-table tr.mw-ns-row").evaluate_all(
        "rows => rows.map(r => r.dataset.namespace)"
    )
    assert names == ["shop"], names
    assert page.locator("#mw-mtls-table tr.mw-wl-row").count() > 0, "shop stays expanded"
    assert page.evaluate("() => window.meshwatch.live.params.window") == "15m"
    # Changing the window is a new history entry and a new subscription.
    snapshots = page.evaluate("() => window.meshwatch.snapshotCount")
    page.select_option("#mw-mtls-window", "1h")
    page.wait_for_function(f"() => window.meshwatch.snapshotCount > {snapshots}", timeout=15_000)
    assert "window=1h" in page.url and "namespaces=shop" in page.url
    assert page.mw_errors == [], page.mw_errors


def test_mtls_hostile_workload_name_is_text(demo_server, browser, demo_manage, page, e2e_output):
    settle(browser, demo_server)
    watch_dialogs(page)
    with hostile_inventory(demo_manage):
        page.goto(f"{demo_server}/mtls?namespaces={EVIL_NS}&open={EVIL_NS}")
        cell = page.locator("#mw-mtls-table tr.mw-wl-row td").first
        cell.wait_for(timeout=30_000)
        assert cell.text_content() == f"{EVIL_NS}/{EVIL_WORKLOAD}"
        no_injected_markup(page)
        shoot(page, e2e_output, "mtls-hostile.png")
    assert page.mw_errors == [], page.mw_errors
