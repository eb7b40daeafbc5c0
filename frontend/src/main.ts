// Entry point of the graph page: reads the page's config, wires live data to the views.
//
// Config comes from `{{ config|json_script:"meshwatch-config" }}` (no inline script, so a
// strict CSP can forbid them). Test hooks are on window.meshwatch, documented in HOOKS below.

import { byId, replaceChildren, el } from "./dom";
import { Controls, paramsFromUrl, urlWithParams } from "./controls";
import { GraphView, LABEL_MODES, type LabelMode, type Selection } from "./graph";
import { LiveClient, liveUrl } from "./live";
import { renderEdgePanel, renderNodePanel, type PanelContext } from "./panel";
import { StatusIndicator } from "./status";
import type { GraphParams } from "./types";

interface PageConfig {
  ws_path: string;
  graph_type?: string;
  live?: boolean; // false: draw nothing live (used by the browser-test harness)
}

function readConfig(): PageConfig {
  const node = document.getElementById("meshwatch-config");
  const parsed = node?.textContent ? (JSON.parse(node.textContent) as Partial<PageConfig>) : {};
  return { ws_path: "/ws/v1/live", live: true, ...parsed };
}

class GraphPage {
  readonly view: GraphView;
  readonly live: LiveClient;
  private readonly status: StatusIndicator;
  private readonly panel = byId("mw-panel");
  private readonly panelContent = byId("mw-panel-content");
  private readonly controls: Controls;
  private selection: Selection = null;

  constructor(config: PageConfig) {
    this.status = new StatusIndicator(byId("mw-status"), byId("mw-status-text"), byId("mw-status-updated"), byId("mw-status-error"));
    this.view = new GraphView(byId("mw-graph"), { onSelect: (s) => this.select(s) });
    const initial = paramsFromUrl(window.location.search);
    this.controls = new Controls(
      {
        graphType: byId<HTMLSelectElement>("mw-graph-type"),
        labelMode: byId<HTMLSelectElement>("mw-label-mode"),
        namespaceText: byId<HTMLInputElement>("mw-namespaces-text"),
        namespaceList: byId("mw-namespaces-list"),
        namespaceSummary: byId("mw-namespaces-summary"),
      },
      initial,
      { onParams: (p) => this.changeParams(p), onLabelMode: (m) => this.view.setLabelMode(m) },
    );
    // The browser may restore a select's value on reload; honour what the user sees.
    const mode = byId<HTMLSelectElement>("mw-label-mode").value as LabelMode;
    if (LABEL_MODES.includes(mode)) this.view.setLabelMode(mode);
    byId("mw-panel-close").addEventListener("click", () => this.select(null));
    this.live = new LiveClient(liveUrl(config.ws_path), "graph", initial, {
      onSnapshot: (data, seq) => {
        this.view.applySnapshot(data);
        this.afterUpdate(seq, data.generated_at);
      },
      onDelta: (data, seq) => {
        this.view.applyDelta(data);
        this.afterUpdate(seq, data.generated_at);
      },
      onState: (state) => this.status.setState(state),
      onError: (detail) => this.status.error(detail),
    });
    this.status.setState(this.live.state);
  }

  select(selection: Selection): void {
    this.selection = selection;
    this.view.select(selection);
    this.renderPanel();
  }

  private changeParams(params: GraphParams): void {
    window.history.replaceState(null, "", urlWithParams(window.location.href, params));
    this.view.refitOnNextSnapshot();
    this.live.setParams(params);
  }

  private afterUpdate(seq: number, generatedAt: string | undefined): void {
    this.status.updated(seq, generatedAt);
    this.controls.setKnownNamespaces(this.view.seenNamespaces);
    if (this.selection) this.renderPanel(); // the numbers under the user's eyes stay current
  }

  private renderPanel(): void {
    const s = this.selection;
    this.panel.hidden = s === null;
    if (!s) return;
    const ctx: PanelContext = {
      nodeName: (id) => this.view.nodes.get(id)?.name ?? id,
      onPick: (group, id) => this.select({ group, id }),
    };
    const node = s.group === "node" ? this.view.nodes.get(s.id) : undefined;
    const edge = s.group === "edge" ? this.view.edges.get(s.id) : undefined;
    let body: HTMLElement;
    if (node) {
      const { inbound, outbound } = this.view.edgesOf(node.id);
      body = renderNodePanel(node, inbound, outbound, ctx);
    } else if (edge) {
      body = renderEdgePanel(edge, ctx);
    } else {
      body = el("p", { class: "mw-muted" }, `${s.id} is no longer in the graph.`);
    }
    replaceChildren(this.panelContent, body);
  }
}

/**
 * HOOKS — window.meshwatch, for browser tests and for poking at a live page:
 *   cy, view, live              the Cytoscape core, the GraphView, the LiveClient
 *   lastSeq, snapshotCount, deltaCount, state   live counters (getters)
 *   select({group, id} | null)  what a click does
 *   render.nodePanel / render.edgePanel          the DOM builders of the side panel
 */
function expose(page: GraphPage | null): void {
  const hooks = {
    render: { nodePanel: renderNodePanel, edgePanel: renderEdgePanel },
    page,
    cy: page?.view.cy,
    view: page?.view,
    live: page?.live,
    select: (s: Selection) => page?.select(s),
    get lastSeq() {
      return page?.live.lastSeq ?? null;
    },
    get snapshotCount() {
      return page?.live.snapshotCount ?? 0;
    },
    get deltaCount() {
      return page?.live.deltaCount ?? 0;
    },
    get state() {
      return page?.live.state ?? "offline";
    },
  };
  (window as unknown as { meshwatch: typeof hooks }).meshwatch = hooks;
}

function boot(): void {
  const config = readConfig();
  const page = document.getElementById("mw-graph") ? new GraphPage(config) : null;
  expose(page);
  if (page && config.live !== false) page.live.start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
