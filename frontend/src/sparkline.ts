// Sparklines for the side panel: one small canvas per metric, no axes, no library.
//
// The scaling is a pure function (tested in frontend/test/sparkline.test.ts); the drawing only
// strokes what it returns. A null value is a gap in the line, never a dip to zero: a step no
// good cycle covered says "no data", which is different from "no traffic".

import { currentTheme } from "./theme";

export interface SparkScale {
  /** Canvas coordinates per value; null where the value is missing. */
  points: ([x: number, y: number] | null)[];
  min: number;
  max: number;
}

export interface SparkOptions {
  /** Fixed domain (ratios: 0..1); otherwise from 0 (or the smallest value, if negative) to the largest. */
  domain?: readonly [number, number];
  pad?: number;
}

function finite(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Where each value sits on a `width` × `height` canvas: x spreads the points evenly across
 * the width (one point: the middle), y grows upwards from the domain's low end to its high end.
 * A flat series (or a zero domain) is drawn along the middle rather than divided by zero.
 */
export function scaleSeries(
  values: readonly (number | null | undefined)[],
  width: number,
  height: number,
  options: SparkOptions = {},
): SparkScale {
  const pad = options.pad ?? 2;
  const present = values.filter(finite);
  const min = options.domain ? options.domain[0] : Math.min(0, ...present);
  const max = options.domain ? options.domain[1] : present.length ? Math.max(...present) : 0;
  const span = max - min;
  const inner = Math.max(0, height - 2 * pad);
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const points = values.map((value, i): [number, number] | null => {
    if (!finite(value)) return null;
    const x = values.length > 1 ? pad + i * step : width / 2;
    const clamped = Math.min(max, Math.max(min, value));
    const y = span > 0 ? pad + inner * (1 - (clamped - min) / span) : height / 2;
    return [x, y];
  });
  return { points, min, max };
}

/** Runs of consecutive present points: each is one stroke (gaps split the line). */
export function segments(points: readonly ([number, number] | null)[]): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  for (const point of points) {
    if (point) run.push(point);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

/** Draws `values` on `canvas` (its CSS size is its width/height attributes). */
export function drawSparkline(
  canvas: HTMLCanvasElement,
  values: readonly (number | null | undefined)[],
  colour: string,
  options: SparkOptions = {},
): SparkScale {
  const width = Number(canvas.getAttribute("width")) || 240;
  const height = Number(canvas.getAttribute("height")) || 32;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const scale = scaleSeries(values, width, height, options);
  const ctx = canvas.getContext("2d");
  if (!ctx) return scale;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = currentTheme() === "dark" ? "rgba(255,255,255,0.15)" : "rgba(0,0,0,0.12)";
  ctx.beginPath(); // the baseline, so an all-zero series still reads as "drawn"
  ctx.moveTo(0, height - 0.5);
  ctx.lineTo(width, height - 0.5);
  ctx.stroke();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5;
  for (const run of segments(scale.points)) {
    const [first, ...rest] = run;
    if (!first) continue;
    if (rest.length === 0) {
      ctx.fillRect(first[0] - 1, first[1] - 1, 2, 2); // a lone point between gaps
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(first[0], first[1]);
    for (const [x, y] of rest) ctx.lineTo(x, y);
    ctx.stroke();
  }
  return scale;
}
