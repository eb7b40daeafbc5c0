import assert from "node:assert/strict";
import { test } from "node:test";

import { LiveSocket, backoffDelay, type SocketLike } from "../src/live";

type Listener = (event: { data?: unknown }) => void;

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  private listeners: Record<string, Listener[]> = {};
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = 3;
    this.emit("close", {});
  }
  addEventListener(type: string, listener: Listener): void {
    (this.listeners[type] ??= []).push(listener);
  }
  emit(type: string, event: { data?: unknown }): void {
    for (const l of this.listeners[type] ?? []) l(event);
  }
  open(): void {
    this.readyState = 1;
    this.emit("open", {});
  }
  message(m: unknown): void {
    this.emit("message", { data: JSON.stringify(m) });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  let now = 0;
  const live = new LiveSocket("ws://x/ws/v1/live", {
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    baseDelayMs: 1,
    maxDelayMs: 2,
    random: () => 0,
    now: () => now,
  });
  return { live, sockets, tick: (ms: number) => (now += ms) };
}

function recorder() {
  const log: string[] = [];
  return {
    log,
    handlers: {
      onSnapshot: (d: unknown, seq: number) => log.push(`snapshot ${seq} ${JSON.stringify(d)}`),
      onDelta: (d: unknown, seq: number) => log.push(`delta ${seq} ${JSON.stringify(d)}`),
      onError: (detail: string) => log.push(`error ${detail}`),
    },
  };
}

test("several topics share one socket; frames go to their own topic", () => {
  const { live, sockets } = harness();
  const graph = recorder();
  const dns = recorder();
  live.subscribe("graph", { graph_type: "workload" }, graph.handlers);
  live.subscribe("dns", { window: "5m" }, dns.handlers);
  live.start();
  assert.equal(sockets.length, 1);
  const s = sockets[0]!;
  s.open();
  assert.deepEqual(s.sent, [
    { type: "subscribe", topic: "graph", params: { graph_type: "workload" }, id: 1 },
    { type: "subscribe", topic: "dns", params: { window: "5m" }, id: 2 },
  ]);
  s.message({ type: "snapshot", topic: "graph", seq: 3, data: { a: 1 } });
  s.message({ type: "snapshot", topic: "dns", seq: 9, data: { b: 1 } });
  s.message({ type: "delta", topic: "graph", seq: 4, data: { a: 2 } });
  s.message({ type: "delta", topic: "inventory", seq: 1, data: {} });
  assert.deepEqual(graph.log, ['snapshot 3 {"a":1}', 'delta 4 {"a":2}']);
  assert.deepEqual(dns.log, ['snapshot 9 {"b":1}']);
  assert.equal(live.state, "live");
  live.stop();
});

test("a gap is not applied and asks once to resume after the last seq", () => {
  const { live, sockets, tick } = harness();
  const graph = recorder();
  const sub = live.subscribe("graph", {}, graph.handlers);
  live.start();
  const s = sockets[0]!;
  s.open();
  s.message({ type: "snapshot", topic: "graph", seq: 5, data: {} });
  s.message({ type: "delta", topic: "graph", seq: 7, data: {} });
  s.message({ type: "delta", topic: "graph", seq: 8, data: {} });
  assert.equal(sub.lastSeq, 5);
  const resumes = s.sent.filter((m) => m.since !== undefined);
  assert.deepEqual(resumes, [{ type: "subscribe", topic: "graph", params: {}, since: 5, id: 2 }], "one resubscribe per gap");
  tick(6000);
  s.message({ type: "delta", topic: "graph", seq: 9, data: {} });
  assert.equal(s.sent.filter((m) => m.since !== undefined).length, 2, "asked again after resyncRetryMs");
  s.message({ type: "delta", topic: "graph", seq: 6, data: {} });
  s.message({ type: "delta", topic: "graph", seq: 6, data: {} });
  assert.equal(sub.lastSeq, 6);
  assert.equal(sub.deltaCount, 1, "a duplicate is dropped");
  live.stop();
});

test("new params unsubscribe, start from a snapshot, and drop deltas until it comes", () => {
  const { live, sockets } = harness();
  const graph = recorder();
  const sub = live.subscribe("graph", { graph_type: "workload" }, graph.handlers);
  live.start();
  const s = sockets[0]!;
  s.open();
  s.message({ type: "snapshot", topic: "graph", seq: 5, data: {} });
  sub.setParams({ graph_type: "app" });
  assert.deepEqual(s.sent.slice(-2), [
    { type: "unsubscribe", topic: "graph" },
    { type: "subscribe", topic: "graph", params: { graph_type: "app" }, id: 2 },
  ]);
  s.message({ type: "delta", topic: "graph", seq: 6, data: {} });
  assert.equal(sub.deltaCount, 0);
  s.message({ type: "snapshot", topic: "graph", seq: 1, data: {} });
  assert.equal(sub.lastSeq, 1, "a restarted server may count from 1 again");
  live.stop();
});

test("live -> pinned -> live: late frames of the replaced subscribes are ignored", () => {
  // The e2e flake: the pinned view's snapshot, still in flight when the user went live again,
  // used to become the base (its seq from the pinned view's numbering, far above the live
  // view's), so every live delta after it read as "seq <= lastSeq" and was dropped.
  const { live, sockets } = harness();
  const graph = recorder();
  const liveParams = { graph_type: "workload" };
  const sub = live.subscribe("graph", liveParams, graph.handlers);
  live.start();
  const s = sockets[0]!;
  s.open();
  s.message({ type: "snapshot", topic: "graph", id: 1, seq: 100, data: "live" });
  sub.setParams({ ...liveParams, at: "2026-12-04T03:00:00Z" }); // id 2
  sub.setParams(liveParams); // id 3
  assert.deepEqual(
    s.sent.filter((m) => m.type === "subscribe").map((m) => [m.id, "at" in (m.params as object)]),
    [[1, false], [2, true], [3, false]],
  );
  s.message({ type: "delta", topic: "graph", id: 1, seq: 101, data: "live, old subscribe" });
  s.message({ type: "snapshot", topic: "graph", id: 2, seq: 5000, data: "pinned" });
  s.message({ type: "error", topic: "graph", id: 2, detail: "about the pinned subscribe" });
  assert.equal(sub.lastSeq, null, "still waiting for the answer to subscribe 3");
  assert.equal(sub.snapshotCount, 1);
  s.message({ type: "snapshot", topic: "graph", id: 3, seq: 101, data: "live again" });
  s.message({ type: "delta", topic: "graph", id: 3, seq: 102, data: "next cycle" });
  assert.equal(sub.lastSeq, 102);
  assert.deepEqual(graph.log, ['snapshot 100 "live"', 'snapshot 101 "live again"', 'delta 102 "next cycle"']);
  live.stop();
});

test("a gap resync drops the old subscribe's deltas and takes the resumed ones", () => {
  const { live, sockets } = harness();
  const graph = recorder();
  const sub = live.subscribe("graph", {}, graph.handlers);
  live.start();
  const s = sockets[0]!;
  s.open();
  s.message({ type: "snapshot", topic: "graph", id: 1, seq: 5, data: {} });
  s.message({ type: "delta", topic: "graph", id: 1, seq: 7, data: {} }); // gap: resubscribe as id 2
  s.message({ type: "delta", topic: "graph", id: 1, seq: 6, data: {} }); // raced the resubscribe
  assert.equal(sub.lastSeq, 5);
  s.message({ type: "delta", topic: "graph", id: 2, seq: 6, data: {} });
  s.message({ type: "delta", topic: "graph", id: 2, seq: 7, data: {} });
  assert.equal(sub.lastSeq, 7);
  assert.equal(sub.deltaCount, 2);
  live.stop();
});

test("frames without an id (a server that does not echo it) are still taken", () => {
  const { live, sockets } = harness();
  const graph = recorder();
  const sub = live.subscribe("graph", {}, graph.handlers);
  live.start();
  const s = sockets[0]!;
  s.open();
  s.message({ type: "snapshot", topic: "graph", seq: 5, data: {} });
  s.message({ type: "delta", topic: "graph", seq: 6, data: {} });
  assert.deepEqual([sub.lastSeq, sub.deltaCount], [6, 1]);
  live.stop();
});

test("a dropped socket reconnects and resumes every topic with since", async () => {
  const { live, sockets } = harness();
  const states: string[] = [];
  live.onState((s) => states.push(s));
  live.subscribe("graph", {}, recorder().handlers);
  live.subscribe("alerts", {}, recorder().handlers);
  live.start();
  const first = sockets[0]!;
  first.open();
  first.message({ type: "snapshot", topic: "graph", seq: 8, data: {} });
  first.message({ type: "snapshot", topic: "alerts", seq: 2, data: {} });
  first.close();
  assert.equal(live.state, "reconnecting");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sockets.length, 2);
  const second = sockets[1]!;
  second.open();
  assert.deepEqual(second.sent, [
    { type: "subscribe", topic: "graph", params: {}, since: 8, id: 3 },
    { type: "subscribe", topic: "alerts", params: {}, since: 2, id: 4 },
  ]);
  second.message({ type: "delta", topic: "graph", seq: 9, data: {} });
  assert.deepEqual(states, ["live", "reconnecting", "live"]);
  live.stop();
});

test("errors go to their topic's view, or to the socket's listeners", () => {
  const { live, sockets } = harness();
  const graph = recorder();
  const general: string[] = [];
  live.onError((d) => general.push(d));
  live.subscribe("graph", {}, graph.handlers);
  live.start();
  const s = sockets[0]!;
  s.open();
  s.message({ type: "error", topic: "graph", detail: "bad window" });
  s.message({ type: "error", detail: { what: 1 } });
  s.emit("message", { data: "not json" });
  assert.deepEqual(graph.log, ["error bad window"]);
  assert.deepEqual(general, ['{"what":1}']);
  live.stop();
});

test("backoff doubles up to the cap, with equal jitter", () => {
  assert.equal(backoffDelay(0, 1000, 30000, () => 0), 500);
  assert.equal(backoffDelay(3, 1000, 30000, () => 1), 8000);
  assert.equal(backoffDelay(10, 1000, 30000, () => 0), 15000);
});
