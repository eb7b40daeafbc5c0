import assert from "node:assert/strict";
import { test } from "node:test";

import { CollectionState } from "../src/collections";
import { dataTime, isStale } from "../src/stale";
import { atForStep, customRange, replaySteps, stepForAt } from "../src/timepicker";
import { bucketLabel, intensity, latencyToRow } from "../src/heatmap";
import { summariseNamespaces, sortRows } from "../src/overview-page";

test("a snapshot replaces, a delta upserts and removes by id, metadata rides along", () => {
  const state = new CollectionState(["columns"]);
  state.applySnapshot({ generated_at: "t1", bounds_ms: [1, "+Inf"], columns: [{ id: "a", start: "1" }, { id: "b", start: "2" }] });
  assert.deepEqual(state.items("columns").map((c) => c.id), ["a", "b"]);
  state.applyDelta({ generated_at: "t2", upsert: { columns: [{ id: "b", start: "2", total: 5 }, { id: "c", start: "3" }] }, remove: { columns: ["a"] } });
  assert.deepEqual(state.items("columns").map((c) => c.id), ["b", "c"]);
  assert.equal(state.items("columns")[0]?.total, 5);
  assert.equal(state.meta.generated_at, "t2");
  assert.deepEqual(state.meta.bounds_ms, [1, "+Inf"]);
  state.applySnapshot({ columns: [{ id: "z", start: "9" }] });
  assert.deepEqual(state.items("columns").map((c) => c.id), ["z"], "a new snapshot forgets the old items");
  assert.equal(state.meta.generated_at, undefined);
});

test("malformed items are skipped, not fatal", () => {
  const state = new CollectionState(["alerts"]);
  state.applySnapshot({ alerts: [null, 3, { id: 7 }, { id: "ok" }] });
  assert.deepEqual(state.items("alerts").map((a) => a.id), ["ok"]);
  state.applyDelta({ upsert: { alerts: "nope" }, remove: { alerts: null } });
  assert.equal(state.size("alerts"), 1);
});

test("stale: window.end first, generated_at otherwise, past ~2.5 intervals", () => {
  const end = Date.parse("2026-11-02T14:00:00Z");
  assert.equal(dataTime({ generated_at: "2026-11-02T14:05:00Z", window: { end: "2026-11-02T14:00:00Z" } }), end);
  assert.equal(dataTime({ generated_at: "2026-11-02T14:00:00Z" }), end);
  assert.equal(dataTime({}), null);
  assert.equal(isStale(end, end + 30_000, 15), false);
  assert.equal(isStale(end, end + 38_000, 15), true);
  assert.equal(isStale(null, end, 15), false, "no data yet is not stale, only connecting");
});

test("replay slider: steps back from now, live at 0, round trip through at", () => {
  const { steps, stepMs } = replaySteps(3600, 15);
  assert.equal(steps, 240);
  assert.equal(stepMs, 15_000);
  const now = Date.parse("2026-11-02T14:00:00Z");
  assert.equal(atForStep(0, stepMs, now), undefined);
  const at = atForStep(-4, stepMs, now);
  assert.equal(at, "2026-11-02T13:59:00.000Z");
  assert.equal(stepForAt(at, stepMs, steps, now), -4);
  assert.equal(stepForAt("2026-10-01T00:00:00Z", stepMs, steps, now), -240, "clamped to the slider");
  assert.deepEqual(customRange(now - 5400_000, now), { window: "5400s", at: "2026-11-02T14:00:00.000Z" });
  assert.equal(customRange(now, now - 1), null);
});

test("heatmap geometry: bucket labels, percentile rows, intensity", () => {
  const bounds = [1, 5, 10, "+Inf"] as const;
  assert.equal(bucketLabel([...bounds], 0), "≤ 1.0 ms");
  assert.equal(bucketLabel([...bounds], 2), "5.0 ms – 10 ms");
  assert.equal(bucketLabel([...bounds], 3), "> 10 ms");
  assert.equal(latencyToRow([...bounds], 0.5), 0.5);
  assert.equal(latencyToRow([...bounds], 7.5), 2.5);
  assert.equal(latencyToRow([...bounds], 100), 3.5);
  assert.equal(intensity(0, 10, false), 0);
  assert.equal(intensity(5, 10, false), 0.5);
  assert.ok(intensity(1, 1000, true) > intensity(1, 1000, false), "log lifts small counts");
});

test("overview: per-namespace traffic in, weighted errors and mTLS, worst health, firing alerts", () => {
  const nodes = [
    { id: "a", kind: "workload", namespace: "shop", name: "a", health: "healthy" },
    { id: "b", kind: "workload", namespace: "shop", name: "b", health: "failure" },
    { id: "c", kind: "workload", namespace: "bookinfo", name: "c", health: "healthy" },
    { id: "x", kind: "unknown", namespace: "", name: "x", outside: true },
    { id: "p", kind: "service", namespace: "unknown", name: "PassthroughCluster", in_inventory: false },
    { id: "u", kind: "workload", namespace: "unknown", name: "real", in_inventory: true },
  ];
  const edges = [
    { id: "3", source: "a", target: "p", rps: 5, error_ratio: 0, mtls_ratio: 0, p95_ms: 9 },
    { id: "1", source: "a", target: "b", rps: 30, error_ratio: 0.1, mtls_ratio: 1, p95_ms: 20 },
    { id: "2", source: "c", target: "a", rps: 10, error_ratio: 0, mtls_ratio: 0, p95_ms: 90 },
  ];
  const alerts = [
    { id: "alert:1", state: "firing", subject: "workload:shop/b>workload:shop/a|http" },
    { id: "alert:2", state: "resolved", subject: "workload:shop/b" },
  ];
  const rows = summariseNamespaces(nodes, edges, alerts);
  const shop = rows.find((r) => r.namespace === "shop");
  assert.ok(shop);
  assert.equal(shop.health, "failure");
  assert.equal(shop.rps, 40);
  assert.ok(Math.abs((shop.error_ratio ?? 0) - 0.075) < 1e-9);
  assert.ok(Math.abs((shop.mtls_ratio ?? 0) - 0.75) < 1e-9);
  assert.equal(shop.p95_ms, 90);
  assert.equal(shop.firing, 1);
  const bookinfo = rows.find((r) => r.namespace === "bookinfo");
  assert.equal(bookinfo?.error_ratio, null, "no traffic in: unknown, not 0%");
  assert.deepEqual(sortRows(rows, "namespace", false).map((r) => r.namespace), ["bookinfo", "shop", "unknown"], "passthrough egress is no namespace; a real 'unknown' namespace is");
  assert.equal(rows.find((r) => r.namespace === "unknown")?.workloads, 1);
  assert.deepEqual(sortRows(rows.filter((r) => r.namespace !== "unknown"), "health", true).map((r) => r.namespace), ["shop", "bookinfo"]);
});
