// The graph page: the toolbar, time controls and find/hide box around the GraphView, its side
// panel, and the URL that holds all of it (see controls.ts for what a link carries).

import { byId, el, replaceChildren } from "./dom";
import { Controls, sameParams, stateFromUrl, urlWithState, wireParams, type GraphUrlState } from "./controls";
import { download, fileStamp } from "./download";
import { parseExpr, type Expr } from "./findexpr";
import { GraphView, LABEL_MODES, type LabelMode, type Selection } from "./graph";
import type { TopicSubscription } from "./live";
import { renderEdgePanel, renderNodePanel, type PanelContext } from "./panel";
import type { Shell } from "./shell";
import { TimeControls } from "./timepicker";
import type { GraphDelta, GraphEdge, GraphNode, GraphParams, GraphSnapshot } from "./types";

/** Where the latency heatmap of a node or an edge is (the heatmap page's deep link). */
export function heatmapHref(selection: { group: "node" | "edge"; id: string }, node?: GraphNode, window?: string): string {
  const query = new URLSearchParams();
  if (selection.group === "edge") query.set("edge", selection.id);
  else if (node && (node.kind === "workload" || node.kind === "service")) query.set(node.kind, `${node.namespace}/${node.name}`);
  else query.set("target", selection.id);
  if (window) query.set("window", window);
  return `/heatmap?${query.toString()}`;
}

export class GraphPage {
  readonly view: GraphView;
  readonly live: TopicSubscription<GraphSnapshot, GraphDelta>;
  private readonly panel = byId("mw-panel");
  private readonly panelContent = byId("mw-panel-content");
  private readonly controls: Controls;
  private readonly time: TimeControls;
  private readonly findInput = byId<HTMLInputElement>("mw-find");
  private readonly hideInput = byId<HTMLInputElement>("mw-hide");
  private readonly problems = byId<HTMLInputElement>("mw-problems");
  private readonly groupBox = byId<HTMLInputElement>("mw-group");
  private readonly progress = byId("mw-graph-progress");
  private readonly findError = byId("mw-find-error");
  private state: GraphUrlState;
  private meta: Record<string, unknown> = {};

  constructor(private readonly shell: Shell) {
    this.state = stateFromUrl(window.location.search);
    this.view = new GraphView(byId("mw-graph"), {
      onSelect: (s) => this.select(s),
      onApplied: (what) => this.afterApply(what),
      onProgress: (text) => this.showProgress(text),
    });
    this.controls = new Controls(
      {
        graphType: byId<HTMLSelectElement>("mw-graph-type"),
        labelMode: byId<HTMLSelectElement>("mw-label-mode"),
        namespaceText: byId<HTMLInputElement>("mw-namespaces-text"),
        namespaceList: byId("mw-namespaces-list"),
        namespaceSummary: byId("mw-namespaces-summary"),
      },
      this.state.params,
      { onParams: (p) => this.changeParams(p), onLabelMode: (m) => this.view.setLabelMode(m) },
    );
    this.time = new TimeControls(
      {
        window: byId<HTMLSelectElement>("mw-window"),
        customBox: byId("mw-custom-range"),
        customFrom: byId<HTMLInputElement>("mw-custom-from"),
        customTo: byId<HTMLInputElement>("mw-custom-to"),
        customApply: byId<HTMLButtonElement>("mw-custom-apply"),
        slider: byId<HTMLInputElement>("mw-replay"),
        sliderLabel: byId("mw-replay-label"),
        live: byId<HTMLButtonElement>("mw-live"),
      },
      shell.config.replay_span_s ?? 3600,
      shell.config.interval_s ?? 15,
      (t) => this.controls.setTime(t),
    );
    this.time.show(this.state.params);
    shell.status.setReplay(Boolean(this.state.params.at));
    // The browser may restore a select's value on reload; honour what the user sees.
    const mode = byId<HTMLSelectElement>("mw-label-mode").value as LabelMode;
    if (LABEL_MODES.includes(mode)) this.view.setLabelMode(mode);
    byId("mw-panel-close").addEventListener("click", () => this.select(null));
    this.wireFilters();
    byId("mw-export-png").addEventListener("click", () => download(`meshwatch-graph-${fileStamp()}.png`, this.view.exportPng()));
    byId("mw-export-json").addEventListener("click", () =>
      download(`meshwatch-graph-${fileStamp()}.json`, this.view.exportJson({ ...this.meta, params: wireParams(this.state.params) })),
    );
    window.addEventListener("popstate", () => this.restore(stateFromUrl(window.location.search)));
    this.live = shell.subscribe<GraphSnapshot, GraphDelta>("graph", wireParams(this.state.params), {
      onSnapshot: (data) => {
        this.meta = { generated_at: data.generated_at, window: data.window, graph_type: data.graph_type };
        this.view.applySnapshot(data); // a large one lands a frame later: see afterApply
      },
      onDelta: (data) => this.view.applyDelta(data),
    });
    if (this.state.selection) this.select(this.state.selection, false);
  }

  select(selection: Selection, record = true): void {
    this.state = { ...this.state, selection };
    this.view.select(selection);
    this.renderPanel();
    if (record) this.record();
  }

  /** Back/forward: everything the URL holds is shown again, resubscribing only if needed. */
  private restore(state: GraphUrlState): void {
    const paramsChanged = !sameParams(state.params, this.state.params);
    this.state = state;
    this.controls.show(state.params);
    this.time.show(state.params);
    this.findInput.value = state.find;
    this.hideInput.value = state.hide;
    this.problems.checked = state.problems;
    this.groupBox.checked = state.group;
    this.view.setGrouped(state.group);
    this.applyFilters();
    if (paramsChanged) this.resubscribe(state.params);
    this.view.select(state.selection);
    this.renderPanel();
  }

  private changeParams(params: GraphParams): void {
    this.state = { ...this.state, params };
    this.record();
    this.resubscribe(params);
  }

  private resubscribe(params: GraphParams): void {
    this.shell.status.setReplay(Boolean(params.at));
    this.view.refitOnNextSnapshot();
    this.live.setParams(wireParams(params));
  }

  private record(): void {
    const href = urlWithState(window.location.href, this.state);
    if (href !== window.location.href) window.history.pushState(null, "", href);
  }

  private wireFilters(): void {
    this.findInput.value = this.state.find;
    this.hideInput.value = this.state.hide;
    this.problems.checked = this.state.problems;
    const onText = () => {
      this.state = { ...this.state, find: this.findInput.value.trim(), hide: this.hideInput.value.trim() };
      if (this.applyFilters()) this.record();
    };
    this.findInput.addEventListener("change", onText);
    this.hideInput.addEventListener("change", onText);
    this.findInput.addEventListener("input", () => this.checkSyntax());
    this.hideInput.addEventListener("input", () => this.checkSyntax());
    this.problems.addEventListener("change", () => {
      this.state = { ...this.state, problems: this.problems.checked };
      this.applyFilters();
      this.record();
    });
    this.groupBox.checked = this.state.group;
    this.view.setGrouped(this.state.group);
    this.groupBox.addEventListener("change", () => {
      this.state = { ...this.state, group: this.groupBox.checked };
      this.view.setGrouped(this.state.group);
      this.record();
    });
    this.applyFilters();
  }

  private checkSyntax(): { find: Expr; hide: Expr } | null {
    const find = parseExpr(this.findInput.value);
    const hide = parseExpr(this.hideInput.value);
    const error = !find.ok ? `find: ${find.error}` : !hide.ok ? `hide: ${hide.error}` : "";
    this.findError.textContent = error;
    this.findInput.setAttribute("aria-invalid", String(!find.ok));
    this.hideInput.setAttribute("aria-invalid", String(!hide.ok));
    return find.ok && hide.ok ? { find: find.expr, hide: hide.expr } : null;
  }

  /** @returns false when an expression does not parse (the screen keeps the last good one). */
  private applyFilters(): boolean {
    const parsed = this.checkSyntax();
    if (!parsed) return false;
    this.view.setFilters({ ...parsed, problemsOnly: this.state.problems });
    return true;
  }

  private afterApply(what: "snapshot" | "delta" | "regroup"): void {
    // A deep-linked selection exists only once its snapshot is drawn; a regroup recreates it.
    if (what !== "delta") this.view.select(this.state.selection);
    this.afterUpdate();
  }

  /** "Drawing 2,000 nodes…" over the graph while a large one is being drawn. */
  private showProgress(text: string | null): void {
    this.progress.textContent = text ?? "";
    this.progress.hidden = text === null;
  }

  private afterUpdate(): void {
    this.controls.setKnownNamespaces(this.view.seenNamespaces);
    if (this.state.selection) this.renderPanel(); // the numbers under the user's eyes stay current
  }

  private renderPanel(): void {
    const s = this.state.selection;
    this.panel.hidden = s === null;
    if (!s) return;
    const ctx: PanelContext = {
      nodeName: (id) => this.view.nodes.get(id)?.name ?? id,
      onPick: (group, id) => this.select({ group, id }),
      live: { window: this.state.params.window, at: this.state.params.at }, // panel.ts fetches the rest
    };
    const node: GraphNode | undefined = s.group === "node" ? this.view.nodes.get(s.id) : undefined;
    const edge: GraphEdge | undefined = s.group === "edge" ? this.view.edges.get(s.id) : undefined;
    let body: HTMLElement;
    if (node) {
      const { inbound, outbound } = this.view.edgesOf(node.id);
      body = renderNodePanel(node, inbound, outbound, ctx);
    } else if (edge) {
      body = renderEdgePanel(edge, ctx);
    } else {
      body = el("p", { class: "mw-muted" }, `${s.id} is not in this graph (yet).`);
    }
    // An opaque external end (a namespace this viewer may not see) has no latency to show.
    const external = (id: string) => id.startsWith("external:");
    const opaque = node ? external(node.id) : edge ? external(edge.source) || external(edge.target) : false;
    const links =
      (node || edge) && !opaque
        ? el("p", { class: "mw-panel-links" }, el("a", { id: "mw-open-heatmap", href: heatmapHref(s, node, this.state.params.window) }, "Latency heatmap →"))
        : null;
    replaceChildren(this.panelContent, body, links);
  }
}
