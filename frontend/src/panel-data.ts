// What the side panel fetches about a selection, and the pure rules it applies to the answers.
//
// - series: GET /api/v1/series (edge= or node=, the graph's window and at);
// - pods: GET /api/v1/pods filtered by workload (or by app labels for app nodes);
// - policies: every NetworkPolicy and mesh policy of the node's namespace, with the ones that
//   select the node's pods picked here (`policiesFor`), so the inventory API stays generic;
// - findings: GET /api/v1/insights for the namespace, narrowed to the selection's subject id.
// Every request takes an AbortSignal: a new selection aborts the previous one's requests.

import { isNum } from "./format";

export interface SeriesPoint {
  start: string;
  end: string;
  covered_s: number;
  requests: number;
  rps: number | null;
  error_ratio: number | null;
  p95_ms: number | null;
  mtls_ratio: number | null;
}

export interface SeriesDoc {
  window?: { start: string; end: string };
  step_s?: number;
  series: { name: string; points: SeriesPoint[] }[];
}

export interface Pod {
  namespace: string;
  name: string;
  workload?: string;
  ip?: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  restarts?: number;
  labels?: Record<string, string>;
  mesh?: { sidecar?: string };
}

export interface NetworkPolicy {
  namespace: string;
  name: string;
  pod_selector?: unknown;
  policy_types?: string[];
}

export interface MeshPolicy {
  namespace: string;
  name: string;
  kind: string;
  mesh: string;
  spec?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export interface Finding {
  id: string;
  check?: string;
  severity?: string;
  title?: string;
  message?: string;
  subject?: { kind?: string; id?: string; namespace?: string; name?: string };
  last_seen?: string;
}

export interface Page<T> {
  count?: number;
  next?: string | null;
  results: T[];
}

/** A policy that applies to the selected workload, and why. */
export interface AppliedPolicy {
  kind: string;
  name: string;
  mesh: string;
  why: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type GetJson = <T>(url: string, signal: AbortSignal) => Promise<T>;

/** GET with the session cookie; a non-2xx answer throws HttpError with the server's sentence. */
export const fetchJson: GetJson = async <T>(url: string, signal: AbortSignal): Promise<T> => {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal });
  const body = (await response.json().catch(() => ({}))) as T & { detail?: unknown };
  if (!response.ok) {
    const detail = typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
    throw new HttpError(response.status, detail);
  }
  return body;
};

// Lists are read one page deep: a namespace with more policies than this says so.
export const PAGE_SIZE = 1000;

/** The query string of the series request for a selection. */
export function seriesUrl(group: "node" | "edge", id: string, window?: string, at?: string): string {
  const query = new URLSearchParams({ [group]: id, window: window || "5m", step: "auto" });
  if (at) query.set("at", at);
  return `/api/v1/series?${query.toString()}`;
}

/** Pods of a node: by workload, or by app (and version) labels; null for other kinds. */
export function podsUrl(node: { kind: string; namespace: string; name: string; app?: unknown; version?: unknown }): string | null {
  const query = new URLSearchParams({ namespace: node.namespace, page_size: "200" });
  if (node.kind === "workload") query.set("workload", node.name);
  else if (node.kind === "app" && typeof node.app === "string" && node.app) {
    const version = typeof node.version === "string" && node.version ? `,version=${node.version}` : "";
    query.set("labels", `app=${node.app}${version}`);
  } else return null;
  return `/api/v1/pods?${query.toString()}`;
}

function labelMap(value: unknown): Record<string, string> | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

function requirementMatches(req: unknown, labels: Record<string, string>): boolean {
  if (!req || typeof req !== "object") return false;
  const { key, operator, values } = req as { key?: unknown; operator?: unknown; values?: unknown };
  if (typeof key !== "string") return false;
  const list = Array.isArray(values) ? values.map(String) : [];
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  if (operator === "In") return has && list.includes(labels[key] ?? "");
  if (operator === "NotIn") return !has || !list.includes(labels[key] ?? "");
  if (operator === "Exists") return has;
  if (operator === "DoesNotExist") return !has;
  return false; // an operator Kubernetes does not know selects nothing
}

/**
 * Whether a metav1.LabelSelector (as stored: match_labels/match_expressions, or as in YAML:
 * matchLabels/matchExpressions) picks `labels`. The empty selector picks every pod; null or a
 * non-object selects nothing.
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!selector || typeof selector !== "object" || Array.isArray(selector)) return false;
  const s = selector as Record<string, unknown>;
  const match = labelMap(s.match_labels ?? s.matchLabels) ?? {};
  if (!hasAll(match, labels)) return false;
  const expressions = s.match_expressions ?? s.matchExpressions;
  return Array.isArray(expressions) ? expressions.every((r) => requirementMatches(r, labels)) : true;
}

/** Whether `labels` carry every key of `match` with its value (a plain map selector). */
function hasAll(match: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

/** Istio's workload selector (plain matchLabels): null or {} means the whole namespace. */
function istioScope(selector: unknown, labels: Record<string, string>): string | null {
  const match = labelMap(selector);
  if (!match || Object.keys(match).length === 0) return "namespace-wide";
  return hasAll(match, labels) ? "its selector matches" : null;
}

function isEmptySelector(selector: unknown): boolean {
  const s = (selector ?? {}) as Record<string, unknown>;
  const match = labelMap(s.match_labels ?? s.matchLabels) ?? {};
  const expressions = s.match_expressions ?? s.matchExpressions;
  return Object.keys(match).length === 0 && !(Array.isArray(expressions) && expressions.length);
}

/** A Service of the workload's namespace: its name and pod selector (label → value). */
export interface ServiceSelector {
  name: string;
  selector?: Record<string, string> | null;
}

/** The Services whose (non-empty) selector matches pods carrying `labels`. */
function frontingServices(labels: Record<string, string>, services: readonly ServiceSelector[]): Set<string> {
  const names = new Set<string>();
  for (const service of services) {
    const match = labelMap(service.selector);
    if (match && Object.keys(match).length && hasAll(match, labels)) names.add(service.name);
  }
  return names;
}

function istioPolicy(p: MeshPolicy, labels: Record<string, string>, fronting: ReadonlySet<string>): string | null {
  const spec = p.spec ?? {};
  if (p.kind === "PeerAuthentication") {
    const scope = istioScope(spec.selector, labels);
    return scope && `mTLS ${String(spec.mode ?? "UNSET")}, ${scope}`;
  }
  if (p.kind === "AuthorizationPolicy") {
    // A policy bound by targetRefs does not select pods by label: one naming a Service that
    // fronts these pods applies to the traffic sent to that Service (at its waypoint); one
    // naming a Gateway or another Service does not apply here.
    const refs = Array.isArray(spec.target_refs) ? spec.target_refs.map(String) : [];
    if (refs.length && !labelMap(spec.selector)) {
      const via = refs.filter((r) => r.startsWith("Service/") && fronting.has(r.slice("Service/".length)));
      return via.length ? `${String(spec.action ?? "ALLOW")}, traffic to ${via.join(", ")} (targetRefs)` : null;
    }
    const scope = istioScope(spec.selector, labels);
    return scope && `${String(spec.action ?? "ALLOW")}, ${scope}`;
  }
  if (p.kind === "Sidecar") return istioScope(spec.selector, labels);
  return null; // DestinationRules pick hosts on the client side, not pods
}

/** Which of a namespace's policies apply to a workload whose pods carry `labels`. */
export function policiesFor(
  labels: Record<string, string>,
  networkPolicies: readonly NetworkPolicy[],
  meshPolicies: readonly MeshPolicy[],
  services: readonly ServiceSelector[] = [],
): AppliedPolicy[] {
  const applied: AppliedPolicy[] = [];
  for (const np of networkPolicies) {
    if (!labelSelectorMatches(np.pod_selector ?? {}, labels)) continue;
    const types = (np.policy_types ?? []).join(", ") || "Ingress";
    const scope = isEmptySelector(np.pod_selector) ? "every pod in the namespace" : "podSelector matches";
    applied.push({ kind: "NetworkPolicy", name: np.name, mesh: "", why: `${types}; ${scope}` });
  }
  const servers = new Map<string, MeshPolicy>();
  for (const p of meshPolicies) {
    if (p.mesh === "linkerd" && p.kind === "Server" && labelSelectorMatches(p.spec?.pod_selector ?? null, labels)) {
      servers.set(p.name, p);
      applied.push({ kind: p.kind, name: p.name, mesh: p.mesh, why: `port ${String(p.spec?.port ?? "any")}; podSelector matches` });
    }
  }
  const fronting = frontingServices(labels, services);
  for (const p of meshPolicies) {
    const why = p.mesh === "linkerd" ? linkerdPolicy(p, servers) : istioPolicy(p, labels, fronting);
    if (why) applied.push({ kind: p.kind, name: p.name, mesh: p.mesh, why });
  }
  return applied;
}

function linkerdPolicy(p: MeshPolicy, servers: ReadonlyMap<string, MeshPolicy>): string | null {
  const spec = p.spec ?? {};
  if (p.kind === "AuthorizationPolicy") {
    const target = (spec.target ?? {}) as { kind?: unknown; name?: unknown };
    if (target.kind === "Server" && servers.has(String(target.name))) return `guards Server ${String(target.name)}`;
    if (target.kind === "Namespace") return "namespace-wide";
    return null;
  }
  if (p.kind === "ServerAuthorization") {
    const name = typeof spec.server_name === "string" ? spec.server_name : "";
    if (name && servers.has(name)) return `authorizes clients of Server ${name}`;
    const selector = spec.server_selector;
    for (const server of servers.values()) {
      if (selector && labelSelectorMatches(selector, server.labels ?? {})) return `authorizes clients of Server ${server.name}`;
    }
  }
  return null;
}

/** The findings about one subject: a node id, or an edge as `edge:<source>><target>`. */
export function findingsFor(findings: readonly Finding[], ids: readonly string[]): Finding[] {
  const wanted = new Set(ids);
  return findings.filter((f) => typeof f.subject?.id === "string" && wanted.has(f.subject.id));
}

/** The subject ids an edge's findings may use: with and without the protocol. */
export function edgeSubjectIds(edge: { id: string; source: string; target: string }): string[] {
  return [`edge:${edge.source}>${edge.target}`, `edge:${edge.id}`, edge.id];
}

/** The values of one metric along a series (null where absent), for a sparkline. */
export function metric(points: readonly SeriesPoint[], key: "rps" | "error_ratio" | "p95_ms" | "mtls_ratio"): (number | null)[] {
  return points.map((p) => (isNum(p[key]) ? p[key] : null));
}

export const REFRESH_MS = 15_000;

/**
 * When the panel fetches: at once for a new selection or window (aborting whatever the last
 * one still has in flight), again on live updates at most every `intervalMs`, never for a
 * pinned (replayed) window, whose data cannot change.
 */
export class RefreshGate {
  private key: string | null = null;
  private startedAt = Number.NEGATIVE_INFINITY;
  private controller: AbortController | null = null;

  constructor(private readonly intervalMs = REFRESH_MS) {}

  /** "new": another subject or window; "refresh": time to reload; "keep": nothing to do. */
  decide(key: string, pinned: boolean, now: number): "new" | "refresh" | "keep" {
    if (key !== this.key) return "new";
    if (pinned || now - this.startedAt < this.intervalMs) return "keep";
    return "refresh";
  }

  /** Starts a load for `key`: the previous load's requests are aborted. */
  begin(key: string, now: number): AbortSignal {
    this.controller?.abort();
    this.controller = new AbortController();
    this.key = key;
    this.startedAt = now;
    return this.controller.signal;
  }

  /** Forget the subject (the panel closed): abort what is in flight. */
  reset(): void {
    this.controller?.abort();
    this.controller = null;
    this.key = null;
  }
}

/** Whether `error` is the AbortController's doing (a newer selection won), not a failure. */
export function isAbort(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}
