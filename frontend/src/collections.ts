// Client-side state of a live topic whose snapshot holds lists of items with an `id`
// (heatmap "columns", dns "servers"/"upstreams"/"latency_columns", alerts "alerts").
//
// A delta is `{"upsert": {collection: [item…]}, "remove": {collection: [id…]}, …}`; every
// other key of the delta (generated_at, window, bounds…) replaces the snapshot's own.

export interface Item {
  id: string;
  [field: string]: unknown;
}

export interface CollectionDelta {
  upsert?: Record<string, unknown>;
  remove?: Record<string, unknown>;
  [field: string]: unknown;
}

export class CollectionState {
  /** The snapshot's scalar fields (generated_at, window, …), newest values. */
  meta: Record<string, unknown> = {};
  private readonly lists = new Map<string, Map<string, Item>>();

  constructor(readonly collections: readonly string[]) {
    for (const name of collections) this.lists.set(name, new Map());
  }

  applySnapshot(data: Record<string, unknown>): void {
    this.meta = {};
    for (const [key, value] of Object.entries(data)) {
      if (!this.lists.has(key)) this.meta[key] = value;
    }
    for (const name of this.collections) {
      const list = new Map<string, Item>();
      for (const item of asItems(data[name])) list.set(item.id, item);
      this.lists.set(name, list);
    }
  }

  applyDelta(delta: CollectionDelta): void {
    for (const [key, value] of Object.entries(delta)) {
      if (key !== "upsert" && key !== "remove" && !this.lists.has(key)) this.meta[key] = value;
    }
    for (const name of this.collections) {
      const list = this.lists.get(name);
      if (!list) continue;
      const removed = delta.remove?.[name];
      if (Array.isArray(removed)) for (const id of removed) list.delete(String(id));
      for (const item of asItems(delta.upsert?.[name])) list.set(item.id, item);
    }
  }

  /** The items of one collection; `sortKey` orders them (ids sort as strings by default). */
  items(name: string, sortKey: (item: Item) => string | number = (i) => i.id): Item[] {
    const list = [...(this.lists.get(name)?.values() ?? [])];
    return list.sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  size(name: string): number {
    return this.lists.get(name)?.size ?? 0;
  }
}

function asItems(value: unknown): Item[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is Item => typeof v === "object" && v !== null && typeof (v as Item).id === "string");
}
