import assert from "node:assert/strict";
import { test } from "node:test";

import {
  edgeSubjectIds,
  findingsFor,
  labelSelectorMatches,
  podsUrl,
  policiesFor,
  RefreshGate,
  seriesUrl,
  type MeshPolicy,
  type NetworkPolicy,
} from "../src/panel-data";
import { scaleSeries, segments } from "../src/sparkline";

test("sparkline scaling: zero at the bottom, the largest value at the top, x evenly spread", () => {
  const { points, min, max } = scaleSeries([0, 5, 10], 104, 24, { pad: 2 });
  assert.equal(min, 0);
  assert.equal(max, 10);
  assert.deepEqual(points, [
    [2, 22],
    [52, 12],
    [102, 2],
  ]);
});

test("sparkline scaling: gaps stay gaps, a flat series sits in the middle, one point is centred", () => {
  const gappy = scaleSeries([1, null, 3, undefined, Number.NaN, 2], 100, 20);
  assert.equal(gappy.points[1], null);
  assert.equal(gappy.points[3], null);
  assert.equal(gappy.points[4], null, "NaN is not a value");
  assert.deepEqual(segments(gappy.points).map((run) => run.length), [1, 1, 1]);
  const flat = scaleSeries([0, 0, 0], 60, 20);
  assert.ok(flat.points.every((p) => p !== null && p[1] === 10), "no division by a zero span");
  assert.deepEqual(scaleSeries([7], 60, 20).points, [[30, 2]]);
  assert.deepEqual(scaleSeries([], 60, 20).points, []);
  const empty = scaleSeries([null, null], 60, 20);
  assert.deepEqual(segments(empty.points), []);
});

test("sparkline scaling: a fixed domain clamps (mTLS 0..1) and negatives widen the floor", () => {
  const ratio = scaleSeries([0.5, 1.2, -1], 42, 22, { domain: [0, 1], pad: 1 });
  assert.deepEqual(ratio.points.map((p) => p?.[1]), [11, 1, 21]);
  const negative = scaleSeries([-5, 5], 10, 12, { pad: 1 });
  assert.equal(negative.min, -5);
  assert.deepEqual(negative.points.map((p) => p?.[1]), [11, 1]);
});

const LABELS = { app: "reviews", version: "v2", tier: "backend" };

test("label selectors: matchLabels, every expression operator, empty and unreadable selectors", () => {
  assert.equal(labelSelectorMatches({}, LABELS), true, "the empty selector picks every pod");
  assert.equal(labelSelectorMatches({ match_labels: { app: "reviews" } }, LABELS), true);
  assert.equal(labelSelectorMatches({ matchLabels: { app: "ratings" } }, LABELS), false);
  const expr = (operator: string, values: string[] = [], key = "version") => ({ match_expressions: [{ key, operator, values }] });
  assert.equal(labelSelectorMatches(expr("In", ["v1", "v2"]), LABELS), true);
  assert.equal(labelSelectorMatches(expr("In", ["v1"]), LABELS), false);
  assert.equal(labelSelectorMatches(expr("NotIn", ["v1"]), LABELS), true);
  assert.equal(labelSelectorMatches(expr("NotIn", ["v1"], "absent"), LABELS), true);
  assert.equal(labelSelectorMatches(expr("Exists"), LABELS), true);
  assert.equal(labelSelectorMatches(expr("DoesNotExist"), LABELS), false);
  assert.equal(labelSelectorMatches(expr("Near"), LABELS), false, "an unknown operator selects nothing");
  assert.equal(labelSelectorMatches(null, LABELS), false);
  assert.equal(labelSelectorMatches("app=reviews", LABELS), false);
});

test("policies that select a workload, and why; the others are left out", () => {
  const nps: NetworkPolicy[] = [
    { namespace: "b", name: "default-deny", pod_selector: { match_labels: {}, match_expressions: [] }, policy_types: ["Ingress"] },
    { namespace: "b", name: "reviews-only", pod_selector: { match_labels: { app: "reviews" } }, policy_types: ["Ingress", "Egress"] },
    { namespace: "b", name: "ratings-only", pod_selector: { match_labels: { app: "ratings" } } },
  ];
  const mesh: MeshPolicy[] = [
    { namespace: "b", name: "default", kind: "PeerAuthentication", mesh: "istio", spec: { selector: null, mode: "PERMISSIVE" } },
    { namespace: "b", name: "reviews-strict", kind: "PeerAuthentication", mesh: "istio", spec: { selector: { app: "reviews" }, mode: "STRICT" } },
    { namespace: "b", name: "ratings-strict", kind: "PeerAuthentication", mesh: "istio", spec: { selector: { app: "ratings" }, mode: "STRICT" } },
    { namespace: "b", name: "deny-all", kind: "AuthorizationPolicy", mesh: "istio", spec: { action: "DENY", selector: { version: "v2" } } },
    { namespace: "b", name: "gateway-only", kind: "AuthorizationPolicy", mesh: "istio", spec: { target_refs: ["Gateway/gw"], selector: null } },
    { namespace: "b", name: "reviews-rule", kind: "DestinationRule", mesh: "istio", spec: { host: "reviews" } },
    { namespace: "b", name: "reviews-http", kind: "Server", mesh: "linkerd", spec: { pod_selector: { match_labels: { app: "reviews" } }, port: 9080 }, labels: { srv: "web" } },
    { namespace: "b", name: "other", kind: "Server", mesh: "linkerd", spec: { pod_selector: { match_labels: { app: "x" } }, port: 80 } },
    { namespace: "b", name: "reviews-authn", kind: "AuthorizationPolicy", mesh: "linkerd", spec: { target: { kind: "Server", name: "reviews-http" } } },
    { namespace: "b", name: "other-authn", kind: "AuthorizationPolicy", mesh: "linkerd", spec: { target: { kind: "Server", name: "other" } } },
    { namespace: "b", name: "by-label", kind: "ServerAuthorization", mesh: "linkerd", spec: { server_selector: { match_labels: { srv: "web" } } } },
  ];
  const applied = policiesFor(LABELS, nps, mesh);
  assert.deepEqual(
    applied.map((p) => `${p.kind}/${p.name}`),
    [
      "NetworkPolicy/default-deny",
      "NetworkPolicy/reviews-only",
      "Server/reviews-http",
      "PeerAuthentication/default",
      "PeerAuthentication/reviews-strict",
      "AuthorizationPolicy/deny-all",
      "AuthorizationPolicy/reviews-authn",
      "ServerAuthorization/by-label",
    ],
  );
  assert.match(applied[0]?.why ?? "", /every pod in the namespace/);
  assert.match(applied[1]?.why ?? "", /Ingress, Egress; podSelector matches/);
  assert.equal(applied[3]?.why, "mTLS PERMISSIVE, namespace-wide");
  assert.equal(applied[4]?.why, "mTLS STRICT, its selector matches");
  assert.match(applied[5]?.why ?? "", /^DENY/);
  assert.deepEqual(policiesFor({}, [nps[2] as NetworkPolicy], []), [], "no labels: only empty selectors match");
});

test("an AuthorizationPolicy bound by targetRefs applies through the Services that front the pods", () => {
  const mesh: MeshPolicy[] = [
    { namespace: "b", name: "to-reviews", kind: "AuthorizationPolicy", mesh: "istio", spec: { action: "DENY", target_refs: ["Service/reviews"], selector: null } },
    { namespace: "b", name: "to-ratings", kind: "AuthorizationPolicy", mesh: "istio", spec: { target_refs: ["Service/ratings"], selector: null } },
    { namespace: "b", name: "gateway", kind: "AuthorizationPolicy", mesh: "istio", spec: { target_refs: ["Gateway/reviews"], selector: null } },
  ];
  const services = [
    { name: "reviews", selector: { app: "reviews" } },
    { name: "ratings", selector: { app: "ratings" } },
    { name: "manual", selector: {} },
  ];
  const applied = policiesFor(LABELS, [], mesh, services);
  assert.deepEqual(applied.map((p) => `${p.name}: ${p.why}`), ["to-reviews: DENY, traffic to Service/reviews (targetRefs)"]);
  assert.deepEqual(policiesFor(LABELS, [], mesh), [], "without the Services a targetRefs policy is not claimed");
  const manual = [{ namespace: "b", name: "m", kind: "AuthorizationPolicy", mesh: "istio", spec: { target_refs: ["Service/manual"] } }];
  assert.deepEqual(policiesFor(LABELS, [], manual, services), [], "a selector-less Service fronts no pod by label");
});

test("findings are narrowed to the selection's subject id; edges match with or without protocol", () => {
  const edge = { id: "workload:b/a>workload:b/c|http", source: "workload:b/a", target: "workload:b/c" };
  const all = [
    { id: "1", subject: { id: "workload:b/a" } },
    { id: "2", subject: { id: "edge:workload:b/a>workload:b/c" } },
    { id: "3", subject: { id: "workload:b/ab" } },
    { id: "4" },
  ];
  assert.deepEqual(findingsFor(all, ["workload:b/a"]).map((f) => f.id), ["1"]);
  assert.deepEqual(findingsFor(all, edgeSubjectIds(edge)).map((f) => f.id), ["2"]);
});

test("request urls: the window and at travel, pods by workload or by app labels", () => {
  assert.equal(seriesUrl("node", "workload:b/a", "1h", "2026-11-02T14:00:00Z"), "/api/v1/series?node=workload%3Ab%2Fa&window=1h&step=auto&at=2026-11-02T14%3A00%3A00Z");
  assert.equal(seriesUrl("edge", "x>y|tcp"), "/api/v1/series?edge=x%3Ey%7Ctcp&window=5m&step=auto");
  assert.equal(podsUrl({ kind: "workload", namespace: "b", name: "a" }), "/api/v1/pods?namespace=b&page_size=200&workload=a");
  assert.equal(podsUrl({ kind: "app", namespace: "b", name: "r", app: "r", version: "v2" }), "/api/v1/pods?namespace=b&page_size=200&labels=app%3Dr%2Cversion%3Dv2");
  assert.equal(podsUrl({ kind: "service", namespace: "b", name: "r" }), null);
});

test("refresh gate: a new subject loads at once and aborts the last; live reloads at most every 15 s", () => {
  const gate = new RefreshGate(15_000);
  assert.equal(gate.decide("a", false, 0), "new");
  const first = gate.begin("a", 0);
  assert.equal(gate.decide("a", false, 14_999), "keep");
  assert.equal(gate.decide("a", false, 15_000), "refresh");
  assert.equal(gate.decide("a", true, 60_000), "keep", "a pinned window never changes");
  assert.equal(gate.decide("b", false, 1), "new");
  const second = gate.begin("b", 1);
  assert.equal(first.aborted, true, "clicking on aborts the previous selection's requests");
  assert.equal(second.aborted, false);
  gate.reset();
  assert.equal(second.aborted, true);
  assert.equal(gate.decide("b", false, 2), "new");
});
