// The service graph on screen: Cytoscape with a preset layout fed by server positions.
//
// A force layout would re-shuffle the picture on every cycle and took 100 s for 1,000 nodes in
// headless Chromium (DESIGN.md §5); preset paints in well under a second. The view keeps the raw
// server objects next to Cytoscape so the side panel can show every field, and it applies
// snapshots as diffs so a resync after a reconnect does not move what the user was looking at.

import cytoscape from "cytoscape";

import { edgeSubject, matches, nodeSubject, type Expr } from "./findexpr";
import { fmtMs, fmtPct, fmtRps, fmtThroughput, isNum } from "./format";
import { isPosition, placeNewcomers, type Newcomer } from "./placement";
import { stylesheet } from "./style";
import { currentTheme } from "./theme";
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot, Position } from "./types";

export type LabelMode = "rps" | "p95" | "error" | "mtls" | "none";
export const LABEL_MODES: readonly LabelMode[] = ["rps", "p95", "error", "mtls", "none"];

export type Selection = { group: "node"; id: string } | { group: "edge"; id: string } | null;

const KINDS = new Set(["workload", "service", "app"]);
const HEALTHS = new Set(["healthy", "degraded", "failure", "idle", "unknown"]);

/** The text next to an edge for the chosen mode, with a lock when mTLS is known. */
export function edgeLabel(edge: GraphEdge, mode: LabelMode): string {
  if (mode === "none") return "";
  const text =
    // TCP carries no requests: its traffic is bytes, so "0 rps" would hide a busy edge.
    mode === "rps" ? (edge.protocol === "tcp" ? fmtThroughput(edge.bytes_per_s) : fmtRps(edge.rps))
    : mode === "p95" ? fmtMs(edge.p95_ms)
    : mode === "error" ? fmtPct(edge.error_ratio)
    : fmtPct(edge.mtls_ratio);
  const mtls = edge.mtls_ratio;
  const lock = isNum(mtls) ? (mtls >= 1 ? "\u{1F512} " : "\u{1F513} ") : "";
  return lock + text;
}

/** Width grows with log(rps): 0.1 rps and 1,000 rps must both stay readable. */
export function edgeWidth(rps: unknown): number {
  if (!isNum(rps) || rps <= 0) return 1;
  return Math.min(9, 1 + 1.6 * Math.log10(1 + rps));
}

function nodeData(node: GraphNode): Record<string, unknown> {
  const kind = KINDS.has(node.kind) ? node.kind : "unknown";
  const health = typeof node.health === "string" && HEALTHS.has(node.health) ? node.health : "unknown";
  // Cytoscape has one font size per label, so the namespace goes on a second line instead.
  const label = node.namespace ? `${node.name}\n${node.namespace}` : String(node.name);
  return { id: node.id, kind, health, label, outside: node.outside === true };
}

function edgeData(edge: GraphEdge, mode: LabelMode): Record<string, unknown> {
  const health = typeof edge.health === "string" && HEALTHS.has(edge.health) ? edge.health : "unknown";
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    health,
    width: edgeWidth(edge.rps),
    label: edgeLabel(edge, mode),
  };
}

// Cytoscape adds a <style> element to <head> (which a strict CSP blocks) unless an element with
// this id already exists. Its one rule, `position: relative` on the container, is in
// meshwatch.css instead, so a placeholder element is enough.
const CYTOSCAPE_STYLESHEET_ID = "__________cytoscape_stylesheet";

function preventInjectedStylesheet(): void {
  if (document.getElementById(CYTOSCAPE_STYLESHEET_ID)) return;
  const placeholder = document.createElement("meta");
  placeholder.id = CYTOSCAPE_STYLESHEET_ID;
  document.head.append(placeholder);
}

/** What the toolbar asks the view to show: find highlights, hide removes, problems narrows. */
export interface GraphFilters {
  find: Expr;
  hide: Expr;
  problemsOnly: boolean;
}

const PROBLEMS = new Set(["degraded", "failure"]);

export interface GraphViewEvents {
  onSelect(selection: Selection): void;
}

export class GraphView {
  readonly cy: cytoscape.Core;
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  /** Every namespace seen since the page loaded, so a filter can be widened again. */
  readonly seenNamespaces = new Set<string>();
  labelMode: LabelMode = "rps";
  filters: GraphFilters = { find: [], hide: [], problemsOnly: false };
  private fitPending = true;

  constructor(container: HTMLElement, events: GraphViewEvents) {
    preventInjectedStylesheet();
    this.cy = cytoscape({
      container,
      style: stylesheet(currentTheme()),
      layout: { name: "preset" },
      minZoom: 0.05,
      maxZoom: 4,
      selectionType: "single",
      boxSelectionEnabled: false,
    });
    window.addEventListener("meshwatch:theme", () => this.cy.style(stylesheet(currentTheme())));
    // Cytoscape only watches the window; the side panel opening narrows the container too.
    new ResizeObserver(() => this.cy.resize()).observe(container);
    this.cy.on("tap", "node, edge", (event) => {
      const target = event.target as cytoscape.SingularElementReturnValue;
      events.onSelect({ group: target.isNode() ? "node" : "edge", id: target.id() });
    });
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) events.onSelect(null);
    });
  }

  /** The next snapshot fits the viewport to the graph (first paint, new filters). */
  refitOnNextSnapshot(): void {
    this.fitPending = true;
  }

  /** A snapshot is the whole truth: diff it against the screen so survivors keep their place. */
  applySnapshot(data: GraphSnapshot): void {
    const nodeIds = new Set(data.nodes.map((n) => n.id));
    const edgeIds = new Set(data.edges.map((e) => e.id));
    const goneNodes = [...this.nodes.keys()].filter((id) => !nodeIds.has(id));
    const goneEdges = [...this.edges.keys()].filter((id) => !edgeIds.has(id));
    this.cy.batch(() => {
      this.remove(goneNodes, goneEdges);
      // Nothing left on screen (first paint, another graph type): the server's layout wins.
      this.upsert(data.nodes, data.edges, this.nodes.size === 0);
    });
    this.applyFilters();
    if (this.fitPending && this.nodes.size > 0) {
      this.cy.fit(undefined, 30);
      this.fitPending = false;
    }
  }

  applyDelta(delta: GraphDelta): void {
    this.cy.batch(() => {
      this.remove(delta.remove?.nodes ?? [], delta.remove?.edges ?? []);
      this.upsert(delta.upsert?.nodes ?? [], delta.upsert?.edges ?? [], false);
    });
    this.applyFilters();
  }

  setFilters(filters: GraphFilters): void {
    this.filters = filters;
    this.applyFilters();
  }

  /**
   * Marks every element: `mw-hidden` (hide matched, or not a problem when only problems
   * show), `mw-found` / `mw-dimmed` while a find is active. O(nodes + edges), run after
   * every update, so new elements are judged like old ones.
   */
  applyFilters(): void {
    const { find, hide, problemsOnly } = this.filters;
    const hiddenNodes = new Set<string>();
    const shownEdges = new Set<string>();
    const problemNodes = new Set<string>();
    for (const edge of this.edges.values()) {
      const problem = PROBLEMS.has(String(edge.health));
      if (problem) problemNodes.add(edge.source).add(edge.target);
    }
    for (const node of this.nodes.values()) {
      const drop =
        (hide.length > 0 && matches(hide, nodeSubject(node))) ||
        (problemsOnly && !PROBLEMS.has(String(node.health)) && !problemNodes.has(node.id));
      if (drop) hiddenNodes.add(node.id);
    }
    for (const edge of this.edges.values()) {
      const drop =
        hiddenNodes.has(edge.source) ||
        hiddenNodes.has(edge.target) ||
        (hide.length > 0 && matches(hide, edgeSubject(edge, this.nodes))) ||
        (problemsOnly && !PROBLEMS.has(String(edge.health)));
      if (!drop) shownEdges.add(edge.id);
    }
    const finding = find.length > 0;
    this.cy.batch(() => {
      this.cy.nodes().forEach((n) => {
        const node = this.nodes.get(n.id());
        n.toggleClass("mw-hidden", hiddenNodes.has(n.id()));
        const found = finding && node !== undefined && matches(find, nodeSubject(node));
        n.toggleClass("mw-found", found);
        n.toggleClass("mw-dimmed", finding && !found);
      });
      this.cy.edges().forEach((e) => {
        const edge = this.edges.get(e.id());
        e.toggleClass("mw-hidden", !shownEdges.has(e.id()));
        const found = finding && edge !== undefined && matches(find, edgeSubject(edge, this.nodes));
        e.toggleClass("mw-found", found);
        e.toggleClass("mw-dimmed", finding && !found);
      });
    });
  }

  /** Ids of what is on screen now (not hidden), for tests and exports. */
  visibleIds(): { nodes: string[]; edges: string[] } {
    return {
      nodes: this.cy.nodes().not(".mw-hidden").map((n) => n.id()),
      edges: this.cy.edges().not(".mw-hidden").map((e) => e.id()),
    };
  }

  /** The graph as the server sent it (what is on screen, filters applied), for download. */
  exportJson(meta: Record<string, unknown>): string {
    const visible = this.visibleIds();
    const nodeIds = new Set(visible.nodes);
    const edgeIds = new Set(visible.edges);
    return JSON.stringify(
      {
        ...meta,
        nodes: [...this.nodes.values()]
          .filter((n) => nodeIds.has(n.id))
          .map((n) => ({ ...n, position: { ...this.cy.getElementById(n.id).position() } })),
        edges: [...this.edges.values()].filter((e) => edgeIds.has(e.id)),
      },
      null,
      2,
    );
  }

  exportPng(): Blob {
    const bg = getComputedStyle(document.documentElement).getPropertyValue("--mw-surface").trim() || "#ffffff";
    return this.cy.png({ output: "blob", full: true, scale: 2, bg }) as unknown as Blob;
  }

  setLabelMode(mode: LabelMode): void {
    this.labelMode = mode;
    this.cy.batch(() => {
      for (const edge of this.edges.values()) this.cy.getElementById(edge.id).data("label", edgeLabel(edge, mode));
    });
  }

  select(selection: Selection): void {
    this.cy.elements().unselect();
    if (selection) this.cy.getElementById(selection.id).select();
  }

  /** Edges into and out of a node, for its side panel. */
  edgesOf(nodeId: string): { inbound: GraphEdge[]; outbound: GraphEdge[] } {
    const inbound: GraphEdge[] = [];
    const outbound: GraphEdge[] = [];
    for (const edge of this.edges.values()) {
      if (edge.target === nodeId) inbound.push(edge);
      if (edge.source === nodeId) outbound.push(edge);
    }
    return { inbound, outbound };
  }

  private remove(nodeIds: readonly string[], edgeIds: readonly string[]): void {
    for (const id of edgeIds) {
      this.edges.delete(id);
      this.cy.getElementById(id).remove();
    }
    for (const id of nodeIds) {
      this.nodes.delete(id);
      this.cy.getElementById(id).remove(); // Cytoscape drops the node's edges with it
    }
    if (nodeIds.length > 0) {
      const gone = new Set(nodeIds);
      for (const [id, edge] of this.edges) {
        if (gone.has(edge.source) || gone.has(edge.target)) this.edges.delete(id);
      }
    }
  }

  private upsert(nodes: readonly GraphNode[], edges: readonly GraphEdge[], trustServer: boolean): void {
    const fresh = nodes.filter((n) => !this.nodes.has(n.id));
    const positions = trustServer ? this.serverPositions(fresh, edges) : this.placeFresh(fresh, edges);
    for (const node of nodes) {
      this.nodes.set(node.id, node);
      if (node.namespace) this.seenNamespaces.add(node.namespace);
      const existing = this.cy.getElementById(node.id);
      // Existing nodes only get new data: their position is the user's, never the server's.
      if (existing.nonempty()) existing.data(nodeData(node));
      else this.cy.add({ group: "nodes", data: nodeData(node), position: positions.get(node.id) ?? { x: 0, y: 0 } });
    }
    for (const edge of edges) this.upsertEdge(edge);
  }

  private upsertEdge(edge: GraphEdge): void {
    if (!this.nodes.has(edge.source) || !this.nodes.has(edge.target)) {
      console.warn("meshwatch: edge %s names a node the graph does not have", edge.id);
      return;
    }
    this.edges.set(edge.id, edge);
    const existing = this.cy.getElementById(edge.id);
    // Cytoscape cannot re-point an edge, so a moved endpoint means a new edge.
    if (existing.nonempty() && (existing.data("source") !== edge.source || existing.data("target") !== edge.target)) {
      existing.remove();
    }
    const current = this.cy.getElementById(edge.id);
    if (current.nonempty()) current.data(edgeData(edge, this.labelMode));
    else this.cy.add({ group: "edges", data: edgeData(edge, this.labelMode) });
  }

  /** First paint: the server laid the graph out as a whole, so its positions are taken as is. */
  private serverPositions(fresh: readonly GraphNode[], edges: readonly GraphEdge[]): Map<string, Position> {
    const withPos = fresh.filter((n) => isPosition(n.position));
    const result = new Map<string, Position>(withPos.map((n) => [n.id, n.position as Position]));
    const without = fresh.filter((n) => !isPosition(n.position));
    for (const [id, pos] of this.placeFreshAround(without, edges, result)) result.set(id, pos);
    return result;
  }

  private placeFresh(fresh: readonly GraphNode[], edges: readonly GraphEdge[]): Map<string, Position> {
    const placed = new Map<string, Position>();
    this.cy.nodes().forEach((n) => {
      placed.set(n.id(), { ...n.position() });
    });
    return this.placeFreshAround(fresh, edges, placed);
  }

  private placeFreshAround(
    fresh: readonly GraphNode[],
    edges: readonly GraphEdge[],
    placed: ReadonlyMap<string, Position>,
  ): Map<string, Position> {
    if (fresh.length === 0) return new Map();
    const neighbours = new Map<string, string[]>(fresh.map((n) => [n.id, []]));
    const link = (a: string, b: string) => neighbours.get(a)?.push(b);
    for (const e of [...this.edges.values(), ...edges]) {
      link(e.source, e.target);
      link(e.target, e.source);
    }
    const newcomers: Newcomer[] = fresh.map((n) => ({
      id: n.id,
      position: isPosition(n.position) ? n.position : null,
      neighbours: neighbours.get(n.id) ?? [],
    }));
    return placeNewcomers(newcomers, placed);
  }
}
