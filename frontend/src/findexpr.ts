// The graph's find/hide expressions: `rps > 10`, `error > 1%`, `mtls < 100%`, `ns = bookinfo`,
// `label:app=reviews`, `health = failure`, a bare word (name contains), joined by `and` or
// `,` (all must hold) or `or` (either). Parsing is separate from matching so a typo is reported
// as the user types, before anything on screen changes.
//
// Ratio fields (error, mtls) read `1%` as 0.01; a bare number above 1 is taken as a percentage
// too (`error > 5` means 5%), since nobody means an error ratio of 500%.

import type { GraphEdge, GraphNode } from "./types";

export type Op = ">" | ">=" | "<" | "<=" | "=" | "!=";
export type NumField = "rps" | "error" | "mtls" | "p50" | "p95" | "p99";
export type TextField = "ns" | "name" | "health" | "kind" | "protocol";

export type Term =
  | { kind: "num"; field: NumField; op: Op; value: number }
  | { kind: "text"; field: TextField; op: "=" | "!="; value: string }
  | { kind: "label"; key: string; value: string | null }
  | { kind: "word"; value: string };

/** Terms in disjunctive normal form: any group matches when every term of it matches. */
export type Expr = Term[][];

export type ParseResult = { ok: true; expr: Expr } | { ok: false; error: string };

const NUM_ALIASES: Record<string, NumField> = {
  rps: "rps",
  error: "error",
  errors: "error",
  "error%": "error",
  "%error": "error",
  mtls: "mtls",
  "mtls%": "mtls",
  p50: "p50",
  p95: "p95",
  p99: "p99",
  latency: "p95",
};
const TEXT_ALIASES: Record<string, TextField> = {
  ns: "ns",
  namespace: "ns",
  name: "name",
  health: "health",
  kind: "kind",
  protocol: "protocol",
};
const RATIO_FIELDS = new Set<NumField>(["error", "mtls"]);
const COMPARISON = /^([%a-z0-9_]+%?)\s*(>=|<=|!=|>|<|==|=)\s*(.+)$/i;
const LABEL = /^label:([^=\s]+)(?:=(.*))?$/i;

export function parseExpr(text: string): ParseResult {
  const source = text.trim();
  if (!source) return { ok: true, expr: [] };
  const expr: Expr = [];
  for (const alternative of source.split(/\s+or\b\s*|\s*\|\|\s*/i)) {
    const group: Term[] = [];
    for (const part of alternative.split(/\s+and\b\s*|\s*,\s*|\s*&&\s*/i)) {
      const piece = part.trim();
      if (!piece) return { ok: false, error: "an empty condition between `and`/`or`" };
      const term = parseTerm(piece);
      if ("error" in term) return { ok: false, error: term.error };
      group.push(term);
    }
    expr.push(group);
  }
  return { ok: true, expr };
}

function parseTerm(piece: string): Term | { error: string } {
  const label = LABEL.exec(piece);
  if (label) return { kind: "label", key: label[1] ?? "", value: label[2] === undefined ? null : label[2].trim() };
  const cmp = COMPARISON.exec(piece);
  if (!cmp) {
    if (/[<>=!]/.test(piece)) return { error: `cannot read \`${piece}\`: use field op value, e.g. rps > 10` };
    return { kind: "word", value: piece.toLowerCase() };
  }
  const name = (cmp[1] ?? "").toLowerCase();
  const op = (cmp[2] === "==" ? "=" : cmp[2]) as Op;
  const raw = (cmp[3] ?? "").trim();
  const numField = NUM_ALIASES[name];
  if (numField) {
    const value = parseNumber(raw, RATIO_FIELDS.has(numField));
    if (value === null) return { error: `${name} needs a number, not \`${raw}\`` };
    return { kind: "num", field: numField, op, value };
  }
  const textField = TEXT_ALIASES[name];
  if (textField) {
    if (op !== "=" && op !== "!=") return { error: `${name} compares with = or != only` };
    return { kind: "text", field: textField, op, value: raw.replace(/^["']|["']$/g, "") };
  }
  const known = [...Object.keys(NUM_ALIASES), ...Object.keys(TEXT_ALIASES)].filter((k) => /^[a-z0-9]+$/.test(k));
  return { error: `unknown field \`${name}\`; known: ${known.join(", ")}, label:key=value` };
}

function parseNumber(raw: string, ratio: boolean): number | null {
  const match = /^(-?\d+(?:\.\d+)?)\s*(%|ms|rps)?$/i.exec(raw);
  if (!match) return null;
  const n = Number(match[1]);
  if (!ratio) return n;
  if (match[2] === "%") return n / 100;
  return n > 1 ? n / 100 : n;
}

/** What a term is tested against: a node or an edge flattened to the same fields. */
export interface Subject {
  num: Partial<Record<NumField, number | null>>;
  text: Partial<Record<TextField, string[]>>;
  labels: Record<string, string>[];
  names: string[];
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function labelsOf(node: GraphNode | undefined): Record<string, string> {
  const labels = node?.labels;
  return typeof labels === "object" && labels !== null ? (labels as Record<string, string>) : {};
}

export function nodeSubject(node: GraphNode): Subject {
  const t = (typeof node.traffic === "object" && node.traffic !== null ? node.traffic : {}) as Record<string, unknown>;
  const rpsIn = num(t.rps_in);
  const rpsOut = num(t.rps_out);
  return {
    num: {
      rps: rpsIn === null && rpsOut === null ? null : (rpsIn ?? 0) + (rpsOut ?? 0),
      error: num(t.error_ratio_in),
      mtls: num(t.mtls_ratio_in),
      p50: num(t.p50_ms_in),
      p95: num(t.p95_ms_in),
      p99: num(t.p99_ms_in),
    },
    text: {
      ns: [node.namespace],
      name: [String(node.name)],
      health: [String(node.health ?? "unknown")],
      kind: [node.kind],
    },
    labels: [labelsOf(node)],
    names: [String(node.name), node.id],
  };
}

export function edgeSubject(edge: GraphEdge, nodes: ReadonlyMap<string, GraphNode>): Subject {
  const source = nodes.get(edge.source);
  const target = nodes.get(edge.target);
  const ends = [source, target].filter((n): n is GraphNode => n !== undefined);
  return {
    num: {
      rps: num(edge.rps),
      error: num(edge.error_ratio),
      mtls: num(edge.mtls_ratio),
      p50: num(edge.p50_ms),
      p95: num(edge.p95_ms),
      p99: num(edge.p99_ms),
    },
    text: {
      ns: ends.map((n) => n.namespace),
      name: ends.map((n) => String(n.name)),
      health: [String(edge.health ?? "unknown")],
      kind: ["edge"],
      protocol: [String(edge.protocol ?? "")],
    },
    labels: ends.map(labelsOf),
    names: [edge.id],
  };
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case ">": return a > b;
    case ">=": return a >= b;
    case "<": return a < b;
    case "<=": return a <= b;
    case "=": return Math.abs(a - b) < 1e-9;
    case "!=": return Math.abs(a - b) >= 1e-9;
  }
}

function matchTerm(term: Term, s: Subject): boolean {
  switch (term.kind) {
    case "num": {
      const value = s.num[term.field];
      return value !== null && value !== undefined && compare(value, term.op, term.value);
    }
    case "text": {
      const hit = (s.text[term.field] ?? []).some((v) => v.toLowerCase() === term.value.toLowerCase());
      return term.op === "=" ? hit : !hit;
    }
    case "label":
      return s.labels.some((l) => Object.hasOwn(l, term.key) && (term.value === null || l[term.key] === term.value));
    case "word":
      return s.names.some((n) => n.toLowerCase().includes(term.value));
  }
}

/** Whether `subject` matches; an empty expression matches nothing (nothing to find or hide). */
export function matches(expr: Expr, subject: Subject): boolean {
  return expr.some((group) => group.every((term) => matchTerm(term, subject)));
}
