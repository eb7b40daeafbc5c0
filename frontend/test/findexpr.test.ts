import assert from "node:assert/strict";
import { test } from "node:test";

import { edgeSubject, matches, nodeSubject, parseExpr, type Expr } from "../src/findexpr";
import type { GraphEdge, GraphNode } from "../src/types";

function parsed(text: string): Expr {
  const result = parseExpr(text);
  if (!result.ok) throw new Error(result.error);
  return result.expr;
}

const reviews: GraphNode = {
  id: "workload:bookinfo/reviews-v2", kind: "workload", namespace: "bookinfo", name: "reviews-v2",
  health: "degraded", labels: { app: "reviews", version: "v2" },
  traffic: { rps_in: 12, rps_out: 3, error_ratio_in: 0.02, mtls_ratio_in: 1, p95_ms_in: 40 },
};
const ratings: GraphNode = { id: "workload:bookinfo/ratings-v1", kind: "workload", namespace: "bookinfo", name: "ratings-v1", labels: { app: "ratings" } };
const edge: GraphEdge = { id: "e1", source: reviews.id, target: ratings.id, protocol: "http", rps: 4, error_ratio: 0.005, mtls_ratio: 0.5, p95_ms: 12, health: "healthy" };
const nodes = new Map([[reviews.id, reviews], [ratings.id, ratings]]);

test("the examples of the issue parse and match", () => {
  assert.ok(matches(parsed("rps > 10"), nodeSubject(reviews)));
  assert.ok(!matches(parsed("rps > 10"), edgeSubject(edge, nodes)));
  assert.ok(matches(parsed("error > 1%"), nodeSubject(reviews)));
  assert.ok(!matches(parsed("error > 1%"), edgeSubject(edge, nodes)));
  assert.ok(matches(parsed("mtls < 100%"), edgeSubject(edge, nodes)));
  assert.ok(!matches(parsed("mtls < 100%"), nodeSubject(reviews)));
  assert.ok(matches(parsed("ns = bookinfo"), nodeSubject(ratings)));
  assert.ok(matches(parsed("label:app=reviews"), nodeSubject(reviews)));
  assert.ok(!matches(parsed("label:app=reviews"), nodeSubject(ratings)));
  assert.ok(matches(parsed("label:app=reviews"), edgeSubject(edge, nodes)), "an edge matches by either end");
});

test("percentages: 1% and 0.01 and a bare 1.5 read as ratios", () => {
  assert.deepEqual(parsed("error > 1%"), [[{ kind: "num", field: "error", op: ">", value: 0.01 }]]);
  assert.deepEqual(parsed("error > 0.01"), parsed("error > 1%"));
  assert.equal((parsed("mtls < 50")[0]?.[0] as { value: number }).value, 0.5);
  assert.equal((parsed("p95 >= 50ms")[0]?.[0] as { value: number }).value, 50);
});

test("and, comma and or combine", () => {
  assert.ok(matches(parsed("ns = bookinfo and rps > 10"), nodeSubject(reviews)));
  assert.ok(!matches(parsed("ns = bookinfo, rps > 10"), nodeSubject(ratings)));
  assert.ok(matches(parsed("rps > 10 or name = ratings-v1"), nodeSubject(ratings)));
  assert.ok(matches(parsed("ns != shop"), nodeSubject(reviews)));
  assert.ok(matches(parsed("health = DEGRADED"), nodeSubject(reviews)), "text compares case-insensitively");
});

test("bare words match names; label without value matches the key", () => {
  assert.ok(matches(parsed("review"), nodeSubject(reviews)));
  assert.ok(matches(parsed("label:version"), nodeSubject(reviews)));
  assert.ok(!matches(parsed("label:version"), nodeSubject(ratings)));
});

test("unknown numbers never match; empty matches nothing", () => {
  assert.ok(!matches(parsed("rps > 0"), nodeSubject(ratings)), "no traffic is not 0 rps > 0");
  assert.deepEqual(parsed("  "), []);
  assert.ok(!matches([], nodeSubject(reviews)));
});

test("mistakes are reported with a sentence", () => {
  for (const [text, fragment] of [
    ["rps > ten", "needs a number"],
    ["speed > 3", "unknown field"],
    ["ns > bookinfo", "= or != only"],
    ["rps >", "cannot read"],
    ["rps > 1 and", "empty condition"],
  ] as const) {
    const result = parseExpr(text);
    assert.equal(result.ok, false, text);
    if (!result.ok) assert.match(result.error, new RegExp(fragment), text);
  }
});

test("and/or inside a value are not operators", () => {
  assert.deepEqual(parsed("ns = orders"), [[{ kind: "text", field: "ns", op: "=", value: "orders" }]]);
  assert.deepEqual(parsed("name = andy"), [[{ kind: "text", field: "name", op: "=", value: "andy" }]]);
});
