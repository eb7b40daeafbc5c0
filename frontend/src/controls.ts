// The toolbar: graph type, namespace filter and edge label mode.
//
// Filters live in the page URL (?graph_type=app&namespaces=a,b&window=1h&at=…&sel=node:…&find=…&group=namespace)
// so a reload or a shared link shows the same graph, and back/forward walk through the user's
// changes; the label mode is only a way of looking and stays out of the URL.

import { el, replaceChildren } from "./dom";
import { LABEL_MODES, type LabelMode } from "./graph";
import { GRAPH_TYPES, type GraphParams, type GraphType } from "./types";

export interface ControlElements {
  graphType: HTMLSelectElement;
  labelMode: HTMLSelectElement;
  namespaceText: HTMLInputElement;
  namespaceList: HTMLElement;
  namespaceSummary: HTMLElement;
}

export interface ControlEvents {
  onParams(params: GraphParams): void;
  onLabelMode(mode: LabelMode): void;
}

/** "b, a,,a" → "a,b": the canonical comma list the server also produces. */
export function normaliseNamespaces(text: string): string {
  const names = new Set(text.split(",").map((s) => s.trim()).filter(Boolean));
  return [...names].sort().join(",");
}

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d|w|y)$/;

export function paramsFromUrl(search: string, fallback: GraphType = "workload"): GraphParams {
  const query = new URLSearchParams(search);
  const type = query.get("graph_type") as GraphType | null;
  const params: GraphParams = {
    graph_type: type && GRAPH_TYPES.includes(type) ? type : fallback,
    namespaces: normaliseNamespaces(query.get("namespaces") ?? ""),
  };
  const window = query.get("window");
  if (window && DURATION.test(window)) params.window = window;
  const at = query.get("at");
  if (at && Number.isFinite(Date.parse(at))) params.at = new Date(Date.parse(at)).toISOString();
  return params;
}

// For a user limited to some namespaces, "all" means those: the server refuses a bare "all"
// from them, since live views are shared by their params. Empty for everyone else.
let scopeNamespaces = "";

export function setScopeNamespaces(names: readonly string[] | null | undefined): void {
  scopeNamespaces = (names ?? []).join(",");
}

/** The namespaces to ask for: the chosen ones, or all the user may see. */
export function wireNamespaces(chosen: string): string {
  return chosen || scopeNamespaces;
}

/** The subscribe/REST params: unset optional keys are left out, not sent empty. */
export function wireParams(params: GraphParams): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    graph_type: params.graph_type,
    namespaces: wireNamespaces(params.namespaces),
  };
  if (params.window) wire.window = params.window;
  if (params.at) wire.at = params.at;
  return wire;
}

export function sameParams(a: GraphParams, b: GraphParams): boolean {
  return JSON.stringify(wireParams(a)) === JSON.stringify(wireParams(b));
}

/** Everything of the graph page a link carries. */
export interface GraphUrlState {
  params: GraphParams;
  selection: { group: "node" | "edge"; id: string } | null;
  find: string;
  hide: string;
  problems: boolean;
  /** Nodes in one box per namespace (`group=namespace`). */
  group: boolean;
}

export function stateFromUrl(search: string): GraphUrlState {
  const query = new URLSearchParams(search);
  const sel = query.get("sel") ?? "";
  const [group, ...rest] = sel.split(":");
  const id = rest.join(":");
  return {
    params: paramsFromUrl(search),
    selection: (group === "node" || group === "edge") && id ? { group, id } : null,
    find: query.get("find") ?? "",
    hide: query.get("hide") ?? "",
    problems: query.get("problems") === "1",
    group: query.get("group") === "namespace",
  };
}

function setOrDelete(url: URL, key: string, value: string | undefined): void {
  if (value) url.searchParams.set(key, value);
  else url.searchParams.delete(key);
}

export function urlWithParams(href: string, params: GraphParams): string {
  const url = new URL(href);
  url.searchParams.set("graph_type", params.graph_type);
  setOrDelete(url, "namespaces", params.namespaces);
  setOrDelete(url, "window", params.window);
  setOrDelete(url, "at", params.at);
  return url.toString();
}

export function urlWithState(href: string, state: GraphUrlState): string {
  const url = new URL(urlWithParams(href, state.params));
  setOrDelete(url, "sel", state.selection ? `${state.selection.group}:${state.selection.id}` : "");
  setOrDelete(url, "find", state.find);
  setOrDelete(url, "hide", state.hide);
  setOrDelete(url, "problems", state.problems ? "1" : "");
  setOrDelete(url, "group", state.group ? "namespace" : "");
  return url.toString();
}

export class Controls {
  private params: GraphParams;
  private known: string[] = [];

  constructor(
    private readonly els: ControlElements,
    initial: GraphParams,
    private readonly events: ControlEvents,
  ) {
    this.params = initial;
    els.graphType.value = initial.graph_type;
    els.namespaceText.value = initial.namespaces;
    this.renderSummary();
    els.graphType.addEventListener("change", () => this.change({ graph_type: els.graphType.value as GraphType }));
    els.namespaceText.addEventListener("change", () => this.change({ namespaces: els.namespaceText.value }));
    els.labelMode.addEventListener("change", () => {
      const mode = els.labelMode.value as LabelMode;
      if (LABEL_MODES.includes(mode)) events.onLabelMode(mode);
    });
  }

  get current(): GraphParams {
    return { ...this.params };
  }

  /** Shows params restored from the URL (back/forward) without announcing them again. */
  show(params: GraphParams): void {
    this.params = { ...params };
    this.els.graphType.value = params.graph_type;
    this.els.namespaceText.value = params.namespaces;
    this.renderList();
    this.renderSummary();
  }

  /** Time params come from the time controls; they ride along with the filters. */
  setTime(time: { window?: string; at?: string }): void {
    const next: GraphParams = { graph_type: this.params.graph_type, namespaces: this.params.namespaces };
    if (time.window) next.window = time.window;
    if (time.at) next.at = time.at;
    if (sameParams(next, this.params)) return;
    this.params = next;
    this.events.onParams(this.current);
  }

  /** Checkboxes for every namespace seen so far; rebuilt only when that set changes. */
  setKnownNamespaces(names: Iterable<string>): void {
    const sorted = [...new Set(names)].sort();
    if (sorted.join("\n") === this.known.join("\n")) return;
    this.known = sorted;
    this.renderList();
  }

  private change(update: Partial<GraphParams>): void {
    const next = { ...this.params, ...update };
    next.namespaces = normaliseNamespaces(next.namespaces);
    this.els.namespaceText.value = next.namespaces;
    if (sameParams(next, this.params)) return;
    this.params = next;
    this.renderList();
    this.renderSummary();
    this.events.onParams(this.current);
  }

  private renderSummary(): void {
    this.els.namespaceSummary.textContent = this.params.namespaces ? this.params.namespaces.replaceAll(",", ", ") : "all";
  }

  private renderList(): void {
    const chosen = new Set(this.params.namespaces.split(",").filter(Boolean));
    const names = [...new Set([...this.known, ...chosen])].sort();
    const boxes = names.map((name) => {
      const box = el("input", { type: "checkbox", value: name });
      box.checked = chosen.has(name);
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(name);
        else chosen.delete(name);
        this.change({ namespaces: [...chosen].join(",") });
      });
      return el("label", { class: "mw-check" }, box, name);
    });
    replaceChildren(this.els.namespaceList, ...boxes);
  }
}
