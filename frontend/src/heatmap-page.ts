// /heatmap?edge=SRC>DST|proto (or workload=ns/name, service=ns/name, target=<node id>)
// &window=1h&log=1: the latency heatmap of one subject, live over the `heatmap` topic.

import { CollectionState } from "./collections";
import { byId, el, replaceChildren } from "./dom";
import { HeatmapChart, type Bound, type HeatColumn } from "./heatmap";
import type { TopicSubscription } from "./live";
import type { Shell } from "./shell";

const SUBJECT_KEYS = ["edge", "workload", "service", "source", "target"] as const;
export const HEATMAP_WINDOWS = ["15m", "1h", "6h", "24h"];

export interface HeatmapUrlState {
  subject: Record<string, string>;
  window: string;
  log: boolean;
}

export function heatmapStateFromUrl(search: string): HeatmapUrlState {
  const query = new URLSearchParams(search);
  const subject: Record<string, string> = {};
  for (const key of SUBJECT_KEYS) {
    const value = query.get(key);
    if (value) subject[key] = value;
  }
  return { subject, window: query.get("window") || "15m", log: query.get("log") === "1" };
}

function describe(subject: Record<string, string>): string {
  if (subject.edge) {
    const [ends = "", protocol = ""] = subject.edge.split("|");
    const [src = "", dst = ""] = ends.split(">");
    return `${src} → ${dst}${protocol ? ` (${protocol})` : ""}`;
  }
  return Object.entries(subject).map(([k, v]) => `${k} ${v}`).join(", ");
}

export class HeatmapPage {
  readonly live: TopicSubscription<Record<string, unknown>, Record<string, unknown>>;
  readonly chart: HeatmapChart;
  readonly data = new CollectionState(["columns"]);
  private state: HeatmapUrlState;

  constructor(private readonly shell: Shell) {
    this.state = heatmapStateFromUrl(window.location.search);
    this.chart = new HeatmapChart(byId<HTMLCanvasElement>("mw-heatmap"), byId("mw-heatmap-tip"));
    const windowSelect = byId<HTMLSelectElement>("mw-heatmap-window");
    const log = byId<HTMLInputElement>("mw-heatmap-log");
    windowSelect.value = this.state.window;
    log.checked = this.state.log;
    this.chart.log = this.state.log;
    windowSelect.addEventListener("change", () => this.change({ window: windowSelect.value }));
    log.addEventListener("change", () => {
      this.change({ log: log.checked });
      this.chart.setLog(log.checked);
    });
    window.addEventListener("popstate", () => window.location.reload());
    this.wireSubjectForm();
    // An opaque end (a namespace the viewer may not see): the server would refuse it.
    const opaque = Object.values(this.state.subject).some((v) => v.includes("external:"));
    byId("mw-heatmap-subject").textContent = Object.keys(this.state.subject).length
      ? `${describe(this.state.subject)}${opaque ? " — one end is outside the namespaces you may see" : ""}`
      : "no subject chosen";
    this.live = shell.subscribe("heatmap", this.params(), {
      onSnapshot: (data) => {
        this.data.applySnapshot(data);
        this.redraw();
      },
      onDelta: (data) => {
        this.data.applyDelta(data);
        this.redraw();
      },
    });
    if (!Object.keys(this.state.subject).length || opaque) this.live.close();
  }

  private params(): Record<string, unknown> {
    return { ...this.state.subject, window: this.state.window };
  }

  private change(update: Partial<HeatmapUrlState>): void {
    const windowChanged = update.window !== undefined && update.window !== this.state.window;
    this.state = { ...this.state, ...update };
    const url = new URL(window.location.href);
    url.searchParams.set("window", this.state.window);
    if (this.state.log) url.searchParams.set("log", "1");
    else url.searchParams.delete("log");
    window.history.pushState(null, "", url.toString());
    if (windowChanged && !this.live.closed) this.live.setParams(this.params());
  }

  private wireSubjectForm(): void {
    const form = byId<HTMLFormElement>("mw-heatmap-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const kind = byId<HTMLSelectElement>("mw-heatmap-kind").value;
      const value = byId<HTMLInputElement>("mw-heatmap-name").value.trim();
      if (!value) return;
      const query = new URLSearchParams({ [kind]: value, window: this.state.window });
      window.location.search = query.toString();
    });
  }

  private redraw(): void {
    const meta = this.data.meta;
    const bounds = Array.isArray(meta.bounds_ms) ? (meta.bounds_ms as Bound[]) : [];
    const columns = this.data.items("columns", (c) => String(c.start)) as unknown as HeatColumn[];
    this.chart.setData(bounds, columns);
    const total = columns.reduce((n, c) => n + (typeof c.total === "number" ? c.total : 0), 0);
    const win = meta.window as { start?: string; end?: string } | undefined;
    replaceChildren(
      byId("mw-heatmap-summary"),
      el("span", {}, `${columns.length} columns × ${bounds.length} buckets`),
      el("span", { id: "mw-heatmap-total" }, `${Math.round(total).toLocaleString("en")} requests`),
      win?.start && win.end ? el("span", { class: "mw-muted" }, `${win.start} → ${win.end}`) : null,
    );
  }
}
