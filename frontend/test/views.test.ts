// The mTLS, Insights and Inventory views' state handling and the Overview's DNS and findings
// columns, on fixture JSON shaped like the topics and REST lists (no DOM needed).
import assert from "node:assert/strict";
import { test } from "node:test";

import { FindingsState, compareFindings, filtersFromUrl, filtersToUrl, restQuery, severityCounts, topicParams, type Finding } from "../src/insights-state";
import { subjectHref } from "../src/insights-page";
import { deltaTouches, endpointsText, inventoryStateFromUrl, listUrl, PAGE_SIZE } from "../src/inventory-page";
import { mergeTrend, modeSummary, mtlsStateFromUrl, sidecarCount, sortMismatches, trendPoints, trendQuery } from "../src/mtls-page";
import { addDnsAndFindings, sortRows, summariseNamespaces } from "../src/overview-page";
import { fmtChange, fmtDuration, fmtSince, graphHref, normaliseList } from "../src/page-kit";
// Bundled in by esbuild, so the test runs from any working directory.
import fixture from "./fixtures/insights-findings.json";


test("insights filters: read from the URL, junk dropped, defaults left out of it", () => {
  const f = filtersFromUrl("?severity=critical&namespace=shop&check=dns_ndots&state=all&open=x:1");
  assert.deepEqual(f, { severity: "critical", namespace: "shop", check: "dns_ndots", state: "all", open: "x:1" });
  const junk = filtersFromUrl("?severity=fatal&namespace=%3Cimg%20src%3Dx%3E&state=maybe");
  assert.deepEqual(junk, { severity: "", namespace: "", check: "", state: "open", open: "" });
  assert.deepEqual(filtersToUrl(junk), { severity: "", namespace: "", check: "", state: "", open: "" });
  assert.deepEqual(topicParams(f, ""), { namespaces: "shop", severity: "critical", check: "dns_ndots" });
  assert.deepEqual(topicParams(junk, "a,b"), { namespaces: "a,b" }, "a limited user's scope stands in for all");
  assert.equal(restQuery(f, "").toString(), "state=resolved&namespace=shop&severity=critical&check=dns_ndots");
});

test("findings: severity then newest last_seen; a delta upserts, a removal reads as resolved", () => {
  const state = new FindingsState();
  state.applySnapshot(fixture.snapshot);
  const open = filtersFromUrl("");
  assert.deepEqual(state.visible(open).map((f) => f.id), ["endpoints:ccc", "plaintext:bbb", "dns_ndots:aaa", "cidr:ddd"]);
  assert.equal(state.meta.generated_at, "2026-11-02T14:14:00+00:00");

  state.applyDelta(fixture.delta);
  assert.deepEqual(state.visible(open).map((f) => f.id), ["dns_ndots:aaa", "plaintext:bbb", "cidr:ddd"], "the upgraded one is newest among criticals");
  assert.equal(state.liveCount, 3);
  const resolved = state.visible(filtersFromUrl("?state=resolved"));
  assert.deepEqual(resolved.map((f) => [f.id, f.state]), [["endpoints:ccc", "resolved"]], "gone from the topic: resolved, not lost");

  state.setRest(fixture.rest_resolved.results);
  const all = state.visible(filtersFromUrl("?state=all"));
  assert.deepEqual(all.map((f) => f.id), ["dns_ndots:aaa", "endpoints:ccc", "plaintext:bbb", "old:eee", "cidr:ddd"]);
  assert.deepEqual(state.visible(filtersFromUrl("?state=all&namespace=bookinfo")).map((f) => f.id), ["endpoints:ccc", "old:eee"]);
  assert.deepEqual(state.visible(filtersFromUrl("?severity=info")).map((f) => f.id), ["cidr:ddd"]);
  assert.deepEqual(state.visible(filtersFromUrl("?check=mtls_plaintext")).map((f) => f.id), ["plaintext:bbb"]);
  assert.deepEqual(severityCounts(all), { critical: 3, warning: 1, info: 1 });

  // A new snapshot (reconnect, new params) forgets what had gone.
  state.applySnapshot({ findings: [null, { id: 3 }, { id: "only" }] });
  assert.deepEqual(state.visible(filtersFromUrl("?state=resolved")).map((f) => f.id), ["old:eee"]);
  assert.deepEqual(state.visible(open).map((f) => f.id), ["only"], "malformed items are skipped");
});

test("findings the latest evaluation saw carry last_seen null: the document's seen_at stands in", () => {
  const state = new FindingsState();
  state.applySnapshot({
    seen_at: "2026-11-02T14:14:00+00:00",
    findings: [
      { id: "a", severity: "warning", last_seen: null, state: "open" },
      { id: "b", severity: "warning", last_seen: "2026-11-02T13:00:00+00:00", state: "open" },
    ],
  });
  const open = filtersFromUrl("");
  assert.deepEqual(state.visible(open).map((f) => [f.id, f.last_seen]), [
    ["a", "2026-11-02T14:14:00+00:00"],
    ["b", "2026-11-02T13:00:00+00:00"],
  ]);
  // Next cycle: "a" resolves and keeps the time it was last seen; "b" keeps its own, older one.
  state.applyDelta({ seen_at: "2026-11-02T14:14:15+00:00", upsert: { findings: [] }, remove: { findings: ["a"] } });
  const resolved = state.visible(filtersFromUrl("?state=resolved"));
  assert.deepEqual(resolved.map((f) => [f.id, f.last_seen]), [["a", "2026-11-02T14:14:00+00:00"]]);
  assert.deepEqual(state.visible(open).map((f) => [f.id, f.last_seen]), [["b", "2026-11-02T13:00:00+00:00"]]);
});

test("compareFindings is total: missing times and severities sort last, ties by id", () => {
  const items: Finding[] = [{ id: "b" }, { id: "a", severity: "info" }, { id: "c", severity: "info", last_seen: "bad" }];
  assert.deepEqual(items.sort(compareFindings).map((f) => f.id), ["a", "c", "b"]);
});

test("subject links: graph node, edge and namespace ids; inventory for pods, nodes, the cluster", () => {
  assert.equal(graphHref("workload:shop/payments"), "/?graph_type=workload&namespaces=shop&sel=node%3Aworkload%3Ashop%2Fpayments");
  assert.equal(graphHref("service:bookinfo/ratings"), "/?graph_type=service&namespaces=bookinfo&sel=node%3Aservice%3Abookinfo%2Fratings");
  const edge = new URLSearchParams(graphHref("edge:workload:a/x>workload:b/y|http")?.slice(2));
  assert.equal(edge.get("sel"), "edge:workload:a/x>workload:b/y|http");
  assert.equal(edge.get("namespaces"), "a,b", "both ends are drawn");
  const opaque = new URLSearchParams(graphHref("edge:external:0123abcd>workload:b/y")?.slice(2));
  assert.equal(opaque.get("namespaces"), "b", "an opaque end names no namespace to ask for");
  assert.equal(graphHref("namespace:shop"), "/?graph_type=workload&namespaces=shop");
  assert.equal(graphHref("pod:shop/x"), null);
  assert.equal(subjectHref({ id: "1", subject: { kind: "pod", id: "pod:shop/x", namespace: "shop" } }), "/inventory?tab=pods&namespace=shop");
  assert.equal(subjectHref({ id: "1", subject: { kind: "node", id: "node:w1" } }), "/inventory?tab=nodes");
  assert.equal(subjectHref({ id: "1", subject: { kind: "cluster", id: "cluster" } }), "/inventory?tab=cluster");
  assert.equal(subjectHref({ id: "1", subject: null }), null);
  const edgeLink = subjectHref({ id: "1", subject: { kind: "edge", id: "edge:workload:e/web>workload:e/voting", namespace: "e" }, evidence: { protocol: "grpc" } });
  assert.equal(new URLSearchParams(edgeLink?.slice(2)).get("sel"), "edge:workload:e/web>workload:e/voting|grpc", "the graph's edge id has the protocol");
});

test("times: 'since 14:02, 12 min' and durations", () => {
  const first = new Date(2026, 10, 2, 14, 2, 0).getTime();
  assert.equal(fmtSince(new Date(first).toISOString(), first + 12 * 60_000 + 5_000), "since 14:02, 12 min");
  assert.match(fmtSince(new Date(first).toISOString(), first + 26 * 3600_000), /^since 2026-11-\d\d 14:02, 1 d 2 h$/);
  assert.equal(fmtSince("nope"), "—");
  assert.equal(fmtDuration(30_000), "<1 min");
  assert.equal(fmtDuration(3 * 3600_000 + 5 * 60_000), "3 h 5 min");
  assert.equal(fmtChange(0.00823), "+0.8 pt");
  assert.equal(fmtChange(-0.1), "−10.0 pt");
  assert.equal(fmtChange(null), "—");
  assert.equal(normaliseList(" b, a,,a "), "a,b");
});

test("mTLS: URL state, trend merging, sidecars, mode summary, mismatch order", () => {
  const s = mtlsStateFromUrl("?namespaces=shop,%20bookinfo&window=1h&open=shop");
  assert.equal(s.namespaces, "bookinfo,shop");
  assert.equal(s.window, "1h");
  assert.deepEqual([...s.open], ["shop"]);
  assert.equal(mtlsStateFromUrl("?window=forever").window, "5m");
  const step = 300_000;
  const end = 1_000 * step;
  const merged = mergeTrend([{ t: end, ratio: 0.5 }, { t: end - 2 * step, ratio: 0.1 }], [{ t: end - step, ratio: null }, { t: NaN, ratio: 1 }], step);
  assert.deepEqual(merged.map((p) => p.ratio), [0.1, null, 0.5], "time order, gaps kept as null");
  const cycle = mergeTrend(merged, [{ t: end + 3_000, ratio: 0.6 }], step);
  assert.deepEqual(cycle.map((p) => p.ratio), [0.1, null, 0.6], "a cycle later: the newest bar moves, no new one");
  assert.equal(mergeTrend(cycle, [{ t: end - 3_000, ratio: 0.9 }], step).at(-1)?.ratio, 0.6, "an older point does not replace a newer");
  const later = mergeTrend(cycle, [{ t: end + step, ratio: 0.7 }], step);
  assert.deepEqual(later.map((p) => p.ratio), [0.1, null, 0.6, 0.7], "a window later: a new bar");
  assert.equal(mergeTrend(later, [], step, 2).length, 2);
  assert.deepEqual(sidecarCount({ workloads: [{ sidecar: "istio" }, { sidecar: "" }, { sidecar: "linkerd" }] }), { meshed: 2, total: 3 });
  assert.deepEqual(sidecarCount({ workloads: "broken" }), { meshed: 0, total: 0 });
  assert.equal(modeSummary({ modes: { PERMISSIVE: 6, STRICT: 1, DISABLE: 0 } }), "PERMISSIVE ×6 · STRICT ×1");
  assert.equal(modeSummary(null), "—");
  const order = sortMismatches([{ id: "b", severity: "info" }, { id: "a", severity: "warning" }, { id: "c", severity: "critical" }, { id: "d" }]);
  assert.deepEqual(order.map((m) => m.id), ["c", "a", "b", "d"]);
});

test("mTLS trend: one mesh series request for the windows before this one, its points as bars", () => {
  const end = Date.parse("2026-11-02T14:00:00Z");
  const q = trendQuery(end, 300, 12, "bookinfo,shop");
  assert.equal(q.get("scope"), "mesh");
  assert.equal(q.get("window"), "3600s");
  assert.equal(q.get("step"), "300s");
  assert.equal(q.get("at"), "2026-11-02T13:55:00.000Z", "the current window comes live, not from here");
  assert.equal(q.get("namespaces"), "bookinfo,shop");
  assert.equal(trendQuery(end, 300, 12, "").has("namespaces"), false);
  const points = trendPoints({
    series: [
      { name: "other", points: [{ end: "2026-11-02T13:50:00Z", mtls_ratio: 0.1 }] },
      { name: "mesh", points: [{ end: "2026-11-02T13:50:00Z", mtls_ratio: 0.75 }, { end: "2026-11-02T13:55:00Z", mtls_ratio: null }, { end: "junk", mtls_ratio: 1 }] },
    ],
  });
  assert.deepEqual(points, [{ t: Date.parse("2026-11-02T13:50:00Z"), ratio: 0.75 }, { t: Date.parse("2026-11-02T13:55:00Z"), ratio: null }]);
  assert.deepEqual(trendPoints({ series: "broken" }), []);
});

test("inventory: URL state, the REST URL it fetches, which deltas refresh the page", () => {
  const s = inventoryStateFromUrl("?tab=services&namespace=shop,bookinfo&labels=app%3Dweb&page=3");
  assert.deepEqual(s, { tab: "services", namespace: "bookinfo,shop", labels: "app=web", page: 3, pageSize: PAGE_SIZE });
  assert.deepEqual(inventoryStateFromUrl("?tab=secrets&page=-1&page_size=7"), { tab: "workloads", namespace: "", labels: "", page: 1, pageSize: PAGE_SIZE });
  assert.equal(inventoryStateFromUrl("?page_size=10").pageSize, 10);
  assert.equal(listUrl("/api/v1", s), `/api/v1/services?page=3&page_size=${PAGE_SIZE}&namespace=bookinfo%2Cshop&labels=app%3Dweb`);
  assert.equal(listUrl("/api/v1", { ...s, tab: "nodes" }), `/api/v1/nodes?page=3&page_size=${PAGE_SIZE}&labels=app%3Dweb`, "nodes have no namespace");
  assert.equal(listUrl("/api/v1", { ...s, tab: "cluster" }), "/api/v1/cluster");
  assert.equal(listUrl("/api/v1", { ...s, namespace: "" }, "team-a"), `/api/v1/services?page=3&page_size=${PAGE_SIZE}&namespace=team-a&labels=app%3Dweb`);
  const delta = { upsert: { pods: [{ id: "pod:a/b" }], services: [] }, remove: { services: [] } };
  assert.equal(deltaTouches("pods", delta), true);
  assert.equal(deltaTouches("services", delta), false);
  assert.equal(deltaTouches("network-policies", { remove: { network_policies: ["x"] } }), true);
  assert.equal(deltaTouches("cluster", delta), true);
  assert.equal(deltaTouches("cluster", { upsert: {}, remove: {} }), false);
  assert.equal(endpointsText({ ready: 3, not_ready: 1 }), "3/4 ready");
  assert.equal(endpointsText(undefined), "0/0 ready");
});

test("overview: DNS and findings columns per namespace, sortable, resolved ones ignored", () => {
  const graphRows = summariseNamespaces(
    [{ id: "workload:shop/a", kind: "workload", namespace: "shop", name: "a" }, { id: "workload:bookinfo/b", kind: "workload", namespace: "bookinfo", name: "b" }],
    [],
  );
  const rows = addDnsAndFindings(
    graphRows,
    [{ namespace: "shop", expected_lookups: 10, pods_amplified: 4, pods: 4 }, { namespace: "kube-system", expected_lookups: 2, pods_amplified: 0, pods: 2 }, { namespace: 7 }],
    [...fixture.snapshot.findings, ...fixture.rest_resolved.results],
  );
  const by = new Map(rows.map((r) => [r.namespace, r]));
  assert.equal(by.get("shop")?.dns_lookups, 10);
  assert.equal(by.get("shop")?.findings_critical, 1);
  assert.equal(by.get("shop")?.findings_warning, 1);
  assert.equal(by.get("shop")?.top_finding, "Plaintext into a STRICT workload");
  assert.equal(by.get("bookinfo")?.findings_warning, 0, "the resolved finding does not count");
  assert.equal(by.get("kube-system")?.workloads, 0, "a namespace only DNS knows gets a row");
  assert.equal(by.get("bookinfo")?.dns_lookups, null);
  assert.deepEqual(sortRows(rows, "findings", true).map((r) => r.namespace), ["shop", "bookinfo", "kube-system"]);
  assert.deepEqual(sortRows(rows, "dns_lookups", true).map((r) => r.namespace), ["shop", "kube-system", "bookinfo"]);
  assert.equal(graphRows.length, 2, "the graph rows are not mutated");
});
