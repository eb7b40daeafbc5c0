// /mtls?namespaces=a,b&window=5m&open=a: mTLS coverage per namespace (rows expand to their
// workloads: intended mode, observed share, sidecar), mesh-wide coverage with its trend, and
// the mismatches with evidence and remedy YAML. Live over the `mtls` topic; the trend's past
// points come once from REST (the mesh series, one point per window before this one), then
// each cycle adds one.

import { CollectionState, type Item } from "./collections";
import { byId, el, replaceChildren } from "./dom";
import { fmtNumber, fmtPct, isNum } from "./format";
import type { TopicSubscription } from "./live";
import { badge, dataTable, evidenceView, fmtChange, fmtWhen, graphHref, normaliseList, obj, ratioBar, snippetBlock, str, writeUrl, type Obj } from "./page-kit";
import { getJson, type Shell } from "./shell";
import { wireNamespaces } from "./controls";

export const MTLS_WINDOWS = ["5m", "15m", "1h", "6h", "24h"];
const DURATION = /^\d+(s|m|h|d)$/;
const TREND_POINTS = 60;
// Past windows asked for once, in one series request (one GROUP BY on the server).
const TREND_BACKFILL = 12;

export interface MtlsUrlState {
  namespaces: string;
  window: string;
  open: Set<string>;
}

export function mtlsStateFromUrl(search: string): MtlsUrlState {
  const query = new URLSearchParams(search);
  const window = query.get("window") ?? "";
  return {
    namespaces: normaliseList(query.get("namespaces") ?? ""),
    window: DURATION.test(window) ? window : "5m",
    open: new Set(normaliseList(query.get("open") ?? "").split(",").filter(Boolean)),
  };
}

export interface TrendPoint {
  t: number; // ms, the window's end
  ratio: number | null;
}

/**
 * One point per window-long slot (`stepMs`): a newer point in a slot replaces the older, so
 * each cycle's live value updates the newest bar and a new bar starts once per window.
 * Keeps time order and at most `max` points.
 */
export function mergeTrend(points: readonly TrendPoint[], add: readonly TrendPoint[], stepMs: number, max = TREND_POINTS): TrendPoint[] {
  const slot = (p: TrendPoint) => Math.round(p.t / Math.max(1, stepMs));
  const bySlot = new Map(points.map((p) => [slot(p), p]));
  for (const p of add) {
    if (!Number.isFinite(p.t)) continue;
    const had = bySlot.get(slot(p));
    if (!had || had.t <= p.t) bySlot.set(slot(p), p);
  }
  return [...bySlot.values()].sort((a, b) => a.t - b.t).slice(-max);
}

/** The mesh series request for `count` windows of `seconds` before the one ending at `endMs`. */
export function trendQuery(endMs: number, seconds: number, count: number, namespaces: string): URLSearchParams {
  const query = new URLSearchParams({
    scope: "mesh",
    window: `${Math.round(seconds * count)}s`,
    step: `${Math.round(seconds)}s`,
    at: new Date(endMs - seconds * 1000).toISOString(),
  });
  if (namespaces) query.set("namespaces", namespaces);
  return query;
}

/** Trend points of a mesh series answer: each step's end and its mTLS share (null: a gap). */
export function trendPoints(body: Obj): TrendPoint[] {
  const series = Array.isArray(body.series) ? body.series.map(obj) : [];
  const mesh = series.find((s) => s.name === "mesh");
  const points = mesh && Array.isArray(mesh.points) ? mesh.points.map(obj) : [];
  return points
    .map((p) => ({ t: Date.parse(str(p.end)), ratio: isNum(p.mtls_ratio) ? p.mtls_ratio : null }))
    .filter((p) => Number.isFinite(p.t));
}

/** Workloads with a proxy, of all the namespace lists. */
export function sidecarCount(ns: Obj): { meshed: number; total: number } {
  const workloads = Array.isArray(ns.workloads) ? ns.workloads.map(obj) : [];
  return { meshed: workloads.filter((w) => str(w.sidecar) !== "").length, total: workloads.length };
}

/** "PERMISSIVE ×6 · STRICT ×1": the intended modes of a namespace's workloads. */
export function modeSummary(intended: unknown): string {
  const modes = Object.entries(obj(obj(intended).modes)).filter((e): e is [string, number] => isNum(e[1]) && e[1] > 0);
  return modes.length ? modes.sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ×${n}`).join(" · ") : "—";
}

const MISMATCH_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

export function sortMismatches(items: Item[]): Item[] {
  return [...items].sort((a, b) => (MISMATCH_ORDER[str(a.severity)] ?? 3) - (MISMATCH_ORDER[str(b.severity)] ?? 3) || (a.id < b.id ? -1 : 1));
}

function shortId(id: string): string {
  return id.startsWith("workload:") ? id.slice("workload:".length) : id;
}

export class MtlsPage {
  readonly live: TopicSubscription<Obj, Obj>;
  readonly data = new CollectionState(["namespaces", "mismatches"]);
  trend: TrendPoint[] = [];
  private state: MtlsUrlState;
  private readonly api: string;
  private mismatchKey = "";
  private trendGeneration = 0;

  constructor(shell: Shell) {
    this.api = shell.config.api ?? "/api/v1";
    this.state = mtlsStateFromUrl(window.location.search);
    const windowSelect = byId<HTMLSelectElement>("mw-mtls-window");
    const nsInput = byId<HTMLInputElement>("mw-mtls-namespaces");
    if (![...windowSelect.options].some((o) => o.value === this.state.window)) windowSelect.append(el("option", { value: this.state.window }, `last ${this.state.window}`));
    windowSelect.value = this.state.window;
    nsInput.value = this.state.namespaces;
    this.live = shell.subscribe<Obj, Obj>("mtls", this.params(), {
      onSnapshot: (data) => {
        this.data.applySnapshot(data);
        this.addLivePoint();
        this.render();
        void this.backfillTrend();
      },
      onDelta: (data) => {
        this.data.applyDelta(data);
        this.addLivePoint();
        this.render();
      },
      onError: (detail) => this.say(detail),
    });
    windowSelect.addEventListener("change", () => this.change({ window: windowSelect.value }));
    nsInput.addEventListener("change", () => this.change({ namespaces: normaliseList(nsInput.value) }));
    window.addEventListener("popstate", () => window.location.reload());
  }

  private params(): Record<string, unknown> {
    return { window: this.state.window, namespaces: wireNamespaces(this.state.namespaces) };
  }

  private change(update: Partial<MtlsUrlState>): void {
    this.state = { ...this.state, ...update };
    byId<HTMLInputElement>("mw-mtls-namespaces").value = this.state.namespaces;
    writeUrl({ window: this.state.window === "5m" ? "" : this.state.window, namespaces: this.state.namespaces }, true);
    this.trend = [];
    this.trendGeneration += 1;
    this.mismatchKey = "";
    this.live.setParams(this.params());
  }

  private say(text: string): void {
    byId("mw-mtls-message").textContent = text;
  }

  private stepMs(): number {
    const seconds = Number(obj(this.data.meta.window).seconds);
    return seconds > 0 ? seconds * 1000 : 300_000;
  }

  private addLivePoint(): void {
    const end = Date.parse(str(obj(this.data.meta.window).end));
    const ratio = obj(this.data.meta.mesh_wide).observed_ratio;
    this.trend = mergeTrend(this.trend, [{ t: end, ratio: isNum(ratio) ? ratio : null }], this.stepMs());
  }

  /** The mesh-wide share of the windows before this one, once per params (REST, `at=`). */
  private async backfillTrend(): Promise<void> {
    const generation = this.trendGeneration;
    const win = obj(this.data.meta.window);
    const end = Date.parse(str(win.end));
    const seconds = Number(win.seconds);
    if (!Number.isFinite(end) || !(seconds > 0) || this.trend.length > 2) return;
    const query = trendQuery(end, seconds, TREND_BACKFILL, wireNamespaces(this.state.namespaces));
    let points: TrendPoint[];
    try {
      points = trendPoints(await getJson<Obj>(`${this.api}/series?${query.toString()}`));
    } catch {
      return; // the live points still come; the past stays blank, not a broken page
    }
    if (generation !== this.trendGeneration) return; // the params changed meanwhile
    this.trend = mergeTrend(this.trend, points, this.stepMs());
    this.renderMesh();
  }

  private render(): void {
    this.renderMesh();
    this.renderTable();
    this.renderMismatches();
  }

  private renderMesh(): void {
    const mesh = obj(this.data.meta.mesh_wide);
    const trend = obj(mesh.trend);
    const win = obj(this.data.meta.window);
    replaceChildren(
      byId("mw-mtls-mesh"),
      el(
        "div",
        { class: "mw-mesh-card" },
        el("div", { class: "mw-big", id: "mw-mtls-mesh-ratio" }, isNum(mesh.observed_ratio) ? fmtPct(mesh.observed_ratio) : "no data"),
        ratioBar(mesh.observed_ratio, "mesh-wide mTLS"),
        el(
          "dl",
          { class: "mw-kv mw-kv-inline" },
          el("dt", {}, "Change vs previous window"),
          el("dd", { id: "mw-mtls-mesh-change" }, fmtChange(trend.change)),
          el("dt", {}, "Requests"),
          el("dd", {}, `${fmtNumber(Math.round(Number(mesh.requests) || 0))} (${fmtNumber(Math.round(Number(mesh.plaintext_requests) || 0))} plaintext)`),
          el("dt", {}, "Window"),
          el("dd", {}, `${fmtWhen(win.start)} – ${fmtWhen(win.end)}`),
        ),
      ),
      this.trendChart(),
    );
  }

  /** Bars per window, oldest left; a window without known protection is a marked gap. */
  private trendChart(): HTMLElement {
    const bars = this.trend.map((p) => {
      const bar = el("span", { class: "mw-spark-bar", "data-gap": p.ratio === null ? "true" : "false", title: `${fmtWhen(new Date(p.t).toISOString())}: ${p.ratio === null ? "no data" : fmtPct(p.ratio)}` });
      bar.style.height = `${p.ratio === null ? 100 : Math.max(2, p.ratio * 100)}%`;
      return bar;
    });
    return el(
      "figure",
      { class: "mw-spark-figure" },
      el("div", { class: "mw-spark", id: "mw-mtls-trend", role: "img", "aria-label": `mesh-wide mTLS over the last ${this.trend.length} windows`, "data-points": String(this.trend.length) }, ...bars),
      el("figcaption", { class: "mw-muted" }, `Mesh-wide coverage, one bar per ${this.state.window} window, newest right and updated every cycle (hatched: no data)`),
    );
  }

  private toggle(ns: string): void {
    if (this.state.open.has(ns)) this.state.open.delete(ns);
    else this.state.open.add(ns);
    writeUrl({ open: [...this.state.open].sort().join(",") }, false);
    this.renderTable();
    document.querySelector<HTMLButtonElement>(`button[data-toggle="${CSS.escape(ns)}"]`)?.focus();
  }

  private renderTable(): void {
    const rows: HTMLElement[] = [];
    for (const ns of this.data.items("namespaces")) {
      const name = str(ns.namespace ?? ns.id);
      const open = this.state.open.has(name);
      const side = sidecarCount(ns);
      const toggle = el("button", { type: "button", class: "mw-toggle", "data-toggle": name, "aria-expanded": String(open), "aria-label": `${open ? "Hide" : "Show"} workloads of ${name}` }, open ? "▾" : "▸");
      toggle.addEventListener("click", () => this.toggle(name));
      rows.push(
        el(
          "tr",
          { class: "mw-ns-row", "data-namespace": name },
          el("td", {}, toggle, " ", el("a", { href: graphHref(`namespace:${name}`) ?? "/" }, name)),
          el("td", {}, str(ns.mesh) || "none"),
          el("td", {}, badge("mw-mode", obj(ns.intended).mode), el("div", { class: "mw-muted" }, modeSummary(ns.intended))),
          el("td", {}, ratioBar(ns.observed_ratio)),
          el("td", { class: "mw-num" }, fmtNumber(Math.round(Number(ns.requests) || 0))),
          el("td", { class: "mw-num" }, fmtNumber(Math.round(Number(ns.plaintext_requests) || 0))),
          el("td", { class: "mw-num" }, fmtChange(obj(ns.trend).change)),
          el("td", {}, `${side.meshed} of ${side.total}`),
        ),
      );
      if (open) rows.push(...this.workloadRows(name, ns));
    }
    replaceChildren(
      byId("mw-mtls-coverage"),
      dataTable("mw-mtls-table", ["Namespace", "Mesh", "Intended mode", "Observed mTLS", "Requests", "Plaintext", "Change", "Sidecars"], rows, "No namespaces in this window."),
    );
  }

  private workloadRows(ns: string, data: Obj): HTMLElement[] {
    const workloads = Array.isArray(data.workloads) ? data.workloads.map(obj) : [];
    if (!workloads.length) return [el("tr", { class: "mw-wl-row" }, el("td", { colspan: "8", class: "mw-muted" }, "No workloads known in this namespace."))];
    return workloads.map((w) => {
      const id = str(w.id);
      const href = graphHref(id, ns);
      const ports = Object.entries(obj(w.ports)).map(([p, m]) => `${p}: ${str(m)}`).join(", ");
      const policies = Array.isArray(w.policies) ? w.policies.map((p) => str(p)).join(", ") : "";
      return el(
        "tr",
        { class: "mw-wl-row", "data-workload": id },
        el("td", { class: "mw-indent" }, href ? el("a", { href }, shortId(id)) : shortId(id)),
        el("td", {}, ports ? `ports ${ports}` : ""),
        el("td", {}, badge("mw-mode", w.intended_mode), policies ? el("div", { class: "mw-muted" }, policies) : null),
        el("td", {}, ratioBar(w.observed_ratio)),
        el("td", { class: "mw-num" }, fmtNumber(Math.round(Number(w.requests) || 0))),
        el("td", {}, ""),
        el("td", {}, ""),
        el("td", {}, str(w.sidecar) ? badge("mw-sidecar", w.sidecar) : el("span", { class: "mw-warn" }, "no proxy")),
      );
    });
  }

  /** Rebuilt only when the mismatches change, so a user selecting YAML is not interrupted. */
  private renderMismatches(): void {
    const items = sortMismatches(this.data.items("mismatches"));
    const key = JSON.stringify(items);
    if (key === this.mismatchKey) return;
    this.mismatchKey = key;
    byId("mw-mtls-mismatch-count").textContent = items.length ? `(${items.length})` : "";
    const blocks = items.map((m) => {
      const subjects = Array.isArray(m.subject_ids) ? m.subject_ids.map((s) => str(s)) : [];
      const links = subjects.slice(0, 20).map((s) => {
        const href = graphHref(s, str(m.namespace));
        return el("li", {}, href ? el("a", { href }, shortId(s)) : shortId(s));
      });
      const yaml = str(m.remedy_yaml);
      return el(
        "article",
        { class: "mw-remedy mw-mismatch", "data-kind": str(m.kind), "data-id": m.id },
        el("h4", {}, badge("mw-severity", m.severity), " ", str(m.kind).replaceAll("_", " "), " · ", str(m.namespace)),
        el("p", {}, str(m.remedy)),
        el("details", { class: "mw-evidence-box" }, el("summary", {}, "Evidence"), evidenceView(m.evidence)),
        links.length ? el("ul", { class: "mw-subjects" }, ...links) : null,
        yaml ? snippetBlock(yaml, "yaml") : el("p", { class: "mw-muted" }, "No YAML for this one: see the text above."),
      );
    });
    replaceChildren(byId("mw-mtls-mismatches"), ...(blocks.length ? blocks : [el("p", { class: "mw-muted" }, "No mismatches: intent and traffic agree.")]));
  }
}
