// Where a node appears when it joins a graph that is already on screen.
//
// The server computes a position for every node, but it lays out the whole graph, while the
// browser has promised the user that nodes they are looking at never move. So a newcomer gets
// its server position only when that spot is free; otherwise it goes next to the neighbours it
// talks to (the user's eye is already there), in the first free spot of a spiral around them.
// Pure functions: no Cytoscape, no DOM.

import type { Position } from "./types";

/** Two node centres closer than this overlap on screen (node diameter plus label room). */
export const MIN_GAP = 56;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const MAX_SPIRAL_STEPS = 4000;

export function isPosition(value: unknown): value is Position {
  if (typeof value !== "object" || value === null) return false;
  const { x, y } = value as { x: unknown; y: unknown };
  return typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y);
}

export function centroid(points: readonly Position[]): Position | null {
  if (points.length === 0) return null;
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / points.length, y: y / points.length };
}

export function isFree(p: Position, occupied: readonly Position[], gap = MIN_GAP): boolean {
  const gap2 = gap * gap;
  for (const q of occupied) {
    const dx = p.x - q.x;
    const dy = p.y - q.y;
    if (dx * dx + dy * dy < gap2) return false;
  }
  return true;
}

/** The first free point on a sunflower spiral around `anchor` (dense, no favoured direction). */
export function freeSpotNear(anchor: Position, occupied: readonly Position[], gap = MIN_GAP): Position {
  if (isFree(anchor, occupied, gap)) return anchor;
  for (let i = 1; i <= MAX_SPIRAL_STEPS; i++) {
    const r = gap * 0.8 * Math.sqrt(i);
    const p = { x: anchor.x + r * Math.cos(i * GOLDEN_ANGLE), y: anchor.y + r * Math.sin(i * GOLDEN_ANGLE) };
    if (isFree(p, occupied, gap)) return p;
  }
  // Only reachable with thousands of nodes around one anchor; overlap beats looping forever.
  return { x: anchor.x + gap * Math.sqrt(MAX_SPIRAL_STEPS), y: anchor.y };
}

export interface Newcomer {
  id: string;
  position: Position | null; // the server's suggestion, if any
  neighbours: readonly string[]; // ids of nodes it shares an edge with
}

/**
 * Positions for nodes joining a graph whose placed nodes are `placed` (id → position).
 * 1. A free server position is kept as is.
 * 2. Otherwise the anchor is the centroid of the neighbours placed so far (earlier newcomers of
 *    the same batch count), else the server position, else the centroid of the whole graph.
 * 3. The node takes the first free spot around its anchor.
 */
export function placeNewcomers(newcomers: readonly Newcomer[], placed: ReadonlyMap<string, Position>): Map<string, Position> {
  const all = new Map(placed);
  const occupied = [...placed.values()];
  const result = new Map<string, Position>();
  for (const node of newcomers) {
    let pos: Position;
    if (node.position && isFree(node.position, occupied)) {
      pos = node.position;
    } else {
      const near = node.neighbours.map((id) => all.get(id)).filter((p): p is Position => p !== undefined);
      const anchor = centroid(near) ?? node.position ?? centroid(occupied) ?? { x: 0, y: 0 };
      pos = freeSpotNear(anchor, occupied);
    }
    all.set(node.id, pos);
    occupied.push(pos);
    result.set(node.id, pos);
  }
  return result;
}
