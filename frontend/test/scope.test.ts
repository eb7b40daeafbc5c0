import assert from "node:assert/strict";
import { test } from "node:test";

import { setScopeNamespaces, wireParams } from "../src/controls";

test("a limited viewer's 'all namespaces' is sent as their namespaces", () => {
  setScopeNamespaces(["bookinfo", "shop"]);
  assert.equal(wireParams({ graph_type: "workload", namespaces: "" }).namespaces, "bookinfo,shop");
  assert.equal(wireParams({ graph_type: "workload", namespaces: "shop" }).namespaces, "shop");
  setScopeNamespaces(null);
  assert.equal(wireParams({ graph_type: "workload", namespaces: "" }).namespaces, "");
});
