// The stale rule: data is stale when its newest timestamp is older than about two collection
// intervals. The timestamp is the payload's `window.end` (the end of the cycle it describes)
// and only without one its `generated_at`: a snapshot built just now from a cycle that ran long
// ago (collectors down) must still read as old.

export const STALE_INTERVALS = 2.5;

function parseTime(value: unknown): number | null {
  if (typeof value !== "string" || value === "") return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The newest data time a snapshot or delta carries, in ms since the epoch, or null. */
export function dataTime(data: unknown): number | null {
  if (typeof data !== "object" || data === null) return null;
  const d = data as { generated_at?: unknown; window?: { end?: unknown } };
  return parseTime(d.window?.end) ?? parseTime(d.generated_at);
}

/** Whether data as of `newestMs` is stale at `nowMs`, for a cycle every `intervalS` seconds. */
export function isStale(newestMs: number | null, nowMs: number, intervalS: number): boolean {
  if (newestMs === null) return false; // nothing yet: "connecting" says enough
  return nowMs - newestMs > STALE_INTERVALS * Math.max(1, intervalS) * 1000;
}
