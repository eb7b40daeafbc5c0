// Small builders the mTLS, Insights and Inventory views share: badges, ratio bars, copy
// buttons, key/value evidence, "since 14:02, 12 min", links into the graph and URL filters.
// Everything from the cluster goes through el() as text (see dom.ts).

import { el } from "./dom";
import { fmtClock, fmtPct, fmtValue, isNum } from "./format";

export type Obj = Record<string, unknown>;

export function obj(value: unknown): Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

export function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : value === null || value === undefined ? fallback : String(value);
}

/** A coloured pill; `cls` picks the palette (mw-severity, mw-state, mw-mode). */
export function badge(cls: string, value: unknown): HTMLElement {
  const text = str(value) || "unknown";
  return el("span", { class: cls, "data-value": text }, text);
}

/** A 0..1 share as a bar and its percentage; null reads as "no data", not as 0%. */
export function ratioBar(ratio: unknown, label = "observed mTLS"): HTMLElement {
  const known = isNum(ratio);
  const fill = el("span", { class: "mw-bar-fill" });
  // Through CSSOM, not a style attribute: a strict CSP forbids inline styles.
  fill.style.width = `${known ? Math.max(0, Math.min(1, ratio)) * 100 : 0}%`;
  const level = !known ? "none" : ratio >= 0.999 ? "full" : ratio > 0 ? "partial" : "zero";
  return el(
    "span",
    { class: "mw-bar-cell", title: `${label}: ${known ? fmtPct(ratio) : "no traffic with known protection"}` },
    el("span", { class: "mw-bar", "data-level": level, role: "img", "aria-label": `${label} ${known ? fmtPct(ratio) : "unknown"}` }, fill),
    el("span", { class: "mw-bar-text" }, known ? fmtPct(ratio) : "no data"),
  );
}

/** A signed change in percentage points ("+0.8 pt"), or a dash. */
export function fmtChange(change: unknown): string {
  if (!isNum(change)) return "—";
  const pt = change * 100;
  if (Math.abs(pt) < 0.05) return "±0 pt";
  return `${pt > 0 ? "+" : "−"}${Math.abs(pt).toFixed(1)} pt`;
}

/** Copies `text`, saying so on `button` (or asking for a manual copy when not allowed). */
export async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy by hand";
  }
  setTimeout(() => (button.textContent = "Copy"), 2000);
}

/** A snippet in a <pre> with a Copy button (the button copies exactly the text shown). */
export function snippetBlock(snippet: string, language = "yaml"): HTMLElement {
  const button = el("button", { type: "button", class: "mw-button mw-copy", "aria-label": `Copy ${language}` }, "Copy");
  button.addEventListener("click", () => void copyText(snippet, button));
  return el("div", { class: "mw-pre-wrap" }, button, el("pre", { "data-language": language }, snippet));
}

const MAX_DEPTH = 4;
const MAX_ITEMS = 50;

/** Any JSON value readable: objects as nested key/value lists, lists of scalars joined. */
export function evidenceView(value: unknown, depth = 0): Node {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== "object" || v === null)) {
      const shown = value.slice(0, MAX_ITEMS).map(fmtValue).join(", ");
      return document.createTextNode(value.length > MAX_ITEMS ? `${shown}, … (${value.length} in all)` : shown || "—");
    }
    if (depth >= MAX_DEPTH) return document.createTextNode(JSON.stringify(value).slice(0, 500));
    return el("ol", { class: "mw-evidence-list" }, ...value.slice(0, MAX_ITEMS).map((v) => el("li", {}, evidenceView(v, depth + 1))));
  }
  if (typeof value === "object" && value !== null) {
    if (depth >= MAX_DEPTH) return document.createTextNode(JSON.stringify(value).slice(0, 500));
    const entries = Object.entries(value as Obj).slice(0, MAX_ITEMS);
    if (!entries.length) return document.createTextNode("—");
    return el("dl", { class: "mw-kv mw-evidence" }, ...entries.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, evidenceView(v, depth + 1))]));
  }
  return document.createTextNode(typeof value === "number" && !Number.isInteger(value) ? String(Math.round(value * 1000) / 1000) : fmtValue(value));
}

/** "12 min", "3 h 5 min", "2 d 4 h": how long ago `fromMs` was at `nowMs`. */
export function fmtDuration(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 1) return "<1 min";
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "since 14:02, 12 min" (local clock; the date too once it is not today). */
export function fmtSince(iso: unknown, nowMs: number = Date.now()): string {
  const t = typeof iso === "string" ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return "—";
  const d = new Date(t);
  const sameDay = new Date(nowMs).toDateString() === d.toDateString();
  const clock = fmtClock(d).slice(0, 5);
  const when = sameDay ? clock : `${d.toISOString().slice(0, 10)} ${clock}`;
  return `since ${when}, ${fmtDuration(nowMs - t)}`;
}

/** A time as "2026-11-02 14:02:05" (local clock), or a dash. */
export function fmtWhen(iso: unknown): string {
  const t = typeof iso === "string" ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return "—";
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtClock(d)}`;
}

/**
 * Where a subject is on the graph page (its URL state: graph_type, namespaces, sel=node:|edge:),
 * or null when the graph has no such element (pods, nodes, the cluster).
 * Ids: workload:ns/name, service:ns/name, app:ns/app, edge:<src>><dst>, namespace:ns.
 */
export function graphHref(subjectId: string, namespace = ""): string | null {
  const query = new URLSearchParams();
  const [kind = "", ...rest] = subjectId.split(":");
  const tail = rest.join(":");
  // An opaque end (external:<hash>, a namespace the viewer may not see) names no namespace.
  const nsOf = (id: string) => (id.includes(":") && !id.startsWith("external:") ? id.split(":")[1]?.split("/")[0] ?? "" : "");
  if (kind === "workload" || kind === "app" || kind === "service") {
    query.set("graph_type", kind === "service" ? "service" : kind === "app" ? "app" : "workload");
    query.set("namespaces", namespace || nsOf(subjectId));
    query.set("sel", `node:${subjectId}`);
  } else if (kind === "edge" && tail) {
    // Both ends' namespaces, so a cross-namespace edge is drawn with both of its nodes.
    const ends = tail.split("|")[0]?.split(">") ?? [];
    const names = new Set(ends.map(nsOf).filter(Boolean));
    if (namespace) names.add(namespace);
    query.set("graph_type", "workload");
    if (names.size) query.set("namespaces", [...names].sort().join(","));
    query.set("sel", `edge:${tail}`);
  } else if (kind === "namespace" && tail) {
    query.set("graph_type", "workload");
    query.set("namespaces", tail);
  } else {
    return null;
  }
  return `/?${query.toString()}`;
}

/** Sets or deletes each key of `values` on the page URL; `push` adds a history entry. */
export function writeUrl(values: Record<string, string | undefined>, push: boolean): void {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  if (url.toString() === window.location.href) return;
  if (push) window.history.pushState(null, "", url.toString());
  else window.history.replaceState(null, "", url.toString());
}

/** A plain table: header texts and rows of cells (strings become text nodes). */
export function dataTable(id: string, headers: string[], rows: HTMLElement[], empty: string): HTMLElement {
  if (!rows.length) return el("p", { class: "mw-muted", id }, empty);
  return el(
    "table",
    { class: "mw-table", id },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows),
  );
}

export function row(cells: (string | Node)[], attrs: Record<string, string> = {}, numeric: number[] = []): HTMLElement {
  return el("tr", attrs, ...cells.map((c, i) => el("td", numeric.includes(i) ? { class: "mw-num" } : {}, c)));
}

/** Labels as a wrapped list of `key=value` chips. */
export function labelChips(labels: unknown, max = 12): Node {
  const entries = Object.entries(obj(labels));
  if (!entries.length) return document.createTextNode("—");
  const chips = entries.slice(0, max).map(([k, v]) => el("span", { class: "mw-chip" }, `${k}=${str(v)}`));
  return el("span", { class: "mw-chips" }, ...chips, entries.length > max ? el("span", { class: "mw-muted" }, `+${entries.length - max}`) : null);
}

/** Namespace names as typed in a filter box: trimmed, de-duplicated, sorted, comma-joined. */
export function normaliseList(text: string): string {
  return [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))].sort().join(",");
}
