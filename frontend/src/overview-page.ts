// /overview: every namespace of the workload graph with its health, traffic, latency, mTLS
// coverage, firing alerts, DNS search-path cost and open findings; sortable; links open each
// view scoped to the namespace. It holds four subscriptions (graph, alerts, dns, insights) on
// the tab's one socket.

import { CollectionState } from "./collections";
import { byId, el, replaceChildren } from "./dom";
import { fmtMs, fmtPct, fmtRps, isNum } from "./format";
import type { TopicSubscription } from "./live";
import type { Shell } from "./shell";
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from "./types";
import { wireNamespaces } from "./controls";
import { SEVERITY_RANK } from "./insights-state";

export interface NamespaceRow {
  namespace: string;
  health: string;
  workloads: number;
  rps: number;
  error_ratio: number | null;
  p95_ms: number | null;
  mtls_ratio: number | null;
  firing: number;
  /** DNS queries one external-name lookup costs a pod here (ndots/search path), or null. */
  dns_lookups: number | null;
  dns_amplified: number | null;
  dns_pods: number | null;
  /** Open findings: a severity-weighted score to sort by, the counts, and the worst title. */
  findings: number;
  findings_critical: number;
  findings_warning: number;
  findings_info: number;
  top_finding: string;
}

/** What the dns topic says per namespace (its amplification report). */
export interface DnsNamespace {
  namespace?: unknown;
  expected_lookups?: unknown;
  pods_amplified?: unknown;
  pods?: unknown;
}

/** The DNS and findings columns of each row; namespaces only these know get a row too. */
export function addDnsAndFindings(
  rows: NamespaceRow[],
  dns: Iterable<DnsNamespace>,
  findings: Iterable<Record<string, unknown>>,
): NamespaceRow[] {
  const byNs = new Map(rows.map((r) => [r.namespace, { ...r }]));
  const row = (ns: string): NamespaceRow => {
    let r = byNs.get(ns);
    if (!r) {
      r = { ...emptyRow(ns) };
      byNs.set(ns, r);
    }
    return r;
  };
  for (const d of dns) {
    if (typeof d.namespace !== "string" || !d.namespace) continue;
    const r = row(d.namespace);
    r.dns_lookups = isNum(d.expected_lookups) ? d.expected_lookups : null;
    r.dns_amplified = isNum(d.pods_amplified) ? d.pods_amplified : null;
    r.dns_pods = isNum(d.pods) ? d.pods : null;
  }
  const worst = new Map<string, [number, string]>();
  for (const f of findings) {
    if (f.state === "resolved" || f.resolved_at) continue;
    const subject = (typeof f.subject === "object" && f.subject !== null ? f.subject : {}) as Record<string, unknown>;
    const ns = typeof f.namespace === "string" && f.namespace ? f.namespace : typeof subject.namespace === "string" ? subject.namespace : "";
    if (!ns) continue;
    const r = row(ns);
    const sev = String(f.severity ?? "");
    if (sev === "critical") r.findings_critical += 1;
    else if (sev === "warning") r.findings_warning += 1;
    else r.findings_info += 1;
    // One critical outranks any number of warnings, one warning any number of infos.
    r.findings = r.findings_critical * 1e6 + r.findings_warning * 1e3 + r.findings_info;
    const rank = SEVERITY_RANK[sev] ?? 0;
    if (rank > (worst.get(ns)?.[0] ?? -1)) worst.set(ns, [rank, String(f.title ?? f.check ?? "")]);
  }
  for (const [ns, [, title]] of worst) row(ns).top_finding = title;
  return [...byNs.values()];
}

function emptyRow(namespace: string): NamespaceRow {
  return { namespace, health: "unknown", workloads: 0, rps: 0, error_ratio: null, p95_ms: null, mtls_ratio: null, firing: 0, dns_lookups: null, dns_amplified: null, dns_pods: null, findings: 0, findings_critical: 0, findings_warning: 0, findings_info: 0, top_finding: "" };
}

const HEALTH_RANK: Record<string, number> = { failure: 4, degraded: 3, healthy: 2, idle: 1, unknown: 0 };

/**
 * Istio's name for a destination it could not attribute (PassthroughCluster, BlackHoleCluster:
 * traffic leaving the mesh) is the namespace "unknown": not a namespace of the cluster, so no
 * row; a real namespace of that name has its objects in the inventory.
 */
function isUnattributed(node: GraphNode): boolean {
  return node.namespace === "unknown" && node.in_inventory !== true;
}

/** Aggregates the graph per namespace: traffic is what flows *into* the namespace's nodes. */
export function summariseNamespaces(
  nodes: Iterable<GraphNode>,
  edges: Iterable<GraphEdge>,
  alerts: Iterable<Record<string, unknown>> = [],
): NamespaceRow[] {
  const rows = new Map<string, NamespaceRow & { errW: number; mtlsW: number; mtlsRps: number }>();
  const nsOf = new Map<string, string>();
  for (const node of nodes) {
    if (node.outside || !node.namespace || isUnattributed(node)) continue;
    nsOf.set(node.id, node.namespace);
    const row = rows.get(node.namespace) ?? { ...emptyRow(node.namespace), errW: 0, mtlsW: 0, mtlsRps: 0 };
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
  ["dns_lookups", "DNS per lookup"],
  ["findings", "Open findings"],
];

export function sortRows(rows: NamespaceRow[], key: SortKey, descending: boolean): NamespaceRow[] {
  const value = (r: NamespaceRow): number | string => {
    const v = r[key];
    if (key === "health") return HEALTH_RANK[String(v)] ?? 0;
    return v === null ? -Infinity : typeof v === "number" || typeof v === "string" ? v : 0;
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
  readonly dnsLive: TopicSubscription<Record<string, unknown>, Record<string, unknown>>;
  readonly insightsLive: TopicSubscription<Record<string, unknown>, Record<string, unknown>>;
  private readonly findings = new CollectionState(["findings"]);
  private dnsNamespaces: DnsNamespace[] = [];
  /** Set when a topic answered with an error: its column then says so instead of "0". */
  private readonly unavailable = new Set<string>();
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
    // DNS per namespace is in the amplification report; deltas carry it whole (metadata).
    const onDns = (data: Record<string, unknown>) => {
      const amp = data.amplification as { namespaces?: unknown } | undefined;
      if (amp && Array.isArray(amp.namespaces)) this.dnsNamespaces = amp.namespaces as DnsNamespace[];
      this.unavailable.delete("dns");
      this.render();
    };
    this.dnsLive = shell.subscribe("dns", { window: "5m", namespaces: wireNamespaces("") }, { onSnapshot: onDns, onDelta: onDns, onError: () => this.markUnavailable("dns") });
    this.insightsLive = shell.subscribe("insights", { namespaces: wireNamespaces("") }, {
      onSnapshot: (data) => {
        this.findings.applySnapshot(data);
        this.unavailable.delete("insights");
        this.render();
      },
      onDelta: (data) => {
        this.findings.applyDelta(data);
        this.render();
      },
      onError: () => this.markUnavailable("insights"),
    });
    // An unknown-topic error names no topic, so it reaches the socket's listeners instead.
    shell.live.onError((detail) => {
      for (const topic of ["dns", "insights"]) if (detail.includes(`'${topic}'`)) this.markUnavailable(topic);
    });
  }

  private markUnavailable(topic: string): void {
    this.unavailable.add(topic);
    this.render();
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

  /** One click into each other view, scoped to the namespace. */
  private viewLinks(ns: string): HTMLElement {
    const q = encodeURIComponent(ns);
    return el(
      "div",
      { class: "mw-row-links" },
      el("a", { href: `/mtls?namespaces=${q}`, "data-view": "mtls", "aria-label": `mTLS of ${ns}` }, "mTLS"),
      el("a", { href: `/insights?namespace=${q}`, "data-view": "insights", "aria-label": `Insights of ${ns}` }, "Insights"),
      el("a", { href: `/inventory?namespace=${q}`, "data-view": "inventory", "aria-label": `Inventory of ${ns}` }, "Inventory"),
      el("a", { href: `/dns`, "data-view": "dns", "aria-label": `DNS (cluster-wide; ${ns} in its namespace table)` }, "DNS"),
    );
  }

  private dnsCell(r: NamespaceRow): string | HTMLElement {
    if (this.unavailable.has("dns")) return "unavailable";
    if (!this.dnsLive.snapshotCount) return "…";
    if (r.dns_lookups === null) return "—";
    const text = `×${r.dns_lookups}`;
    const detail = r.dns_pods ? ` (${r.dns_amplified ?? 0}/${r.dns_pods} pods)` : "";
    return el("span", { title: `${r.dns_lookups} DNS queries per external-name lookup${detail}` }, text, el("span", { class: "mw-muted" }, detail));
  }

  private findingsCell(r: NamespaceRow): string | HTMLElement {
    if (this.unavailable.has("insights")) return "unavailable";
    if (!this.insightsLive.snapshotCount) return "…";
    const total = r.findings_critical + r.findings_warning + r.findings_info;
    if (!total) return "none";
    const parts = [
      r.findings_critical ? `${r.findings_critical} critical` : "",
      r.findings_warning ? `${r.findings_warning} warning` : "",
      r.findings_info ? `${r.findings_info} info` : "",
    ].filter(Boolean);
    return el(
      "a",
      { href: `/insights?namespace=${encodeURIComponent(r.namespace)}`, title: r.top_finding },
      parts.join(" · "),
      r.top_finding ? el("div", { class: "mw-muted mw-top-finding" }, r.top_finding) : null,
    );
  }

  private render(): void {
    const graphRows = summariseNamespaces(this.nodes.values(), this.edges.values(), this.alerts.items("alerts"));
    const rows = sortRows(addDnsAndFindings(graphRows, this.dnsNamespaces, this.findings.items("findings")), this.sortKey, this.descending);
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
        el("td", {}, el("a", { href: `/?namespaces=${encodeURIComponent(r.namespace)}` }, r.namespace), this.viewLinks(r.namespace)),
        el("td", {}, el("span", { class: "mw-health", "data-health": r.health }, r.health)),
        el("td", {}, String(r.workloads)),
        el("td", { class: "mw-num" }, fmtRps(r.rps)),
        el("td", { class: "mw-num" }, fmtPct(r.error_ratio)),
        el("td", { class: "mw-num" }, fmtMs(r.p95_ms)),
        el("td", { class: "mw-num" }, fmtPct(r.mtls_ratio)),
        el("td", { class: "mw-num" }, String(r.firing)),
        el("td", { class: "mw-num", "data-col": "dns" }, this.dnsCell(r)),
        el("td", { "data-col": "findings" }, this.findingsCell(r)),
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
