import assert from "node:assert/strict";
import { test } from "node:test";

import { stateFromUrl, urlWithState } from "../src/controls";
import { edgeLabel, edgeWidth } from "../src/graph";
import { stylesheet } from "../src/style";

test("grouping by namespace rides in the URL and back", () => {
  const state = stateFromUrl("?graph_type=app&group=namespace&find=rps%20%3E%201");
  assert.equal(state.group, true);
  assert.equal(stateFromUrl("?group=yes").group, false, "only the documented value turns it on");
  const href = urlWithState("http://x.test/", state);
  assert.ok(href.includes("group=namespace"), href);
  assert.equal(stateFromUrl(new URL(href).search).group, true);
  assert.ok(!urlWithState("http://x.test/?group=namespace", { ...state, group: false }).includes("group="));
});

test("edge width: log of rps in half-pixel steps, so a 10 % change rarely restyles", () => {
  assert.equal(edgeWidth(null), 1);
  assert.equal(edgeWidth(-3), 1);
  assert.equal(edgeWidth(1e9), 9);
  for (const rps of [0.1, 3, 47, 1000]) assert.equal(edgeWidth(rps) * 2, Math.round(edgeWidth(rps) * 2));
  const moved = [1, 5, 12, 30, 49].filter((rps) => edgeWidth(rps) !== edgeWidth(rps * 1.1));
  assert.ok(moved.length < 3, `widths moved for ${moved.join(", ")}`);
  assert.equal(edgeLabel({ id: "e", source: "a", target: "b", rps: 12.5, mtls_ratio: 1 }, "rps"), "\u{1F512} 12.5 rps");
});

type Rule = { selector: string; style: Record<string, unknown> };

test("stylesheet: classes, not data selectors; a large graph zoomed out labels only what is looked at", () => {
  const small = stylesheet("light") as unknown as Rule[];
  assert.ok(small.every((r) => !r.selector.includes("[")), "no data selector: a restyle is a class lookup");
  assert.equal(small.find((r) => r.selector === "edge")?.style.label, "data(label)");
  assert.equal(small.find((r) => r.selector === "edge")?.style["curve-style"], "bezier");
  const large = stylesheet("dark", { labels: false, large: true }) as unknown as Rule[];
  assert.equal(large.find((r) => r.selector === "edge")?.style.label, undefined);
  assert.equal(large.find((r) => r.selector === "node")?.style.label, undefined);
  assert.equal(large.find((r) => r.selector === "edge")?.style["curve-style"], "straight");
  assert.equal(large.find((r) => r.selector === "edge")?.style["target-arrow-shape"], "none");
  assert.equal(large.find((r) => r.selector.startsWith("edge.mw-near"))?.style["target-arrow-shape"], "triangle");
  assert.equal(large.find((r) => r.selector.startsWith("edge.mw-near"))?.style.label, "data(label)");
  assert.equal(large.find((r) => r.selector.startsWith("node.mw-near"))?.style.label, "data(label)");
  assert.equal(large.find((r) => r.selector === "node.mw-group")?.style.label, "data(label)", "namespaces stay named");
});
