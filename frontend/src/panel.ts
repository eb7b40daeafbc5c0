// The side panel: every number the server sent about the clicked node or edge.
//
// Known fields come first, named and formatted; any field this code does not know yet still
// shows up under "Other fields", so a backend addition is visible before the UI catches up.
// All text goes through dom.ts (textContent only): names and labels come from the cluster.

import { el, type Attrs } from "./dom";
import { fmtBytes, fmtMs, fmtPct, fmtRps, fmtValue, isNum } from "./format";
import {
  edgeSubjectIds,
  fetchJson,
  findingsFor,
  HttpError,
  isAbort,
  metric,
  PAGE_SIZE,
  podsUrl,
  policiesFor,
  RefreshGate,
  seriesUrl,
  type AppliedPolicy,
  type Finding,
  type GetJson,
  type MeshPolicy,
  type NetworkPolicy,
  type Page,
  type Pod,
  type SeriesDoc,
  type ServiceSelector,
} from "./panel-data";
import { drawSparkline, type SparkOptions } from "./sparkline";
import type { GraphEdge, GraphNode } from "./types";

type Row = [label: string, value: string];

export interface PanelContext {
  nodeName(id: string): string;
  onPick(group: "node" | "edge", id: string): void;
  /** The graph's window and a fetcher: with them the panel adds its fetched sections
   *  (sparklines, pods, policies, findings). Without (the test harness) it shows the graph's numbers only. */
  live?: LiveSections;
}

/** What the fetched sections need from the graph page. */
export interface LiveSections {
  window?: string;
  at?: string;
  getJson?: GetJson;
  now?: () => number;
}

const NODE_KNOWN = new Set(["id", "kind", "namespace", "name", "app", "version", "mesh", "health", "outside", "position"]);
const EDGE_KNOWN = new Set([
  "id", "source", "target", "protocol", "rps", "error_ratio", "p50_ms", "p95_ms", "p99_ms", "mtls_ratio", "health",
]);

function table(rows: readonly Row[], attrs: Attrs = {}): HTMLElement {
  const dl = el("dl", { class: "mw-kv", ...attrs });
  for (const [label, value] of rows) dl.append(el("dt", {}, label), el("dd", {}, value));
  return dl;
}

function section(title: string, ...body: Node[]): HTMLElement {
  return el("section", { class: "mw-panel-section" }, el("h3", {}, title), ...body);
}

function healthBadge(health: unknown): HTMLElement {
  const value = typeof health === "string" ? health : "unknown";
  return el("span", { class: "mw-health", "data-health": value }, value);
}

/** A value formatted by what its dotted name says it holds (bytes, ratios, ms, rates). */
export function formatField(name: string, value: unknown): string {
  if (!isNum(value)) return fmtValue(value);
  if (/bytes_per_s/i.test(name)) return `${fmtBytes(value)}/s`;
  if (/bytes/i.test(name)) return fmtBytes(value);
  if (/(ratio|share)/i.test(name) || name.startsWith("errors.")) return fmtPct(value);
  if (/_ms(_|$)/i.test(name)) return fmtMs(value);
  if (/(^|[._])rps(_|$)/i.test(name)) return fmtRps(value);
  return fmtValue(value);
}

/** Nested objects are flattened to dotted keys so each fits one two-column table. */
export function flattenFields(object: Record<string, unknown>, prefix = ""): Row[] {
  const rows: Row[] = [];
  for (const [key, value] of Object.entries(object)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      rows.push(...flattenFields(value as Record<string, unknown>, name));
    } else {
      rows.push([name, formatField(name, value)]);
    }
  }
  return rows;
}

// Headings for the nested objects the graph builder sends (webapp/graph/render.py).
const SECTION_TITLES: Record<string, string> = {
  errors: "Errors by class (share of requests)",
  bytes_per_s: "Bytes per second",
  traffic: "Traffic",
  labels: "Labels",
};

/**
 * Every field the panel has not shown yet: each nested object becomes its own section (rows
 * named relative to it), scalars go together under "Other fields". Nothing is ever dropped.
 */
function remainingSections(object: Record<string, unknown>, shown: ReadonlySet<string>): HTMLElement[] {
  const scalars: Row[] = [];
  const sections: HTMLElement[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (shown.has(key)) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const rows = flattenFields(value as Record<string, unknown>, key).map(
        ([name, text]): Row => [name.slice(key.length + 1), text],
      );
      const body = rows.length ? table(rows) : el("p", { class: "mw-muted" }, "none");
      sections.push(section(SECTION_TITLES[key] ?? key, body));
    } else {
      scalars.push([key, formatField(key, value)]);
    }
  }
  if (scalars.length) sections.push(section("Other fields", table(scalars)));
  return sections;
}

function edgeList(edges: readonly GraphEdge[], end: "source" | "target", ctx: PanelContext): HTMLElement {
  if (edges.length === 0) return el("p", { class: "mw-muted" }, "none");
  const list = el("ul", { class: "mw-edge-list" });
  const sorted = [...edges].sort((a, b) => (b.rps ?? 0) - (a.rps ?? 0));
  for (const edge of sorted) {
    const button = el("button", { type: "button", class: "mw-link", "data-edge-id": edge.id }, ctx.nodeName(edge[end]));
    button.addEventListener("click", () => ctx.onPick("edge", edge.id));
    const numbers = `${fmtRps(edge.rps)} · ${fmtPct(edge.error_ratio)} err · p95 ${fmtMs(edge.p95_ms)}`;
    list.append(el("li", { "data-health": String(edge.health ?? "unknown") }, button, el("span", { class: "mw-muted" }, numbers)));
  }
  return list;
}

function sum(edges: readonly GraphEdge[]): number {
  return edges.reduce((total, e) => total + (isNum(e.rps) ? e.rps : 0), 0);
}

export function renderNodePanel(
  node: GraphNode,
  inbound: readonly GraphEdge[],
  outbound: readonly GraphEdge[],
  ctx: PanelContext,
): HTMLElement {
  return el(
    "div",
    { class: "mw-panel-body", "data-kind": "node", "data-id": node.id },
    el("h2", { class: "mw-panel-title" }, node.name),
    el("p", { class: "mw-panel-sub" }, `${node.kind} in ${node.namespace || "—"} `, healthBadge(node.health)),
    table([
      ["id", node.id],
      ["namespace", fmtValue(node.namespace)],
      ["kind", fmtValue(node.kind)],
      ["app", fmtValue(node.app)],
      ["version", fmtValue(node.version)],
      ["mesh", fmtValue(node.mesh)],
      ["outside the filter", node.outside ? "yes" : "no"],
      ["inbound rps", fmtRps(sum(inbound))],
      ["outbound rps", fmtRps(sum(outbound))],
    ]),
    section(`Inbound edges (${inbound.length})`, edgeList(inbound, "source", ctx)),
    section(`Outbound edges (${outbound.length})`, edgeList(outbound, "target", ctx)),
    ctx.live ? liveSections({ group: "node", id: node.id, node }, ctx.live) : null,
    ...remainingSections(node, NODE_KNOWN),
  );
}

// One side panel per page: its fetched sections survive the re-render every delta causes.
let details: DetailSections | null = null;

function liveSections(subject: Subject, live: LiveSections): HTMLElement {
  details ??= new DetailSections();
  return details.view(subject, live);
}

export function renderEdgePanel(edge: GraphEdge, ctx: PanelContext): HTMLElement {
  const source = el("button", { type: "button", class: "mw-link" }, ctx.nodeName(edge.source));
  const target = el("button", { type: "button", class: "mw-link" }, ctx.nodeName(edge.target));
  source.addEventListener("click", () => ctx.onPick("node", edge.source));
  target.addEventListener("click", () => ctx.onPick("node", edge.target));
  const mtls = edge.mtls_ratio;
  return el(
    "div",
    { class: "mw-panel-body", "data-kind": "edge", "data-id": edge.id },
    el("h2", { class: "mw-panel-title" }, source, " → ", target),
    el("p", { class: "mw-panel-sub" }, `${fmtValue(edge.protocol)} `, healthBadge(edge.health)),
    table([
      ["requests", fmtRps(edge.rps)],
      ["error ratio", fmtPct(edge.error_ratio)],
      ["p50", fmtMs(edge.p50_ms)],
      ["p95", fmtMs(edge.p95_ms)],
      ["p99", fmtMs(edge.p99_ms)],
      ["mTLS", isNum(mtls) ? `${fmtPct(mtls)} ${mtls >= 1 ? "\u{1F512}" : "\u{1F513}"}` : "unknown"],
    ]),
    ctx.live ? liveSections({ group: "edge", id: edge.id, edge }, ctx.live) : null,
    ...remainingSections(edge, EDGE_KNOWN),
    el("p", { class: "mw-muted mw-id" }, edge.id),
  );
}

// ---- The fetched sections: sparklines, pods, policies, findings ----

type Subject = { group: "node"; id: string; node: GraphNode } | { group: "edge"; id: string; edge: GraphEdge };

const SEVERITY_HEALTH: Record<string, string> = { critical: "failure", error: "failure", warning: "degraded" };

function note(text: string, state: string): HTMLElement {
  return el("p", { class: "mw-muted", "data-state": state }, text);
}

function failure(what: string, error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return note(`could not load ${what}: ${message}`, "error");
}

// Rows of a `dl.mw-kv` (the panel's own two-column grid): the page's CSP forbids style attributes.
function sparkRow(key: string, label: string, values: (number | null)[], fmt: (v: unknown) => string, colour: string, options: SparkOptions = {}): Node[] {
  const canvas = el("canvas", { width: "120", height: "24", "data-metric": key, role: "img", "aria-label": `${label} over the window` });
  drawSparkline(canvas, values, colour, options);
  const latest = [...values].reverse().find((v) => v !== null);
  return [el("dt", {}, label), el("dd", { "data-metric": key }, canvas, " ", el("span", { class: "mw-spark-value" }, fmt(latest)))];
}

/** The four metrics of the subject's main series, plus a node's outbound rate. */
export function renderSeries(doc: SeriesDoc, group: "node" | "edge"): HTMLElement[] {
  const series = Array.isArray(doc.series) ? doc.series : [];
  const main = series.find((s) => s.name === (group === "edge" ? "edge" : "inbound"))?.points ?? [];
  const out = series.find((s) => s.name === "outbound")?.points;
  const rows = [
    sparkRow("rps", group === "edge" ? "requests" : "requests in", metric(main, "rps"), fmtRps, "#2b9af3"),
    out ? sparkRow("rps_out", "requests out", metric(out, "rps"), fmtRps, "#8476d1") : null,
    sparkRow("error_ratio", "errors", metric(main, "error_ratio"), fmtPct, "#c9190b"),
    sparkRow("p95_ms", "p95", metric(main, "p95_ms"), fmtMs, "#f0ab00"),
    sparkRow("mtls_ratio", "mTLS", metric(main, "mtls_ratio"), fmtPct, "#3e8635", { domain: [0, 1] }),
  ];
  const step = isNum(doc.step_s) ? `${doc.step_s} s` : "?";
  return [el("dl", { class: "mw-kv mw-sparks" }, ...rows.flatMap((row) => row ?? [])), el("p", { class: "mw-muted" }, `${main.length} points of ${step}; gaps: no good cycle`)];
}

/** A workload's pods, one entry each (a six-column table does not fit the panel); the list is
 *  the API's first page (200), and says so when cut. */
export function renderPods(page: Page<Pod>): HTMLElement {
  const pods = Array.isArray(page.results) ? page.results : [];
  if (!pods.length) return note("no pods", "empty");
  const list = el("ul", { class: "mw-edge-list mw-pods" });
  for (const p of pods) {
    const facts = [
      p.ready ? "ready" : "not ready",
      `node ${fmtValue(p.node)}`,
      `IP ${fmtValue(p.ip)}`,
      `${fmtValue(p.restarts)} restarts`,
      `sidecar ${fmtValue(p.mesh?.sidecar)}`,
    ];
    const health = p.ready ? "healthy" : "failure";
    list.append(el("li", { "data-pod": String(p.name), "data-health": health }, el("strong", {}, fmtValue(p.name)), el("span", { class: "mw-muted" }, facts.join(" · "))));
  }
  const more = isNum(page.count) && page.count > pods.length ? note(`${pods.length} of ${page.count} shown`, "partial") : null;
  return el("div", {}, list, more ?? "");
}

/** The policies `policiesFor` found, each with the reason it applies. */
export function renderPolicies(applied: readonly AppliedPolicy[]): HTMLElement {
  if (!applied.length) return note("none select it", "empty");
  const list = el("ul", { class: "mw-edge-list mw-policies" });
  for (const p of applied) {
    const kind = p.mesh ? `${p.kind} (${p.mesh})` : p.kind;
    list.append(el("li", { "data-kind": p.kind }, el("strong", {}, fmtValue(p.name)), el("span", { class: "mw-muted" }, `${kind}: ${p.why}`)));
  }
  return list;
}

/** Open findings about the selection, coloured by severity. */
export function renderFindings(findings: readonly Finding[]): HTMLElement {
  if (!findings.length) return note("no open findings", "empty");
  const list = el("ul", { class: "mw-edge-list mw-findings" });
  for (const f of findings) {
    const severity = String(f.severity ?? "info");
    list.append(
      el(
        "li",
        { "data-finding": String(f.id), "data-health": SEVERITY_HEALTH[severity] ?? "unknown" },
        el("strong", {}, `${severity}: ${fmtValue(f.title ?? f.check)}`),
        el("span", { class: "mw-muted" }, fmtValue(f.message)),
      ),
    );
  }
  return list;
}

/** The namespace in a graph node id (workload:<ns>/<name>); "" for unknown and external ids. */
function namespaceOf(id: string): string {
  const match = /^[a-z]+:([a-z0-9][-a-z0-9]*)\//.exec(id);
  return match?.[1] ?? "";
}

/**
 * The panel's fetched sections for the selection. One instance per page: the graph page
 * re-renders the panel on every delta, and `view` hands back the same element each time,
 * fetching only for a new subject or window, or (live) at most every REFRESH_MS.
 */
export class DetailSections {
  private readonly gate = new RefreshGate();
  private root: HTMLElement = el("div");

  view(subject: Subject, live: LiveSections): HTMLElement {
    const now = (live.now ?? Date.now)();
    const key = JSON.stringify([subject.group, subject.id, live.window ?? "", live.at ?? ""]);
    const decision = this.gate.decide(key, Boolean(live.at), now);
    if (decision === "keep") return this.root;
    if (decision === "new") this.root = this.skeleton(subject);
    this.load(subject, live, this.gate.begin(key, now));
    return this.root;
  }

  private skeleton(subject: Subject): HTMLElement {
    const names: [string, string][] = [["series", "Over the window"]];
    if (subject.group === "node") names.push(["pods", "Pods"], ["policies", "Policies that select it"]);
    names.push(["findings", "Open findings"]);
    const sections = names.map(([name, title]) =>
      el("section", { class: "mw-panel-section", "data-section": name }, el("h3", {}, title), note("loading…", "loading")),
    );
    return el("div", { class: "mw-panel-live" }, ...sections);
  }

  private fill(name: string, ...body: Node[]): void {
    const section = this.root.querySelector(`[data-section="${name}"]`);
    const heading = section?.querySelector("h3");
    if (!section || !heading) return;
    section.replaceChildren(heading, ...body);
  }

  private settle<T>(signal: AbortSignal, name: string, what: string, work: Promise<T>, render: (data: T) => Node | Node[]): void {
    work
      .then((data) => {
        if (signal.aborted) return;
        const body = render(data); // a malformed answer throws here and is reported below
        this.fill(name, ...(Array.isArray(body) ? body : [body]));
      })
      .catch((error: unknown) => {
        if (signal.aborted || isAbort(error)) return;
        // The insights API is optional (an older server): its absence is a gap, not a failure.
        if (name === "findings" && error instanceof HttpError && error.status === 404) this.fill(name, note("findings unavailable", "unavailable"));
        else this.fill(name, failure(what, error));
      });
  }

  private load(subject: Subject, live: LiveSections, signal: AbortSignal): void {
    const get = live.getJson ?? fetchJson;
    const node = subject.group === "node" ? subject.node : null;
    if (node?.kind === "external") {
      for (const name of ["series", "pods", "policies", "findings"]) this.fill(name, note("outside the namespaces you may see", "empty"));
      return;
    }
    if (subject.group === "edge" && [subject.edge.source, subject.edge.target].some((end) => end.startsWith("external:"))) {
      // The series API answers for ids it can name; an opaque end is one it may not.
      this.fill("series", note("one end is outside the namespaces you may see: no series", "empty"));
    } else if (subject.group === "edge" && subject.edge.source.startsWith("service:")) {
      // Samples name the calling workload, never a calling service (api/v1/series says why).
      this.fill("series", note("a service → service edge has no series of its own: select its target", "empty"));
    } else {
      const url = seriesUrl(subject.group, subject.id, live.window, live.at);
      this.settle(signal, "series", "the series", get<SeriesDoc>(url, signal), (doc) => renderSeries(doc, subject.group));
    }
    if (node) this.loadInventory(node, get, signal);
    const ids = subject.group === "edge" ? edgeSubjectIds(subject.edge) : [subject.id];
    const ends = subject.group === "edge" ? [subject.edge.source, subject.edge.target] : [subject.id];
    const namespaces = [...new Set(ends.map(namespaceOf).filter(Boolean))].join(",");
    if (!namespaces) {
      this.fill("findings", note("none: findings name a namespace", "empty"));
      return;
    }
    const query = new URLSearchParams({ namespace: namespaces, state: "open", page_size: String(PAGE_SIZE) });
    const page = get<Page<Finding>>(`/api/v1/insights?${query.toString()}`, signal);
    this.settle(signal, "findings", "findings", page, (p) => renderFindings(findingsFor(Array.isArray(p.results) ? p.results : [], ids)));
  }

  private loadInventory(node: GraphNode, get: GetJson, signal: AbortSignal): void {
    const url = podsUrl(node);
    if (!url) {
      const why = "policies and pods belong to workloads: select one behind it";
      this.fill("pods", note(why, "empty"));
      this.fill("policies", note(why, "empty"));
      return;
    }
    const pods = get<Page<Pod>>(url, signal);
    this.settle(signal, "pods", "pods", pods, renderPods);
    const query = new URLSearchParams({ namespace: node.namespace, page_size: String(PAGE_SIZE) }).toString();
    const lists = Promise.all([
      pods.catch(() => null), // without pods, the node's own labels stand in for theirs
      get<Page<NetworkPolicy>>(`/api/v1/network-policies?${query}`, signal),
      get<Page<MeshPolicy>>(`/api/v1/mesh-policies?${query}`, signal),
      // Services only resolve AuthorizationPolicy targetRefs: without them those are left out.
      get<Page<ServiceSelector>>(`/api/v1/services?${query}`, signal).catch(() => null),
    ]);
    this.settle(signal, "policies", "policies", lists, ([podPage, nps, mps, services]) => {
      const fromPod = podPage?.results?.[0]?.labels;
      const labels = fromPod ?? (node.labels && typeof node.labels === "object" ? (node.labels as Record<string, string>) : {});
      return renderPolicies(policiesFor(labels, nps.results ?? [], mps.results ?? [], services?.results ?? []));
    });
  }
}
