// /dns?window=5m: CoreDNS servers, upstream health, the latency heatmap and search-path
// amplification with its remedies, live over the `dns` topic.

import { CollectionState, type Item } from "./collections";
import { byId, el, replaceChildren } from "./dom";
import { fmtMs, fmtNumber, fmtPct, fmtRps, isNum } from "./format";
import { HeatmapChart, type Bound, type HeatColumn } from "./heatmap";
import type { TopicSubscription } from "./live";
import { copyText } from "./page-kit";
import type { Shell } from "./shell";
import { wireNamespaces } from "./controls";

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

function table(headers: string[], rows: (string | Node)[][], id: string): HTMLElement {
  return el(
    "table",
    { class: "mw-table", id },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))),
  );
}

/** "NOERROR 83% · NXDOMAIN 17%": the non-zero shares, largest first. */
export function rcodeShares(rcodes: unknown): string {
  const entries = Object.entries(obj(rcodes)).filter((e): e is [string, number] => isNum(e[1]) && e[1] > 0);
  const total = entries.reduce((n, [, v]) => n + v, 0);
  if (!total) return "—";
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmtPct(v / total)}`)
    .join(" · ");
}

function healthBadge(health: unknown): HTMLElement {
  const value = typeof health === "string" ? health : "unknown";
  return el("span", { class: "mw-health", "data-health": value }, value);
}

export class DnsPage {
  readonly live: TopicSubscription<Obj, Obj>;
  readonly data = new CollectionState(["servers", "upstreams", "latency_columns"]);
  readonly chart: HeatmapChart;
  private amplificationKey = "";

  constructor(shell: Shell) {
    const query = new URLSearchParams(window.location.search);
    const windowSelect = byId<HTMLSelectElement>("mw-dns-window");
    windowSelect.value = query.get("window") || "5m";
    this.chart = new HeatmapChart(byId<HTMLCanvasElement>("mw-heatmap"), byId("mw-heatmap-tip"));
    const log = byId<HTMLInputElement>("mw-heatmap-log");
    log.addEventListener("change", () => this.chart.setLog(log.checked));
    // A user limited to some namespaces must name them (the server refuses a bare "all").
    const params = (span: string) => ({ window: span, namespaces: wireNamespaces("") });
    this.live = shell.subscribe<Obj, Obj>("dns", params(windowSelect.value), {
      onSnapshot: (data) => {
        this.data.applySnapshot(data);
        this.render();
      },
      onDelta: (data) => {
        this.data.applyDelta(data);
        this.render();
      },
    });
    windowSelect.addEventListener("change", () => {
      const url = new URL(window.location.href);
      url.searchParams.set("window", windowSelect.value);
      window.history.pushState(null, "", url.toString());
      this.live.setParams(params(windowSelect.value));
    });
    window.addEventListener("popstate", () => window.location.reload());
  }

  private render(): void {
    this.renderServers();
    this.renderUpstreams();
    const heat = obj(this.data.meta.latency_heatmap);
    const bounds = Array.isArray(heat.bounds_ms) ? (heat.bounds_ms as Bound[]) : [];
    this.chart.setData(bounds, this.data.items("latency_columns", (c) => String(c.start)) as unknown as HeatColumn[]);
    this.renderAmplification();
  }

  private renderServers(): void {
    const rows = this.data.items("servers").map((s: Item) => {
      const cache = obj(s.cache);
      return [
        String(s.server ?? s.id),
        String(s.zone ?? ""),
        fmtRps(s.rps),
        rcodeShares(s.rcodes),
        fmtMs(s.p50_ms),
        fmtMs(s.p95_ms),
        fmtMs(s.p99_ms),
        fmtPct(cache.hit_ratio),
        Array.isArray(s.instances) ? String(s.instances.length) : "—",
      ];
    });
    replaceChildren(
      byId("mw-dns-servers"),
      rows.length
        ? table(["Server", "Zone", "Requests", "Rcodes", "p50", "p95", "p99", "Cache hits", "Instances"], rows, "mw-dns-servers-table")
        : el("p", { class: "mw-muted" }, "No CoreDNS data in this window."),
    );
  }

  private renderUpstreams(): void {
    const rows = this.data.items("upstreams").map((u: Item) => [
      String(u.upstream ?? u.id),
      healthBadge(u.health),
      fmtRps(u.rps),
      fmtPct(u.error_share),
      rcodeShares(u.rcodes),
      fmtMs(u.p95_ms),
      fmtMs(u.p99_ms),
      fmtNumber(u.healthcheck_failures),
    ]);
    replaceChildren(
      byId("mw-dns-upstreams"),
      rows.length
        ? table(["Upstream", "Health", "Requests", "Errors", "Rcodes", "p95", "p99", "Health-check failures"], rows, "mw-dns-upstreams-table")
        : el("p", { class: "mw-muted" }, "No forwarded queries in this window."),
    );
  }

  /** Rebuilt only when it changes, so a user selecting a snippet is not interrupted. */
  private renderAmplification(): void {
    const amp = obj(this.data.meta.amplification);
    const key = JSON.stringify(amp);
    if (key === this.amplificationKey) return;
    this.amplificationKey = key;
    const observed = obj(amp.observed);
    const remedies = Array.isArray(amp.remedies) ? amp.remedies.map(obj) : [];
    const namespaces = Array.isArray(amp.namespaces) ? amp.namespaces.map(obj) : [];
    const nsRows = namespaces.map((n) => [
      String(n.namespace ?? n.id),
      fmtNumber(n.pods),
      fmtNumber(n.ndots),
      Array.isArray(n.search) ? n.search.join(" ") : "—",
      `${fmtNumber(n.expected_lookups)} queries per external name`,
      `${fmtNumber(n.pods_amplified)} of ${fmtNumber(n.pods)}`,
      Array.isArray(n.remedies) ? n.remedies.join(", ") : "—",
    ]);
    const remedyBlocks = remedies.map((r) => {
      const snippet = String(r.snippet ?? "");
      const button = el("button", { type: "button", class: "mw-button mw-copy", "data-remedy": String(r.id ?? "") }, "Copy");
      button.addEventListener("click", () => void copyText(snippet, button));
      return el(
        "article",
        { class: "mw-remedy", id: `mw-remedy-${String(r.id ?? "")}` },
        el("h4", {}, String(r.title ?? r.id ?? "")),
        el("p", {}, String(r.why ?? "")),
        el("div", { class: "mw-pre-wrap" }, button, el("pre", {}, snippet)),
      );
    });
    replaceChildren(
      byId("mw-dns-amplification"),
      el(
        "dl",
        { class: "mw-kv mw-kv-inline" },
        el("dt", {}, "Observed multiplier"),
        el("dd", { id: "mw-dns-multiplier" }, isNum(observed.observed_multiplier) ? `×${fmtNumber(Math.round(observed.observed_multiplier * 100) / 100)}` : "—"),
        el("dt", {}, "NXDOMAIN share"),
        el("dd", {}, fmtPct(observed.nxdomain_share)),
        el("dt", {}, "AAAA share"),
        el("dd", {}, fmtPct(observed.aaaa_share)),
        el("dt", {}, "Queries per NOERROR"),
        el("dd", {}, fmtNumber(observed.queries_per_noerror)),
      ),
      nsRows.length
        ? table(["Namespace", "Pods", "ndots", "Search path", "Expected", "Pods amplified", "Remedies"], nsRows, "mw-dns-namespaces")
        : el("p", { class: "mw-muted" }, "No namespace configurations known."),
      el("details", { class: "mw-method" }, el("summary", {}, "How this is estimated"), el("p", { id: "mw-dns-method" }, String(amp.method ?? ""))),
      el("h3", {}, "Remedies"),
      ...remedyBlocks,
    );
  }
}
