// /inventory?tab=pods&namespace=a,b&labels=app%3Dweb&page=2: the stored inventory, one tab
// per kind, a page at a time from REST (`page_size`), filtered by namespace and a Kubernetes
// label selector (passed through as `labels=`; the server parses and rejects it). The
// `inventory` topic says when something changed: the page then re-fetches what it shows.

import { byId, el, replaceChildren } from "./dom";
import { fmtValue } from "./format";
import type { TopicSubscription } from "./live";
import { badge, dataTable, fmtWhen, labelChips, normaliseList, obj, row, str, writeUrl, type Obj } from "./page-kit";
import { getJson, type Shell } from "./shell";
import { wireNamespaces } from "./controls";

export const PAGE_SIZE = 50;
const PAGE_SIZES = [10, 25, 50, 100, 250, 1000]; // what `page_size=` in a link may say

interface Column {
  title: string;
  cell(item: Obj): string | Node;
  numeric?: boolean;
}

interface TabSpec {
  resource: string; // REST path under /api/v1/
  collection: string; // the inventory topic's collection
  namespaced: boolean;
  labels: boolean; // whether `labels=` applies
  columns: Column[];
}

const yesNo = (v: unknown) => (v === true ? "yes" : v === false ? "no" : "—");
const list = (v: unknown) => (Array.isArray(v) && v.length ? v.map((x) => str(x)).join(", ") : "—");
const ns: Column = { title: "Namespace", cell: (i) => str(i.namespace) };
const name: Column = { title: "Name", cell: (i) => str(i.name) };
const labels: Column = { title: "Labels", cell: (i) => labelChips(i.labels) };

/** "3/4 ready" for a Service: ready endpoints of all its endpoints. */
export function endpointsText(endpoints: unknown): string {
  const e = obj(endpoints);
  const ready = Number(e.ready) || 0;
  const total = ready + (Number(e.not_ready) || 0);
  return `${ready}/${total} ready`;
}

function ports(value: unknown): string {
  if (!Array.isArray(value) || !value.length) return "—";
  return value
    .map((p) => {
      const o = obj(p);
      const target = o.target_port ?? o.targetPort;
      return `${str(o.name) ? `${str(o.name)} ` : ""}${fmtValue(o.port)}${target !== undefined && String(target) !== String(o.port) ? `→${fmtValue(target)}` : ""}/${str(o.protocol) || "TCP"}`;
    })
    .join(", ");
}

/** A NetworkPolicy's pod selector: its labels, or "all pods" when it selects everything. */
function podSelector(value: unknown): string | Node {
  const sel = obj(value);
  const labels = obj(sel.match_labels ?? sel.matchLabels);
  const exprs = Array.isArray(sel.match_expressions) ? sel.match_expressions.length : 0;
  if (!Object.keys(labels).length && !exprs) return "all pods";
  return el("span", {}, labelChips(labels), exprs ? ` +${exprs} expression${exprs === 1 ? "" : "s"}` : "");
}

function ruleCount(rules: unknown): string {
  return Array.isArray(rules) ? `${rules.length} rule${rules.length === 1 ? "" : "s"}` : "—";
}

export const TABS: Record<string, TabSpec> = {
  namespaces: { resource: "namespaces", collection: "namespaces", namespaced: false, labels: true, columns: [name, { title: "Mesh", cell: (i) => str(i.mesh) || "none" }, labels, { title: "Updated", cell: (i) => fmtWhen(i.updated_at) }] },
  workloads: {
    resource: "workloads", collection: "workloads", namespaced: true, labels: true,
    columns: [ns, name, { title: "Kind", cell: (i) => str(i.kind) }, { title: "App / version", cell: (i) => [str(i.app), str(i.version)].filter(Boolean).join(" / ") || "—" }, { title: "Replicas", cell: (i) => `${fmtValue(i.ready_replicas)}/${fmtValue(i.replicas)}` }, { title: "Pods ready", cell: (i) => `${fmtValue(i.ready_pods)}/${fmtValue(i.pods)}` }, { title: "With sidecar", cell: (i) => `${fmtValue(i.sidecar_pods)}/${fmtValue(i.pods)}` }, { title: "Mesh", cell: (i) => str(i.mesh) || "none" }, labels],
  },
  pods: {
    resource: "pods", collection: "pods", namespaced: true, labels: true,
    columns: [ns, name, { title: "Workload", cell: (i) => str(i.workload) || "—" }, { title: "Phase", cell: (i) => str(i.phase) }, { title: "Ready", cell: (i) => yesNo(i.ready) }, { title: "Restarts", cell: (i) => fmtValue(i.restarts), numeric: true }, { title: "IP", cell: (i) => str(i.ip) || "—" }, { title: "Node", cell: (i) => str(i.node) || "—" }, { title: "Sidecar", cell: (i) => str(obj(i.mesh).sidecar) || "none" }, { title: "ndots", cell: (i) => fmtValue(obj(i.dns).ndots), numeric: true }, labels],
  },
  services: {
    resource: "services", collection: "services", namespaced: true, labels: true,
    columns: [ns, name, { title: "Type", cell: (i) => `${str(i.type)}${i.headless ? " (headless)" : ""}` }, { title: "Cluster IP", cell: (i) => str(i.cluster_ip) || "—" }, { title: "Ports", cell: (i) => ports(i.ports) }, { title: "Endpoints", cell: (i) => endpointsText(i.endpoints) }, { title: "Selector", cell: (i) => labelChips(i.selector) }, labels],
  },
  "network-policies": {
    resource: "network-policies", collection: "network_policies", namespaced: true, labels: true,
    columns: [ns, name, { title: "Pod selector", cell: (i) => podSelector(i.pod_selector) }, { title: "Types", cell: (i) => list(i.policy_types) }, { title: "Ingress", cell: (i) => ruleCount(i.ingress) }, { title: "Egress", cell: (i) => ruleCount(i.egress) }, { title: "Default deny", cell: (i) => [i.default_deny_ingress ? "ingress" : "", i.default_deny_egress ? "egress" : ""].filter(Boolean).join(", ") || "—" }],
  },
  "mesh-policies": {
    resource: "mesh-policies", collection: "mesh_policies", namespaced: true, labels: true,
    columns: [ns, name, { title: "Kind", cell: (i) => str(i.kind) }, { title: "Mesh", cell: (i) => str(i.mesh) }, { title: "Spec", cell: (i) => el("code", { class: "mw-spec" }, JSON.stringify(i.spec ?? {}).slice(0, 300)) }, labels],
  },
  nodes: {
    resource: "nodes", collection: "nodes", namespaced: false, labels: true,
    columns: [name, { title: "Ready", cell: (i) => yesNo(i.ready) }, { title: "Pod CIDRs", cell: (i) => list(i.pod_cidrs) }, { title: "Internal IP", cell: (i) => str(i.internal_ip) || "—" }, { title: "Pods", cell: (i) => fmtValue(i.pods), numeric: true }, { title: "Kubelet", cell: (i) => str(i.kubelet_version) || "—" }, { title: "Runtime", cell: (i) => str(i.container_runtime) || "—" }, { title: "Schedulable", cell: (i) => yesNo(i.unschedulable === undefined ? undefined : !i.unschedulable) }],
  },
};
const TAB_ORDER = [...Object.keys(TABS), "cluster"];

export interface InventoryUrlState {
  tab: string;
  namespace: string;
  labels: string;
  page: number;
  pageSize: number;
}

export function inventoryStateFromUrl(search: string): InventoryUrlState {
  const q = new URLSearchParams(search);
  const tab = q.get("tab") ?? "";
  const page = Number(q.get("page"));
  const size = Number(q.get("page_size"));
  return {
    tab: TAB_ORDER.includes(tab) ? tab : "workloads",
    namespace: normaliseList(q.get("namespace") ?? ""),
    labels: (q.get("labels") ?? "").slice(0, 2000),
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: PAGE_SIZES.includes(size) ? size : PAGE_SIZE,
  };
}

/** The REST URL of what the state shows (the cluster tab is one document). */
export function listUrl(api: string, s: InventoryUrlState, scope = ""): string {
  const spec = TABS[s.tab];
  if (!spec) return `${api}/cluster`;
  const q = new URLSearchParams({ page: String(s.page), page_size: String(s.pageSize) });
  const namespaces = s.namespace || scope;
  if (spec.namespaced && namespaces) q.set("namespace", namespaces);
  if (spec.labels && s.labels.trim()) q.set("labels", s.labels.trim());
  return `${api}/${spec.resource}?${q.toString()}`;
}

/** Whether a delta touches what the tab shows (the cluster tab: any change, staleness too). */
export function deltaTouches(tab: string, delta: Obj): boolean {
  const spec = TABS[tab];
  const upsert = obj(delta.upsert);
  const remove = obj(delta.remove);
  const changed = (name: string) => (Array.isArray(upsert[name]) && upsert[name].length > 0) || (Array.isArray(remove[name]) && remove[name].length > 0);
  if (spec) return changed(spec.collection);
  return Object.keys({ ...upsert, ...remove }).some(changed);
}

export class InventoryPage {
  readonly live: TopicSubscription<Obj, Obj>;
  state: InventoryUrlState;
  fetches = 0;
  liveRefreshes = 0;
  private readonly api: string;
  private generation = 0;
  private staleness: Obj = {};

  constructor(shell: Shell) {
    this.api = shell.config.api ?? "/api/v1";
    this.state = inventoryStateFromUrl(window.location.search);
    byId<HTMLInputElement>("mw-inventory-namespace").value = this.state.namespace;
    byId<HTMLInputElement>("mw-inventory-labels").value = this.state.labels;
    for (const tab of document.querySelectorAll<HTMLButtonElement>("#mw-inventory-tabs [data-tab]")) {
      tab.addEventListener("click", () => this.go({ tab: tab.dataset.tab ?? "workloads", page: 1 }));
      tab.addEventListener("keydown", (event) => this.arrowKeys(event, tab));
    }
    byId<HTMLFormElement>("mw-inventory-filters").addEventListener("submit", (event) => {
      event.preventDefault();
      this.go({
        namespace: normaliseList(byId<HTMLInputElement>("mw-inventory-namespace").value),
        labels: byId<HTMLInputElement>("mw-inventory-labels").value.trim(),
        page: 1,
      });
    });
    this.live = shell.subscribe<Obj, Obj>("inventory", this.topicParams(), {
      onSnapshot: (data) => {
        this.staleness = obj(data.staleness);
        if (this.fetches > 0) this.refreshLive(); // a fresh snapshot after a reconnect
      },
      onDelta: (delta) => {
        if (delta.staleness) this.staleness = obj(delta.staleness);
        if (deltaTouches(this.state.tab, delta)) this.refreshLive();
      },
      onError: (detail) => this.say(detail),
    });
    window.addEventListener("popstate", () => {
      this.state = inventoryStateFromUrl(window.location.search);
      void this.load();
    });
    void this.load();
  }

  private topicParams(): Record<string, unknown> {
    return { namespaces: wireNamespaces(this.state.namespace) };
  }

  /** Left/right arrows move between tabs, as in a WAI-ARIA tab list. */
  private arrowKeys(event: KeyboardEvent, tab: HTMLButtonElement): void {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const tabs = [...document.querySelectorAll<HTMLButtonElement>("#mw-inventory-tabs [data-tab]")];
    const i = tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : -1);
    const next = tabs[(i + tabs.length) % tabs.length];
    next?.focus();
    next?.click();
  }

  private say(text: string): void {
    byId("mw-inventory-error").textContent = text;
    byId<HTMLInputElement>("mw-inventory-labels").setAttribute("aria-invalid", text.startsWith("labels") ? "true" : "false");
  }

  private go(update: Partial<InventoryUrlState>): void {
    const namespacesBefore = this.state.namespace;
    this.state = { ...this.state, ...update };
    writeUrl({ tab: this.state.tab, namespace: this.state.namespace, labels: this.state.labels, page: this.state.page > 1 ? String(this.state.page) : "", page_size: this.state.pageSize !== PAGE_SIZE ? String(this.state.pageSize) : "" }, true);
    if (this.state.namespace !== namespacesBefore) this.live.setParams(this.topicParams());
    void this.load();
  }

  private refreshLive(): void {
    this.liveRefreshes += 1;
    void this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    for (const tab of document.querySelectorAll<HTMLButtonElement>("#mw-inventory-tabs [data-tab]")) {
      const selected = tab.dataset.tab === this.state.tab;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    byId("mw-inventory-panel").setAttribute("aria-labelledby", `mw-tab-${this.state.tab}`);
    let body: Obj;
    try {
      body = await getJson<Obj>(listUrl(this.api, this.state, wireNamespaces("")));
    } catch (error) {
      if (generation !== this.generation) return;
      this.say((error as Error).message);
      replaceChildren(byId("mw-inventory-content"), el("p", { class: "mw-muted" }, "Nothing to show until the filter is fixed."));
      replaceChildren(byId("mw-inventory-pager"));
      return;
    }
    if (generation !== this.generation) return; // a newer request is on its way
    this.fetches += 1;
    this.say("");
    if (this.state.tab === "cluster") this.renderCluster(body);
    else this.renderList(body);
    // What the content shows now (the tab buttons change before the answer comes).
    byId("mw-inventory-content").dataset.shown = listUrl("", this.state);
  }

  private renderList(body: Obj): void {
    const spec = TABS[this.state.tab];
    if (!spec) return;
    const items = Array.isArray(body.results) ? body.results.map(obj) : [];
    const count = Number(body.count) || 0;
    const first = (this.state.page - 1) * this.state.pageSize + 1;
    byId("mw-inventory-summary").textContent = count ? `${first}–${first + items.length - 1} of ${count}` : "";
    const numeric = spec.columns.flatMap((c, i) => (c.numeric ? [i] : []));
    const rows = items.map((item) => row(spec.columns.map((c) => c.cell(item)), { "data-name": `${str(item.namespace) ? `${str(item.namespace)}/` : ""}${str(item.name)}` }, numeric));
    replaceChildren(byId("mw-inventory-content"), dataTable("mw-inventory-table", spec.columns.map((c) => c.title), rows, "Nothing matches these filters."));
    this.renderPager(typeof body.previous === "string", typeof body.next === "string", count);
  }

  private renderPager(hasPrevious: boolean, hasNext: boolean, count: number): void {
    const pages = Math.max(1, Math.ceil(count / this.state.pageSize));
    const prev = el("button", { type: "button", class: "mw-button", id: "mw-page-prev" }, "← Previous");
    const next = el("button", { type: "button", class: "mw-button", id: "mw-page-next" }, "Next →");
    prev.disabled = !hasPrevious;
    next.disabled = !hasNext;
    prev.addEventListener("click", () => this.go({ page: this.state.page - 1 }));
    next.addEventListener("click", () => this.go({ page: this.state.page + 1 }));
    replaceChildren(byId("mw-inventory-pager"), prev, el("span", { class: "mw-muted", id: "mw-page-label" }, `page ${this.state.page} of ${pages}`), next);
  }

  private renderCluster(body: Obj): void {
    const cni = obj(body.cni);
    const proxy = obj(body.kube_proxy);
    const dnsService = body.dns_service === null ? null : obj(body.dns_service);
    const staleness = Object.keys(obj(body.staleness)).length ? obj(body.staleness) : this.staleness;
    const kinds = Array.isArray(staleness.kinds) ? staleness.kinds.map(obj) : [];
    const counts = Object.entries(obj(body.counts));
    const kv = (pairs: [string, string | Node][]) => el("dl", { class: "mw-kv" }, ...pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    const facts = (o: Obj) => Object.entries(o).map(([k, v]): [string, string] => [k.replaceAll("_", " "), Array.isArray(v) ? list(v) : fmtValue(v)]);
    byId("mw-inventory-summary").textContent = `source: ${str(staleness.source) || "—"}`;
    replaceChildren(
      byId("mw-inventory-content"),
      el(
        "div",
        { class: "mw-cards", id: "mw-cluster-card" },
        el("article", { class: "mw-card-box", id: "mw-cluster-cni" }, el("h3", {}, "CNI"), kv(facts(cni))),
        el("article", { class: "mw-card-box", id: "mw-cluster-proxy" }, el("h3", {}, "kube-proxy"), kv(facts(proxy))),
        el("article", { class: "mw-card-box", id: "mw-cluster-dns" }, el("h3", {}, "DNS Service"), dnsService ? kv(facts(dnsService)) : el("p", { class: "mw-muted" }, "No cluster DNS Service found.")),
        el("article", { class: "mw-card-box" }, el("h3", {}, "Objects"), kv(counts.map(([k, v]) => [k.replaceAll("_", " "), fmtValue(v)]))),
      ),
      el("h3", {}, "Staleness of each watched kind ", staleness.stale ? badge("mw-state", "stale") : badge("mw-state", "fresh")),
      dataTable(
        "mw-staleness-table",
        ["Kind", "Synced", "Objects", "Last sync", "Stale since", "Last error"],
        kinds.map((k) => row([str(k.kind), yesNo(k.synced), fmtValue(k.objects), fmtWhen(k.last_sync_at), fmtWhen(k.stale_since), str(k.last_error) || "—"], { "data-kind": str(k.kind) }, [2])),
        str(staleness.source) === "cycle" ? "No watcher runs: the collection cycle lists the inventory every interval." : "No watched kinds reported yet.",
      ),
    );
    replaceChildren(byId("mw-inventory-pager"));
  }
}
