// The service graph on screen: Cytoscape with a preset layout fed by server positions.
//
// A force layout would re-shuffle the picture on every cycle and took 100 s for 1,000 nodes in
// headless Chromium (DESIGN.md §5); preset paints in well under a second. The view keeps the raw
// server objects next to Cytoscape so the side panel can show every field, and it applies
// snapshots as diffs so a resync after a reconnect does not move what the user was looking at.
//
// At 2,000 nodes / 5,000 edges (issue #6) the cost is Cytoscape touching elements: new ones go
// in one `cy.add`, updates set only what changed, filters touch only elements whose marks
// changed, and labels nobody can read yet wait (see `staleLabels`). `grouped` puts nodes in
// one compound box per namespace; the server lays each namespace out as one block already.

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

/**
 * Width grows with log(rps): 0.1 rps and 1,000 rps must both stay readable. Half-pixel steps:
 * a width change re-measures the edge, and a rate moving by 10 % should not re-measure 5,000.
 */
export function edgeWidth(rps: unknown): number {
  if (!isNum(rps) || rps <= 0) return 1;
  return Math.round(2 * Math.min(9, 1 + 1.6 * Math.log10(1 + rps))) / 2;
}

/** Cytoscape's data of a node: the strings the canvas draws, and kind/health for readers. */
function nodeData(node: GraphNode): Record<string, unknown> {
  const kind = KINDS.has(node.kind) ? node.kind : "unknown";
  const health = typeof node.health === "string" && HEALTHS.has(node.health) ? node.health : "unknown";
  // Cytoscape has one font size per label, so the namespace goes on a second line instead.
  const label = node.namespace ? `${node.name}\n${node.namespace}` : String(node.name);
  return { id: node.id, kind, health, label, outside: node.outside === true };
}

/** The classes the stylesheet matches (style.ts): a lookup, not a selector on data. */
function nodeClasses(data: Record<string, unknown>): string {
  return `k-${String(data.kind)} h-${String(data.health)}${data.outside ? " outside" : ""}`;
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

/** Graphs with at least this many elements get the large-graph style and a progress note. */
export const LARGE_GRAPH = 1500;
/** On a large graph, every label shows from this zoom on (below it, 11 px text is < 6 px). */
export const LABEL_ZOOM = 0.6;
/** A namespace box's id: no server id starts so (they read `kind:ns/name`). */
export const GROUP_PREFIX = "mw-group:";

// Filter marks of one element, as bits, so a new pass touches only elements whose marks changed.
const HIDDEN = 1;
const FOUND = 2;
const DIMMED = 4;
const MARK_CLASSES: readonly [number, string][] = [[HIDDEN, "mw-hidden"], [FOUND, "mw-found"], [DIMMED, "mw-dimmed"]];

export interface GraphViewEvents {
  onSelect(selection: Selection): void;
  /** After a snapshot, delta or regrouping reached the screen (a large snapshot waits a frame). */
  onApplied?(what: "snapshot" | "delta" | "regroup"): void;
  /** A note for the user while a large graph is drawn; null when done. */
  onProgress?(text: string | null): void;
}

type Ele = cytoscape.SingularElementReturnValue;

export class GraphView {
  readonly cy: cytoscape.Core;
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  /** Every namespace seen since the page loaded, so a filter can be widened again. */
  readonly seenNamespaces = new Set<string>();
  labelMode: LabelMode = "rps";
  filters: GraphFilters = { find: [], hide: [], problemsOnly: false };
  /** Nodes sit in one compound box per namespace. */
  grouped = false;
  private fitPending = true;
  /** Cytoscape elements by id: a lookup per update without building a collection each time. */
  private readonly eles = new Map<string, Ele>();
  /** Filter marks now on screen, by element id (absent: none). */
  private marks = new Map<string, number>();
  private style = { labels: true, large: false };
  /**
   * Edges whose Cytoscape `label` is out of date. While a large graph hides its labels, a
   * delta that moves every edge's numbers leaves Cytoscape alone (touching an element
   * re-rasterises it: seconds for 5,000 edges); labels are brought up to date when they show
   * again (zoom in, hover, selection, find). `this.edges` always holds the current numbers.
   */
  private readonly staleLabels = new Set<string>();
  private appliedStyle = "true/false";
  /** Work that arrived while a large snapshot waits for its progress note to paint. */
  private queued: (() => void)[] | null = null;

  constructor(container: HTMLElement, private readonly events: GraphViewEvents) {
    preventInjectedStylesheet();
    this.cy = cytoscape({
      container,
      style: stylesheet(currentTheme(), this.style),
      layout: { name: "preset" },
      minZoom: 0.02,
      maxZoom: 4,
      selectionType: "single",
      boxSelectionEnabled: false,
    });
    window.addEventListener("meshwatch:theme", () => this.cy.style(stylesheet(currentTheme(), this.style)));
    // Cytoscape only watches the window; the side panel opening narrows the container too.
    new ResizeObserver(() => this.cy.resize()).observe(container);
    this.cy.on("tap", "node, edge", (event) => {
      const target = event.target as Ele;
      if (target.hasClass("mw-group")) events.onSelect(null);
      else events.onSelect({ group: target.isNode() ? "node" : "edge", id: target.id() });
    });
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) events.onSelect(null);
    });
    this.cy.on("zoom", () => this.restyleIfNeeded());
    this.cy.on("mouseover", "node", (event) => this.near(event.target as Ele, true));
    this.cy.on("mouseout", "node", (event) => {
      const node = event.target as Ele;
      if (!node.selected()) this.near(node, false);
    });
  }

  /** The next snapshot fits the viewport to the graph (first paint, new filters). */
  refitOnNextSnapshot(): void {
    this.fitPending = true;
  }

  /**
   * A snapshot is the whole truth: diff it against the screen so survivors keep their place.
   * A large one first shows a progress note and lets it paint (the work blocks the page).
   */
  applySnapshot(data: GraphSnapshot): void {
    if (this.queued) {
      this.queued.push(() => this.applySnapshot(data));
      return;
    }
    if (data.nodes.length + data.edges.length < LARGE_GRAPH) {
      this.applySnapshotNow(data);
      return;
    }
    this.deferWithProgress(`Drawing ${count(data.nodes.length)} nodes and ${count(data.edges.length)} edges…`, () =>
      this.applySnapshotNow(data),
    );
  }

  applyDelta(delta: GraphDelta): void {
    if (this.queued) {
      this.queued.push(() => this.applyDelta(delta));
      return;
    }
    this.cy.batch(() => {
      this.remove(delta.remove?.nodes ?? [], delta.remove?.edges ?? []);
      this.upsert(delta.upsert?.nodes ?? [], delta.upsert?.edges ?? [], false);
    });
    this.applyFilters();
    this.events.onApplied?.("delta");
  }

  /** Namespace boxes on or off: every element is created again, each at its current place. */
  setGrouped(grouped: boolean): void {
    if (grouped === this.grouped) return;
    this.grouped = grouped;
    if (this.nodes.size === 0) return;
    const regroup = () => this.rebuild();
    if (this.queued) this.queued.push(regroup);
    else if (this.nodes.size + this.edges.size < LARGE_GRAPH) regroup();
    else this.deferWithProgress(grouped ? "Grouping by namespace…" : "Ungrouping…", regroup);
  }

  setFilters(filters: GraphFilters): void {
    this.filters = filters;
    this.applyFilters();
  }

  /**
   * Marks every element: `mw-hidden` (hide matched, or not a problem when only problems
   * show), `mw-found` / `mw-dimmed` while a find is active; a namespace box hides with its
   * last shown node. The marks are computed on the server's objects for the whole graph
   * (plain JavaScript, milliseconds), but only elements whose marks changed are touched, so
   * a delta with no filter active costs nothing here.
   */
  applyFilters(): void {
    const wanted = this.wantedMarks();
    this.cy.batch(() => {
      for (const [id, mark] of this.marks) if (!wanted.has(id)) this.mark(id, mark, 0);
      for (const [id, mark] of wanted) this.mark(id, this.marks.get(id) ?? 0, mark);
    });
    this.marks = wanted;
  }

  private wantedMarks(): Map<string, number> {
    const { find, hide, problemsOnly } = this.filters;
    const marks = new Map<string, number>();
    if (find.length === 0 && hide.length === 0 && !problemsOnly) return marks;
    const problemNodes = new Set<string>();
    if (problemsOnly) {
      for (const edge of this.edges.values()) {
        if (PROBLEMS.has(String(edge.health))) problemNodes.add(edge.source).add(edge.target);
      }
    }
    const shownPerGroup = new Map<string, number>();
    for (const node of this.nodes.values()) {
      const drop =
        (hide.length > 0 && matches(hide, nodeSubject(node))) ||
        (problemsOnly && !PROBLEMS.has(String(node.health)) && !problemNodes.has(node.id));
      const found = find.length > 0 && !drop && matches(find, nodeSubject(node));
      const mark = (drop ? HIDDEN : 0) | (found ? FOUND : find.length > 0 ? DIMMED : 0);
      if (mark) marks.set(node.id, mark);
      const group = this.groupOf(node);
      if (group) shownPerGroup.set(group, (shownPerGroup.get(group) ?? 0) + (drop ? 0 : 1));
    }
    for (const [group, shown] of shownPerGroup) if (shown === 0) marks.set(group, HIDDEN);
    for (const edge of this.edges.values()) {
      const drop =
        ((marks.get(edge.source) ?? 0) & HIDDEN) !== 0 ||
        ((marks.get(edge.target) ?? 0) & HIDDEN) !== 0 ||
        (hide.length > 0 && matches(hide, edgeSubject(edge, this.nodes))) ||
        (problemsOnly && !PROBLEMS.has(String(edge.health)));
      const found = find.length > 0 && !drop && matches(find, edgeSubject(edge, this.nodes));
      const mark = (drop ? HIDDEN : 0) | (found ? FOUND : find.length > 0 ? DIMMED : 0);
      if (mark) marks.set(edge.id, mark);
    }
    return marks;
  }

  private mark(id: string, before: number, after: number): void {
    if (before === after) return;
    const ele = this.eles.get(id);
    if (!ele) return;
    if (after & FOUND) this.freshenLabels(ele);
    for (const [bit, name] of MARK_CLASSES) {
      if ((before & bit) !== (after & bit)) ele.toggleClass(name, (after & bit) !== 0);
    }
  }

  /** Ids of what is on screen now (not hidden, not a namespace box), for tests and exports. */
  visibleIds(): { nodes: string[]; edges: string[] } {
    const shown = (id: string) => ((this.marks.get(id) ?? 0) & HIDDEN) === 0;
    return {
      nodes: [...this.nodes.keys()].filter((id) => this.eles.has(id) && shown(id)),
      edges: [...this.edges.keys()].filter((id) => this.eles.has(id) && shown(id)),
    };
  }

  /** The namespace boxes on screen, shown or not (empty when not grouped). */
  groupIds(): string[] {
    return [...this.eles.keys()].filter((id) => id.startsWith(GROUP_PREFIX));
  }

  /** The graph as the server sent it (what is on screen, filters applied), for download. */
  exportJson(meta: Record<string, unknown>): string {
    const visible = this.visibleIds();
    const edgeIds = new Set(visible.edges);
    return JSON.stringify(
      {
        ...meta,
        nodes: visible.nodes.map((id) => ({ ...this.nodes.get(id), position: { ...this.eles.get(id)?.position() } })),
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
    if (this.labelsWait()) {
      for (const id of this.edges.keys()) this.staleLabels.add(id);
      this.cy.batch(() => this.freshenLabels(this.cy.$("edge.mw-near, edge:selected, edge.mw-found")));
      return;
    }
    this.cy.batch(() => {
      for (const edge of this.edges.values()) {
        const ele = this.eles.get(edge.id);
        const label = edgeLabel(edge, mode);
        if (ele && ele.data("label") !== label) ele.data("label", label);
      }
    });
  }

  select(selection: Selection): void {
    this.cy.batch(() => {
      const before = this.cy.$(":selected");
      before.unselect();
      before.nodes().forEach((n) => this.near(n, false));
      const ele = selection ? this.eles.get(selection.id) : undefined;
      if (ele && !ele.hasClass("mw-group")) {
        this.freshenLabels(ele);
        ele.select();
        if (ele.isNode()) this.near(ele, true);
      }
    });
  }

  /** A hovered or selected node and its edges show their labels even when the rest do not. */
  private near(node: cytoscape.NodeSingular | Ele, on: boolean): void {
    if (node.hasClass("mw-group")) return;
    const eles = node.connectedEdges().union(node);
    if (on) this.freshenLabels(eles);
    eles.toggleClass("mw-near", on);
  }

  /** Brings the labels of `eles` up to date before they are shown (see staleLabels). */
  private freshenLabels(eles: { edges(): cytoscape.EdgeCollection }): void {
    if (this.staleLabels.size === 0) return;
    eles.edges().forEach((ele) => {
      const edge = this.edges.get(ele.id());
      if (!this.staleLabels.delete(ele.id()) || !edge) return;
      ele.data("label", edgeLabel(edge, this.labelMode));
    });
  }

  /** Whether label changes may wait: a large graph showing no labels at this zoom. */
  private labelsWait(): boolean {
    return !this.style.labels;
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

  /** Shows `note`, lets the browser paint it, then runs `work`; updates arriving meanwhile wait. */
  private deferWithProgress(note: string, work: () => void): void {
    this.queued = [];
    this.events.onProgress?.(note);
    // Two frames: the first lays the note out, the second is after it was painted.
    requestAnimationFrame(() =>
      setTimeout(() => {
        const waiting = this.queued ?? [];
        this.queued = null;
        try {
          work();
        } finally {
          this.cy.one("render", () => this.events.onProgress?.(null));
          for (const next of waiting) next();
        }
      }, 0),
    );
  }

  private applySnapshotNow(data: GraphSnapshot): void {
    const nodeIds = new Set(data.nodes.map((n) => n.id));
    const edgeIds = new Set(data.edges.map((e) => e.id));
    const goneNodes = [...this.nodes.keys()].filter((id) => !nodeIds.has(id));
    const goneEdges = [...this.edges.keys()].filter((id) => !edgeIds.has(id));
    // The viewport and the style are settled before the elements exist, so that they are
    // styled once and not again when the fit zooms out past the edge-label zoom.
    this.style.large = data.nodes.length + data.edges.length >= LARGE_GRAPH;
    const fit = this.fitPending && (this.nodes.size === goneNodes.length || this.nodes.size === 0);
    if (fit) this.fitTo(data.nodes.map((n) => n.position).filter(isPosition));
    this.restyleIfNeeded();
    this.cy.batch(() => {
      this.remove(goneNodes, goneEdges);
      // Nothing left on screen (first paint, another graph type): the server's layout wins.
      this.upsert(data.nodes, data.edges, this.nodes.size === 0);
    });
    this.applyFilters();
    if (this.fitPending && this.nodes.size > 0) {
      this.fitTo(this.nodePositions().values());
      this.fitPending = false;
    }
    this.events.onApplied?.("snapshot");
  }

  private nodePositions(): Map<string, Position> {
    const placed = new Map<string, Position>();
    for (const id of this.nodes.keys()) {
      const p = this.eles.get(id)?.position();
      if (p) placed.set(id, { ...p });
    }
    return placed;
  }

  /**
   * Fits the viewport to node centres (plus room for a node and its label). Cytoscape's own
   * fit measures every label of the graph first, which on 5,000 edges costs most of a second.
   */
  private fitTo(points: Iterable<Position>, padding = 30): void {
    let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of points) [x1, y1, x2, y2] = [Math.min(x1, p.x), Math.min(y1, p.y), Math.max(x2, p.x), Math.max(y2, p.y)];
    if (!Number.isFinite(x1)) return;
    const margin = this.grouped ? 80 : 60; // half a node and a two-line label; a box's padding
    const width = Math.max(1, this.cy.width() - 2 * padding);
    const height = Math.max(1, this.cy.height() - 2 * padding);
    const fit = Math.min(width / (x2 - x1 + 2 * margin), height / (y2 - y1 + 2 * margin));
    const zoom = Math.max(this.cy.minZoom(), Math.min(2, fit)); // a 3-node graph is not shown 4×
    const pan = { x: this.cy.width() / 2 - (zoom * (x1 + x2)) / 2, y: this.cy.height() / 2 - (zoom * (y1 + y2)) / 2 };
    this.cy.viewport({ zoom, pan });
  }

  /** On a large graph edge labels follow the zoom; a stylesheet is applied only on a change. */
  private restyleIfNeeded(): void {
    const labels = !this.style.large || this.cy.zoom() >= LABEL_ZOOM;
    const key = `${labels}/${this.style.large}`;
    if (key === this.appliedStyle) return;
    this.style.labels = labels;
    this.appliedStyle = key;
    if (labels) this.cy.batch(() => this.freshenLabels(this.cy.edges()));
    this.cy.style(stylesheet(currentTheme(), this.style));
  }

  private remove(nodeIds: readonly string[], edgeIds: readonly string[]): void {
    for (const id of edgeIds) {
      this.edges.delete(id);
      this.forget(id)?.remove();
    }
    for (const id of nodeIds) {
      this.nodes.delete(id);
      this.forget(id)?.remove(); // Cytoscape drops the node's edges with it
    }
    if (nodeIds.length > 0) {
      const gone = new Set(nodeIds);
      for (const [id, edge] of this.edges) {
        if (gone.has(edge.source) || gone.has(edge.target)) {
          this.edges.delete(id);
          this.forget(id);
        }
      }
      if (this.grouped) this.removeEmptyGroups();
    }
  }

  private forget(id: string): Ele | undefined {
    const ele = this.eles.get(id);
    this.eles.delete(id);
    this.marks.delete(id);
    this.staleLabels.delete(id);
    return ele;
  }

  private removeEmptyGroups(): void {
    for (const id of this.groupIds()) {
      const group = this.eles.get(id);
      if (group && group.children().empty()) this.forget(id)?.remove();
    }
  }

  /** The namespace box a node belongs in, when grouped; nodes without a namespace stay loose. */
  private groupOf(node: GraphNode): string | null {
    return this.grouped && node.namespace ? GROUP_PREFIX + node.namespace : null;
  }

  private nodeDefinition(node: GraphNode, position: Position | undefined): cytoscape.ElementDefinition {
    const data = nodeData(node);
    const group = this.groupOf(node);
    if (group) data.parent = group;
    return { group: "nodes", data, classes: nodeClasses(data), position: position ?? { x: 0, y: 0 } };
  }

  private edgeDefinition(edge: GraphEdge): cytoscape.ElementDefinition {
    const data = edgeData(edge, this.labelMode);
    return { group: "edges", data, classes: `h-${String(data.health)}` };
  }

  /** Boxes for the namespaces of `nodes` that have none yet; they go first in an add. */
  private missingGroups(nodes: Iterable<GraphNode>): cytoscape.ElementDefinition[] {
    const defs = new Map<string, cytoscape.ElementDefinition>();
    for (const node of nodes) {
      const id = this.groupOf(node);
      if (id && !this.eles.has(id) && !defs.has(id)) {
        defs.set(id, { group: "nodes", data: { id, label: node.namespace }, classes: "mw-group" });
      }
    }
    return [...defs.values()];
  }

  /** All new elements go to Cytoscape in one add: one pass over its indexes, not thousands. */
  private upsert(nodes: readonly GraphNode[], edges: readonly GraphEdge[], trustServer: boolean): void {
    const fresh = nodes.filter((n) => !this.nodes.has(n.id));
    const positions = trustServer ? this.serverPositions(fresh, edges) : this.placeFresh(fresh, edges);
    const added: cytoscape.ElementDefinition[] = this.missingGroups(fresh);
    for (const node of nodes) {
      this.nodes.set(node.id, node);
      if (node.namespace) this.seenNamespaces.add(node.namespace);
      const existing = this.eles.get(node.id);
      // Existing nodes only get new data: their position is the user's, never the server's.
      if (existing) updateNode(existing, node);
      else added.push(this.nodeDefinition(node, positions.get(node.id)));
    }
    for (const edge of edges) {
      const def = this.upsertEdge(edge);
      if (def) added.push(def);
    }
    if (added.length > 0) this.cy.add(added).forEach((ele) => void this.eles.set(ele.id(), ele));
  }

  /** Updates an edge in place, or returns its definition when it must be (re)created. */
  private upsertEdge(edge: GraphEdge): cytoscape.ElementDefinition | null {
    if (!this.nodes.has(edge.source) || !this.nodes.has(edge.target)) {
      console.warn("meshwatch: edge %s names a node the graph does not have", edge.id);
      return null;
    }
    this.edges.set(edge.id, edge);
    const existing = this.eles.get(edge.id);
    // Cytoscape cannot re-point an edge, so a moved endpoint means a new edge.
    if (existing && (existing.data("source") !== edge.source || existing.data("target") !== edge.target)) {
      this.forget(edge.id)?.remove();
    } else if (existing) {
      this.updateEdge(existing, edge);
      return null;
    }
    return this.edgeDefinition(edge);
  }

  /** Sets what changed of an edge; a label that cannot be seen now waits (see staleLabels). */
  private updateEdge(ele: Ele, edge: GraphEdge): void {
    const data = edgeData(edge, this.labelMode);
    const before = ele.data() as Record<string, unknown>;
    const wait = this.labelsWait() && !ele.hasClass("mw-near") && !ele.hasClass("mw-found") && !ele.selected();
    const label = data.label !== before.label && !wait;
    if (data.label !== before.label && wait) this.staleLabels.add(edge.id);
    if (data.health !== before.health) ele.removeClass(`h-${String(before.health)}`).addClass(`h-${String(data.health)}`);
    if (label || data.width !== before.width || data.health !== before.health) {
      ele.data(label ? { label: data.label, width: data.width, health: data.health } : { width: data.width, health: data.health });
    }
    if (label) this.staleLabels.delete(edge.id);
  }

  /** Every element again, with or without namespace boxes, each node where it stands now. */
  private rebuild(): void {
    const positions = this.nodePositions();
    const selected = this.cy.$(":selected").map((e) => e.id());
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.eles.clear();
      this.marks.clear();
      const defs = this.missingGroups(this.nodes.values());
      for (const node of this.nodes.values()) defs.push(this.nodeDefinition(node, positions.get(node.id)));
      for (const edge of this.edges.values()) defs.push(this.edgeDefinition(edge));
      this.cy.add(defs).forEach((ele) => void this.eles.set(ele.id(), ele));
    });
    this.applyFilters();
    for (const id of selected) this.eles.get(id)?.select();
    this.events.onApplied?.("regroup");
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
    if (fresh.length === 0) return new Map();
    return this.placeFreshAround(fresh, edges, this.nodePositions());
  }

  /**
   * Newcomers go next to their neighbours of the same namespace when they have any (so a
   * namespace stays together, and its box does not stretch across others), else next to any.
   */
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
    const namespaceOf = (id: string) => this.nodes.get(id)?.namespace ?? fresh.find((n) => n.id === id)?.namespace;
    const newcomers: Newcomer[] = fresh.map((n) => {
      const all = neighbours.get(n.id) ?? [];
      const kin = all.filter((id) => namespaceOf(id) === n.namespace);
      return { id: n.id, position: isPosition(n.position) ? n.position : null, neighbours: kin.length > 0 ? kin : all };
    });
    return placeNewcomers(newcomers, placed);
  }
}

/** Sets only the fields that changed: each set restyles the element. */
function updateNode(ele: Ele, node: GraphNode): void {
  const data = nodeData(node);
  const before = ele.data() as Record<string, unknown>;
  if (data.label === before.label && data.kind === before.kind && data.health === before.health && data.outside === before.outside) return;
  ele.removeClass(nodeClasses(before)).addClass(nodeClasses(data));
  ele.data(data);
}


function count(n: number): string {
  return n.toLocaleString("en");
}
