// /overview: every namespace of the workload graph with its health, traffic, latency, mTLS
// coverage and firing alerts; sortable; a click opens the graph filtered to it. It holds two
// subscriptions (graph and alerts) on the tab's one socket.

import { CollectionState } from "./collections";
import { byId, el, replaceChildren } from "./dom";
import { fmtMs, fmtPct, fmtRps, isNum } from "./format";
import type { TopicSubscription } from "./live";
import type { Shell } from "./shell";
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from "./types";
import { wireNamespaces } from "./controls";

export interface NamespaceRow {
  namespace: string;
  health: string;
  workloads: number;
  rps: number;
  error_ratio: number | null;
  p95_ms: number | null;
  mtls_ratio: number | null;
  firing: number;
}

const HEALTH_RANK: Record<string, number> = { failure: 4, degraded: 3, healthy: 2, idle: 1, unknown: 0 };

/** Aggregates the graph per namespace: traffic is what flows *into* the namespace's nodes. */
export function summariseNamespaces(
  nodes: Iterable<GraphNode>,
  edges: Iterable<GraphEdge>,
  alerts: Iterable<Record<string, unknown>> = [],
): NamespaceRow[] {
  const rows = new Map<string, NamespaceRow & { errW: number; mtlsW: number; mtlsRps: number }>();
  const nsOf = new Map<string, string>();
  for (const node of nodes) {
    if (node.outside || !node.namespace) continue;
    nsOf.set(node.id, node.namespace);
    const row = rows.get(node.namespace) ?? { namespace: node.namespace, health: "unknown", workloads: 0, rps: 0, error_ratio: null, p95_ms: null, mtls_ratio: null, firing: 0, errW: 0, mtlsW: 0, mtlsRps: 0 };
    row.workloads += 1;
    const h = String(node.health ?? "unknown");
    if ((HEALTH_RANK[h] ?? 0) > (HEALTH_RANK[row.health] ?? 0)) row.health = h;
    rows.set(node.namespace, row);
  }
  for (const edge of edges) {
    const row = rows.get(nsOf.get(edge.target) ?? "");
    if (!row) continue;
    const rps = isNum(edge.rps) ? edge.rps : 0;
    row.rps += rps;
    if (isNum(edge.error_ratio)) row.errW += edge.error_ratio * rps;
    if (isNum(edge.p95_ms)) row.p95_ms = Math.max(row.p95_ms ?? 0, edge.p95_ms);
    if (isNum(edge.mtls_ratio)) {
      row.mtlsW += edge.mtls_ratio * rps;
      row.mtlsRps += rps;
    }
  }
  for (const alert of alerts) {
    if (alert.state !== "firing") continue;
    const labels = (typeof alert.labels === "object" && alert.labels !== null ? alert.labels : {}) as Record<string, unknown>;
    const subject = String(alert.subject ?? "");
    for (const row of rows.values()) {
      if (labels.namespace === row.namespace || subject.includes(`:${row.namespace}/`) || subject === row.namespace) row.firing += 1;
    }
  }
  return [...rows.values()].map(({ errW, mtlsW, mtlsRps, ...row }) => ({
    ...row,
    error_ratio: row.rps > 0 ? errW / row.rps : null,
    mtls_ratio: mtlsRps > 0 ? mtlsW / mtlsRps : null,
  }));
}

type SortKey = keyof NamespaceRow;
const COLUMNS: [SortKey, string][] = [
  ["namespace", "Namespace"],
  ["health", "Health"],
  ["workloads", "Workloads"],
  ["rps", "Requests in"],
  ["error_ratio", "Errors"],
  ["p95_ms", "p95 (worst edge)"],
  ["mtls_ratio", "mTLS"],
  ["firing", "Firing alerts"],
];

export function sortRows(rows: NamespaceRow[], key: SortKey, descending: boolean): NamespaceRow[] {
  const value = (r: NamespaceRow): number | string => {
    const v = r[key];
    if (key === "health") return HEALTH_RANK[String(v)] ?? 0;
    return v === null ? -Infinity : v;
  };
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = va < vb ? -1 : va > vb ? 1 : a.namespace < b.namespace ? -1 : 1;
    return descending ? -c : c;
  });
}

export class OverviewPage {
  readonly live: TopicSubscription<GraphSnapshot, GraphDelta>;
  readonly alertsLive: TopicSubscription<Record<string, unknown>, Record<string, unknown>>;
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();
  private readonly alerts = new CollectionState(["alerts"]);
  private sortKey: SortKey = "health";
  private descending = true;

  constructor(shell: Shell) {
    const query = new URLSearchParams(window.location.search);
    const sort = query.get("sort") as SortKey | null;
    if (sort && COLUMNS.some(([k]) => k === sort)) this.sortKey = sort;
    if (query.get("dir") === "asc") this.descending = false;
    this.live = shell.subscribe<GraphSnapshot, GraphDelta>("graph", { graph_type: "workload", namespaces: wireNamespaces("") }, {
      onSnapshot: (data) => {
        this.nodes.clear();
        this.edges.clear();
        for (const n of data.nodes) this.nodes.set(n.id, n);
        for (const e of data.edges) this.edges.set(e.id, e);
        this.render();
      },
      onDelta: (delta) => {
        for (const id of delta.remove?.edges ?? []) this.edges.delete(id);
        for (const id of delta.remove?.nodes ?? []) this.nodes.delete(id);
        for (const n of delta.upsert?.nodes ?? []) this.nodes.set(n.id, n);
        for (const e of delta.upsert?.edges ?? []) this.edges.set(e.id, e);
        this.render();
      },
    });
    this.alertsLive = shell.subscribe("alerts", { namespaces: wireNamespaces("") }, {
      onSnapshot: (data) => {
        this.alerts.applySnapshot(data);
        this.render();
      },
      onDelta: (data) => {
        this.alerts.applyDelta(data);
        this.render();
      },
    });
  }

  private sortBy(key: SortKey): void {
    this.descending = key === this.sortKey ? !this.descending : key !== "namespace";
    this.sortKey = key;
    const url = new URL(window.location.href);
    url.searchParams.set("sort", key);
    url.searchParams.set("dir", this.descending ? "desc" : "asc");
    window.history.replaceState(null, "", url.toString());
    this.render();
  }

  private render(): void {
    const rows = sortRows(summariseNamespaces(this.nodes.values(), this.edges.values(), this.alerts.items("alerts")), this.sortKey, this.descending);
    const head = COLUMNS.map(([key, label]) => {
      const button = el("button", { type: "button", class: "mw-sort", "data-sort": key }, label, key === this.sortKey ? (this.descending ? " ▼" : " ▲") : "");
      button.addEventListener("click", () => this.sortBy(key));
      const sorted = key === this.sortKey ? (this.descending ? "descending" : "ascending") : undefined;
      return el("th", { scope: "col", "aria-sort": sorted }, button);
    });
    const body = rows.map((r) =>
      el(
        "tr",
        { "data-namespace": r.namespace },
        el("td", {}, el("a", { href: `/?namespaces=${encodeURIComponent(r.namespace)}` }, r.namespace)),
        el("td", {}, el("span", { class: "mw-health", "data-health": r.health }, r.health)),
        el("td", {}, String(r.workloads)),
        el("td", { class: "mw-num" }, fmtRps(r.rps)),
        el("td", { class: "mw-num" }, fmtPct(r.error_ratio)),
        el("td", { class: "mw-num" }, fmtMs(r.p95_ms)),
        el("td", { class: "mw-num" }, fmtPct(r.mtls_ratio)),
        el("td", { class: "mw-num" }, String(r.firing)),
      ),
    );
    replaceChildren(
      byId("mw-overview"),
      rows.length
        ? el("table", { class: "mw-table", id: "mw-overview-table" }, el("thead", {}, el("tr", {}, ...head)), el("tbody", {}, ...body))
        : el("p", { class: "mw-muted" }, "No namespaces in the graph yet."),
    );
  }
}
