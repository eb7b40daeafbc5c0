// The latency heatmap on a canvas: time left to right, latency buckets bottom to top, colour =
// requests in the cell (linear or log), the p50/p95/p99 of each column drawn over it as lines.
// Our own canvas code: a few hundred rectangles per frame, faster than any charting library.

import { fmtClock, fmtMs, fmtNumber } from "./format";
import { currentTheme } from "./theme";

export type Bound = number | "+Inf";

export interface HeatColumn {
  id: string;
  start: string;
  end: string;
  counts: number[];
  total?: number;
  p50_ms?: number | null;
  p95_ms?: number | null;
  p99_ms?: number | null;
}

export interface Cell {
  column: HeatColumn;
  bucket: number;
  range: string;
  count: number;
}

const PERCENTILES = [
  { key: "p50_ms", label: "p50", colour: "#2b9af3" },
  { key: "p95_ms", label: "p95", colour: "#f0ab00" },
  { key: "p99_ms", label: "p99", colour: "#c9190b" },
] as const;
// A perceptually even ramp (viridis stops): dark is few, bright is many.
const RAMP = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
const MARGIN = { left: 72, right: 12, top: 10, bottom: 26 };

/** "5–10 ms", "≤ 0.5 ms", "> 30000 ms": the latency range of bucket `i`. */
export function bucketLabel(bounds: readonly Bound[], i: number): string {
  const hi = bounds[i];
  const lo = i > 0 ? bounds[i - 1] : undefined;
  if (hi === "+Inf") return `> ${lo === undefined ? 0 : fmtMs(lo)}`;
  if (hi === undefined) return "";
  return lo === undefined || lo === "+Inf" ? `≤ ${fmtMs(hi)}` : `${fmtMs(lo)} – ${fmtMs(hi)}`;
}

/** Where a latency sits on the bucket axis (0 = bottom of bucket 0), interpolated inside its bucket. */
export function latencyToRow(bounds: readonly Bound[], ms: number): number {
  let lo = 0;
  for (let i = 0; i < bounds.length; i++) {
    const hi = bounds[i];
    if (hi === "+Inf" || hi === undefined) return i + 0.5;
    if (ms <= hi) return i + (hi > lo ? (ms - lo) / (hi - lo) : 1);
    lo = hi;
  }
  return bounds.length;
}

/** 0..1 intensity of a count given the largest count on screen. */
export function intensity(count: number, max: number, log: boolean): number {
  if (!(count > 0) || !(max > 0)) return 0;
  if (!log) return count / max;
  return Math.log1p(count) / Math.log1p(max);
}

function hex(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rampColour(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const [a, b] = [hex(RAMP[i] ?? "#000000"), hex(RAMP[i + 1] ?? "#000000")];
  const f = x - i;
  const mix = a.map((v, k) => Math.round(v + ((b[k] ?? 0) - v) * f));
  return `rgb(${mix.join(",")})`;
}

export class HeatmapChart {
  bounds: Bound[] = [];
  columns: HeatColumn[] = [];
  log = false;
  /** Bumped on every draw: tests wait for it. */
  draws = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
  ) {
    new ResizeObserver(() => this.draw()).observe(canvas);
    window.addEventListener("meshwatch:theme", () => this.draw());
    canvas.addEventListener("mousemove", (e) => this.hover(e.offsetX, e.offsetY));
    canvas.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
  }

  setData(bounds: readonly Bound[], columns: readonly HeatColumn[]): void {
    this.bounds = [...bounds];
    this.columns = [...columns].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    this.draw();
  }

  setLog(log: boolean): void {
    this.log = log;
    this.draw();
  }

  /** The cell under a point in CSS pixels of the canvas, or null outside the plot. */
  cellAt(x: number, y: number): Cell | null {
    const plot = this.plot();
    const n = this.columns.length;
    const rows = this.bounds.length;
    if (!n || !rows || x < plot.x || x >= plot.x + plot.w || y < plot.y || y >= plot.y + plot.h) return null;
    const c = Math.floor(((x - plot.x) / plot.w) * n);
    const r = rows - 1 - Math.floor(((y - plot.y) / plot.h) * rows);
    const column = this.columns[c];
    if (!column) return null;
    return { column, bucket: r, range: bucketLabel(this.bounds, r), count: column.counts[r] ?? 0 };
  }

  /** The CSS-pixel centre of cell (column index, bucket), for tests that hover it. */
  cellCentre(columnIndex: number, bucket: number): { x: number; y: number } {
    const plot = this.plot();
    const rows = Math.max(1, this.bounds.length);
    const n = Math.max(1, this.columns.length);
    return { x: plot.x + ((columnIndex + 0.5) / n) * plot.w, y: plot.y + ((rows - 1 - bucket + 0.5) / rows) * plot.h };
  }

  private plot(): { x: number; y: number; w: number; h: number } {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    return { x: MARGIN.left, y: MARGIN.top, w: Math.max(1, w - MARGIN.left - MARGIN.right), h: Math.max(1, h - MARGIN.top - MARGIN.bottom) };
  }

  draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const ratio = window.devicePixelRatio || 1;
    const cw = this.canvas.clientWidth;
    const ch = this.canvas.clientHeight;
    this.canvas.width = Math.round(cw * ratio);
    this.canvas.height = Math.round(ch * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const dark = currentTheme() === "dark";
    ctx.fillStyle = dark ? "#1b1d21" : "#ffffff";
    ctx.fillRect(0, 0, cw, ch);
    this.draws += 1;
    const rows = this.bounds.length;
    const n = this.columns.length;
    const plot = this.plot();
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = dark ? "#c9ccd1" : "#3c3f42";
    if (!rows || !n) {
      ctx.fillText("no latency data in this window", plot.x + 8, plot.y + 20);
      return;
    }
    const max = Math.max(0, ...this.columns.flatMap((c) => c.counts));
    const cellW = plot.w / n;
    const cellH = plot.h / rows;
    ctx.fillStyle = dark ? "#24272c" : "#f2f3f5";
    ctx.fillRect(plot.x, plot.y, plot.w, plot.h);
    this.columns.forEach((col, ci) => {
      col.counts.forEach((count, bi) => {
        const t = intensity(count, max, this.log);
        if (t <= 0) return;
        ctx.fillStyle = rampColour(t);
        ctx.fillRect(plot.x + ci * cellW, plot.y + (rows - 1 - bi) * cellH, Math.ceil(cellW), Math.ceil(cellH));
      });
    });
    this.drawAxes(ctx, plot, rows, n, cellH, dark);
    this.drawPercentiles(ctx, plot, rows, cellW, cellH);
  }

  private drawAxes(ctx: CanvasRenderingContext2D, plot: { x: number; y: number; w: number; h: number }, rows: number, n: number, cellH: number, dark: boolean): void {
    ctx.fillStyle = dark ? "#c9ccd1" : "#3c3f42";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const every = Math.max(1, Math.ceil(rows / Math.max(1, Math.floor(plot.h / 16))));
    for (let i = 0; i < rows; i += every) {
      const b = this.bounds[i];
      ctx.fillText(b === "+Inf" ? "+Inf" : fmtMs(b), plot.x - 6, plot.y + (rows - 1 - i + 0.5) * cellH);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const ticks = Math.min(n, Math.max(2, Math.floor(plot.w / 110)));
    for (let k = 0; k < ticks; k++) {
      const ci = Math.round((k / Math.max(1, ticks - 1)) * (n - 1));
      const col = this.columns[ci];
      if (col) ctx.fillText(fmtClock(new Date(col.start)), plot.x + ((ci + 0.5) / n) * plot.w, plot.y + plot.h + 6);
    }
  }

  private drawPercentiles(ctx: CanvasRenderingContext2D, plot: { x: number; y: number; w: number; h: number }, rows: number, cellW: number, cellH: number): void {
    ctx.lineWidth = 2;
    for (const p of PERCENTILES) {
      ctx.strokeStyle = p.colour;
      ctx.beginPath();
      let pen = false;
      this.columns.forEach((col, ci) => {
        const v = col[p.key];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          pen = false;
          return;
        }
        const x = plot.x + (ci + 0.5) * cellW;
        const y = plot.y + (rows - latencyToRow(this.bounds, v)) * cellH;
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      });
      ctx.stroke();
    }
  }

  private hover(x: number, y: number): void {
    const cell = this.cellAt(x, y);
    if (!cell) {
      this.tooltip.hidden = true;
      return;
    }
    const col = cell.column;
    this.tooltip.textContent =
      `${fmtClock(new Date(col.start))}–${fmtClock(new Date(col.end))} · ${cell.range} · ` +
      `${fmtNumber(Math.round(cell.count * 100) / 100)} requests · p50 ${fmtMs(col.p50_ms)} p95 ${fmtMs(col.p95_ms)} p99 ${fmtMs(col.p99_ms)}`;
    this.tooltip.style.left = `${Math.min(x + 14, this.canvas.clientWidth - 260)}px`;
    this.tooltip.style.top = `${y + 14}px`;
    this.tooltip.hidden = false;
  }
}

/** The legend for the percentile lines, as DOM (colours via data- attributes and CSS). */
export const PERCENTILE_LEGEND = PERCENTILES.map((p) => p.label);
