// Entry point of every page: the shared shell (socket, status, theme), then the page's view,
// chosen by `page` in the config from `{{ config|json_script:"meshwatch-config" }}` (no inline
// script, so a strict CSP can forbid them). Test hooks are on window.meshwatch (HOOKS below).

import { AlertsPage } from "./alerts-page";
import { DnsPage } from "./dns-page";
import { GraphPage } from "./graph-page";
import { HeatmapPage } from "./heatmap-page";
import { InsightsPage } from "./insights-page";
import { InventoryPage } from "./inventory-page";
import { MtlsPage } from "./mtls-page";
import { OverviewPage } from "./overview-page";
import { renderEdgePanel, renderNodePanel } from "./panel";
import { readConfig, Shell } from "./shell";
import { initTheme } from "./theme";
import type { Selection } from "./graph";
import type { TopicSubscription } from "./live";

interface PageView {
  /** The page's main subscription: its counters are the test hooks. */
  readonly live: TopicSubscription<unknown, unknown> | TopicSubscription<never, never>;
}

/**
 * HOOKS — window.meshwatch, for browser tests and for poking at a live page:
 *   page, socket                the page view and the shared LiveSocket
 *   cy, view, live              (graph page) the Cytoscape core, the GraphView, its subscription
 *   lastSeq, snapshotCount, deltaCount, state   the main subscription's counters (getters)
 *   select({group, id} | null)  what a click does (graph page)
 *   render.nodePanel / render.edgePanel          the DOM builders of the side panel
 */
function expose(shell: Shell | null, page: PageView | null): void {
  const graph = page instanceof GraphPage ? page : null;
  const live = page?.live as TopicSubscription<unknown, unknown> | undefined;
  const hooks = {
    render: { nodePanel: renderNodePanel, edgePanel: renderEdgePanel },
    page,
    socket: shell?.live,
    cy: graph?.view.cy,
    view: graph?.view,
    live,
    select: (s: Selection) => graph?.select(s),
    get lastSeq() {
      return live?.lastSeq ?? null;
    },
    get snapshotCount() {
      return live?.snapshotCount ?? 0;
    },
    get deltaCount() {
      return live?.deltaCount ?? 0;
    },
    get state() {
      return shell?.live.state ?? "offline";
    },
  };
  (window as unknown as { meshwatch: typeof hooks }).meshwatch = hooks;
}

function createPage(shell: Shell): PageView | null {
  switch (shell.config.page ?? (document.getElementById("mw-graph") ? "graph" : "")) {
    case "graph": return new GraphPage(shell);
    case "heatmap": return new HeatmapPage(shell);
    case "dns": return new DnsPage(shell);
    case "alerts": return new AlertsPage(shell);
    case "overview": return new OverviewPage(shell);
    case "mtls": return new MtlsPage(shell);
    case "insights": return new InsightsPage(shell);
    case "inventory": return new InventoryPage(shell);
    default: return null;
  }
}

function boot(): void {
  const config = readConfig();
  const shell = document.getElementById("mw-status") ? new Shell(config) : null;
  if (!shell) initTheme(document.getElementById("mw-theme-toggle") as HTMLButtonElement | null);
  const page = shell ? createPage(shell) : null;
  expose(shell, page);
  if (page) shell?.start(); // a page without live views (login) opens no socket
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
