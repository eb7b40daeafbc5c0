// The side panel: every number the server sent about the clicked node or edge.
//
// Known fields come first, named and formatted; any field this code does not know yet still
// shows up under "Other fields", so a backend addition is visible before the UI catches up.
// All text goes through dom.ts (textContent only): names and labels come from the cluster.

import { el, type Attrs } from "./dom";
import { fmtBytes, fmtMs, fmtPct, fmtRps, fmtValue, isNum } from "./format";
import type { GraphEdge, GraphNode } from "./types";

type Row = [label: string, value: string];

export interface PanelContext {
  nodeName(id: string): string;
  onPick(group: "node" | "edge", id: string): void;
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
    ...remainingSections(node, NODE_KNOWN),
  );
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
    ...remainingSections(edge, EDGE_KNOWN),
    el("p", { class: "mw-muted mw-id" }, edge.id),
  );
}
