// The toolbar: graph type, namespace filter and edge label mode.
//
// Filters live in the page URL (?graph_type=app&namespaces=a,b) so a reload or a shared link
// shows the same graph; the label mode is only a way of looking and stays out of the URL.

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

export function paramsFromUrl(search: string, fallback: GraphType = "workload"): GraphParams {
  const query = new URLSearchParams(search);
  const type = query.get("graph_type") as GraphType | null;
  return {
    graph_type: type && GRAPH_TYPES.includes(type) ? type : fallback,
    namespaces: normaliseNamespaces(query.get("namespaces") ?? ""),
  };
}

export function urlWithParams(href: string, params: GraphParams): string {
  const url = new URL(href);
  url.searchParams.set("graph_type", params.graph_type);
  if (params.namespaces) url.searchParams.set("namespaces", params.namespaces);
  else url.searchParams.delete("namespaces");
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
    if (next.graph_type === this.params.graph_type && next.namespaces === this.params.namespaces) return;
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
