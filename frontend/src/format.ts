// Number formatting shared by edge labels and the side panel, so both say the same thing.

export function isNum(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

const DASH = "—";

export function fmtRps(value: unknown): string {
  if (!isNum(value)) return DASH;
  if (value === 0) return "0 rps";
  if (value < 0.01) return "<0.01 rps";
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value)} rps`;
}

export function fmtMs(value: unknown): string {
  if (!isNum(value)) return DASH;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** A 0..1 ratio as a percentage; tiny but non-zero error rates must not read as 0%. */
export function fmtPct(value: unknown): string {
  if (!isNum(value)) return DASH;
  const pct = value * 100;
  if (pct > 0 && pct < 0.1) return "<0.1%";
  return `${pct < 10 && pct !== 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}

export function fmtBytes(value: unknown): string {
  if (!isNum(value)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let n = value;
  let unit = 0;
  while (Math.abs(n) >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`;
}

/** Both directions of a TCP edge together, per second. */
export function fmtThroughput(value: unknown): string {
  if (typeof value !== "object" || value === null) return DASH;
  const { sent, received } = value as { sent?: unknown; received?: unknown };
  const total = (isNum(sent) ? sent : 0) + (isNum(received) ? received : 0);
  return `${fmtBytes(total)}/s`;
}

export function fmtNumber(value: unknown): string {
  if (!isNum(value)) return DASH;
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, "");
}

/** Any JSON value as one line of text (for fields the panel does not know by name). */
export function fmtValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return DASH;
  if (typeof value === "number") return fmtNumber(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value);
}

export function fmtClock(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
