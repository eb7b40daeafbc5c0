// What the Insights page knows, apart from the DOM: the filters (also its URL), the findings
// from the live topic (open ones) merged with those REST lists (resolved ones, for
// state=resolved|all), and the order they are shown in. Pure, so node:test covers it.

export type Severity = "info" | "warning" | "critical";
export type StateFilter = "open" | "resolved" | "all";

export interface Subject {
  kind?: string;
  id?: string;
  namespace?: string;
  name?: string;
}

export interface Finding {
  id: string;
  check?: string;
  severity?: string;
  title?: string;
  message?: string;
  book_row?: string;
  subject?: Subject | null;
  namespace?: string;
  evidence?: Record<string, unknown> | null;
  remedy?: { text?: string; snippet?: string; language?: string } | null;
  first_seen?: string | null;
  last_seen?: string | null;
  resolved_at?: string | null;
  state?: string;
  [field: string]: unknown;
}

export interface InsightFilters {
  severity: string; // "" any
  namespace: string; // "" all (one name or a comma list)
  check: string; // "" any
  state: StateFilter;
  open: string; // the expanded finding's id, or ""
}

const SEVERITIES = ["info", "warning", "critical"];
const STATES: StateFilter[] = ["open", "resolved", "all"];
export const SEVERITY_RANK: Record<string, number> = { critical: 3, warning: 2, info: 1 };
// Check ids and namespaces are short and plain; anything else in a URL is not ours.
const TOKEN = /^[A-Za-z0-9_.:,-]{1,200}$/;

export function filtersFromUrl(search: string): InsightFilters {
  const q = new URLSearchParams(search);
  const token = (key: string) => {
    const v = (q.get(key) ?? "").trim();
    return TOKEN.test(v) ? v : "";
  };
  const severity = q.get("severity") ?? "";
  const state = (q.get("state") ?? "open") as StateFilter;
  return {
    severity: SEVERITIES.includes(severity) ? severity : "",
    namespace: token("namespace"),
    check: token("check"),
    state: STATES.includes(state) ? state : "open",
    open: token("open"),
  };
}

/** The URL keys of `filters` (defaults left out, so a plain /insights stays plain). */
export function filtersToUrl(f: InsightFilters): Record<string, string> {
  return { severity: f.severity, namespace: f.namespace, check: f.check, state: f.state === "open" ? "" : f.state, open: f.open };
}

/** The live topic's params: namespaces, severity, check (state is not a topic param). */
export function topicParams(f: InsightFilters, scope: string): Record<string, unknown> {
  const params: Record<string, unknown> = { namespaces: f.namespace || scope };
  if (f.severity) params.severity = f.severity;
  if (f.check) params.check = f.check;
  return params;
}

/** The REST query for resolved findings (the open ones come live). */
export function restQuery(f: InsightFilters, scope: string): URLSearchParams {
  const q = new URLSearchParams({ state: f.state === "all" ? "resolved" : f.state });
  const ns = f.namespace || scope;
  if (ns) q.set("namespace", ns);
  if (f.severity) q.set("severity", f.severity);
  if (f.check) q.set("check", f.check);
  return q;
}

function isFinding(v: unknown): v is Finding {
  return typeof v === "object" && v !== null && typeof (v as Finding).id === "string";
}

function asFindings(v: unknown): Finding[] {
  return Array.isArray(v) ? v.filter(isFinding) : [];
}

function stringOrNull(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function time(v: unknown): number {
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Severity first (critical on top), then the most recently seen, then id for stability. */
export function compareFindings(a: Finding, b: Finding): number {
  const s = (SEVERITY_RANK[b.severity ?? ""] ?? 0) - (SEVERITY_RANK[a.severity ?? ""] ?? 0);
  if (s) return s;
  const t = time(b.last_seen) - time(a.last_seen);
  if (t) return t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function findingNamespace(f: Finding): string {
  return f.namespace || f.subject?.namespace || "";
}

export class FindingsState {
  /** Open findings, from the live topic's "findings" collection. */
  private readonly live = new Map<string, Finding>();
  /** Findings from REST (resolved ones); a live one with the same id wins. */
  private rest = new Map<string, Finding>();
  /** Findings that left the live topic since the snapshot: resolved, time unknown yet. */
  private readonly gone = new Map<string, Finding>();
  meta: Record<string, unknown> = {};

  applySnapshot(data: Record<string, unknown>): void {
    this.live.clear();
    this.gone.clear();
    this.meta = {};
    for (const [k, v] of Object.entries(data)) if (k !== "findings") this.meta[k] = v;
    for (const f of asFindings(data.findings)) this.live.set(f.id, f);
  }

  applyDelta(delta: Record<string, unknown>): void {
    const seenBefore = this.meta.seen_at;
    for (const [k, v] of Object.entries(delta)) if (k !== "upsert" && k !== "remove" && k !== "findings") this.meta[k] = v;
    const removed = (delta.remove as Record<string, unknown> | undefined)?.findings;
    if (Array.isArray(removed)) {
      for (const id of removed.map(String)) {
        const was = this.live.get(id);
        this.live.delete(id);
        // Last seen by the evaluation before this one: keep that time, it no longer moves.
        if (was) this.gone.set(id, { ...was, last_seen: was.last_seen ?? stringOrNull(seenBefore), state: "resolved" });
      }
    }
    for (const f of asFindings((delta.upsert as Record<string, unknown> | undefined)?.findings)) {
      this.gone.delete(f.id);
      this.live.set(f.id, f);
    }
  }

  setRest(items: unknown): void {
    this.rest = new Map(asFindings(items).map((f) => [f.id, f]));
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** What the page shows for `filters`, in display order. */
  visible(f: InsightFilters): Finding[] {
    const all = new Map<string, Finding>();
    for (const src of [this.rest, this.gone]) for (const [id, item] of src) all.set(id, item);
    // The topic leaves last_seen null on the findings its latest evaluation saw (`seen_at`).
    const seenAt = stringOrNull(this.meta.seen_at);
    for (const [id, item] of this.live) all.set(id, item.last_seen ? item : { ...item, last_seen: item.last_seen ?? seenAt });
    const namespaces = new Set(f.namespace.split(",").filter(Boolean));
    return [...all.values()]
      .filter((x) => {
        const state = x.state === "resolved" || x.resolved_at ? "resolved" : "open";
        if (f.state !== "all" && state !== f.state) return false;
        if (f.severity && x.severity !== f.severity) return false;
        if (f.check && x.check !== f.check) return false;
        if (namespaces.size && !namespaces.has(findingNamespace(x))) return false;
        return true;
      })
      .sort(compareFindings);
  }
}

/** Counts per severity, for the summary line and the overview. */
export function severityCounts(items: Iterable<Finding>): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of items) if (f.severity === "critical" || f.severity === "warning" || f.severity === "info") out[f.severity] += 1;
  return out;
}
