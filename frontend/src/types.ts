// The shapes the server sends (DESIGN.md §3). Everything beyond the documented core is
// optional: the backend may add fields at any time, and the side panel shows unknown ones too.

export type Health = "healthy" | "degraded" | "failure" | "idle" | "unknown";
export type NodeKind = "workload" | "service" | "app" | "unknown";
export type GraphType = "workload" | "app" | "versioned_app" | "service";

export const GRAPH_TYPES: readonly GraphType[] = ["workload", "app", "versioned_app", "service"];

export interface Position {
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  kind: string;
  namespace: string;
  name: string;
  app?: string | null;
  version?: string | null;
  mesh?: string | null;
  health?: string | null;
  outside?: boolean;
  position?: Position | null;
  [extra: string]: unknown;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  protocol?: string | null;
  rps?: number | null;
  error_ratio?: number | null;
  p50_ms?: number | null;
  p95_ms?: number | null;
  p99_ms?: number | null;
  mtls_ratio?: number | null;
  health?: string | null;
  [extra: string]: unknown;
}

export interface GraphSnapshot {
  generated_at?: string;
  window?: { start: string; end: string };
  graph_type?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphDelta {
  generated_at?: string;
  window?: { start: string; end: string };
  upsert?: { nodes?: GraphNode[]; edges?: GraphEdge[] };
  remove?: { nodes?: string[]; edges?: string[] };
}

export interface GraphParams {
  graph_type: GraphType;
  namespaces: string; // comma list, as in the REST query; "" means every visible namespace
  window?: string; // a duration ("15m"); absent: the server's default (5m)
  at?: string; // ISO 8601 end of a past window: a pinned view (replay); absent: live
}

export type ServerMessage =
  | { v?: number; type: "snapshot"; topic: string; seq: number; data: GraphSnapshot }
  | { v?: number; type: "delta"; topic: string; seq: number; data: GraphDelta }
  | { v?: number; type: "error"; topic?: string; detail: unknown };

export type LiveState = "connecting" | "live" | "reconnecting" | "offline";
