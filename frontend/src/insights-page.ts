// /insights?severity=&namespace=&check=&state=open|resolved|all&open=<id>: the continuous
// checks' findings, worst and newest first, each expandable to its evidence, the book row it
// automates, its remedy (with a copy button) and a link to its subject on the graph. Open
// findings come live over the `insights` topic; resolved ones from REST when asked for.

import { byId, el, replaceChildren } from "./dom";
import { FindingsState, filtersFromUrl, filtersToUrl, findingNamespace, restQuery, severityCounts, topicParams, type Finding, type InsightFilters } from "./insights-state";
import type { TopicSubscription } from "./live";
import { badge, evidenceView, fmtSince, fmtWhen, graphHref, normaliseList, snippetBlock, str, writeUrl, type Obj } from "./page-kit";
import { getJson, type Shell } from "./shell";
import { wireNamespaces } from "./controls";

const REST_PAGES = 5; // resolved findings: the newest few pages are what a person reads

interface Entry {
  key: string;
  node: HTMLDetailsElement;
}

/** Where the subject can be looked at: the graph, or the inventory for pods, nodes, cluster. */
export function subjectHref(f: Finding): string | null {
  const s = f.subject ?? {};
  let id = str(s.id);
  // The graph's edge ids end in "|protocol"; a finding's edge subject may not say it.
  const protocol = f.evidence?.protocol;
  if (s.kind === "edge" && !id.includes("|") && typeof protocol === "string" && /^[a-z0-9_-]{1,20}$/.test(protocol)) id = `${id}|${protocol}`;
  const graph = graphHref(id, str(s.namespace));
  if (graph) return graph;
  const ns = str(s.namespace) || findingNamespace(f);
  if (s.kind === "pod") return `/inventory?tab=pods${ns ? `&namespace=${encodeURIComponent(ns)}` : ""}`;
  if (s.kind === "node") return "/inventory?tab=nodes";
  if (s.kind === "policy") return `/inventory?tab=mesh-policies${ns ? `&namespace=${encodeURIComponent(ns)}` : ""}`;
  if (s.kind === "cluster" || id === "cluster") return "/inventory?tab=cluster";
  return null;
}

export class InsightsPage {
  readonly live: TopicSubscription<Obj, Obj>;
  readonly state = new FindingsState();
  filters: InsightFilters;
  restLoads = 0;
  private readonly api: string;
  private readonly entries = new Map<string, Entry>();
  private restGeneration = 0;

  constructor(shell: Shell) {
    this.api = shell.config.api ?? "/api/v1";
    this.filters = filtersFromUrl(window.location.search);
    this.showFilters();
    this.live = shell.subscribe<Obj, Obj>("insights", topicParams(this.filters, wireNamespaces("")), {
      onSnapshot: (data) => {
        this.state.applySnapshot(data);
        this.render();
      },
      onDelta: (data) => {
        this.state.applyDelta(data);
        this.render();
      },
      onError: (detail) => this.say(detail),
    });
    for (const id of ["mw-insights-severity", "mw-insights-state", "mw-insights-check", "mw-insights-namespace"]) {
      byId(id).addEventListener("change", () => this.readFilters());
    }
    byId<HTMLFormElement>("mw-insights-filters").addEventListener("submit", (event) => {
      event.preventDefault();
      this.readFilters();
    });
    window.addEventListener("popstate", () => window.location.reload());
    // The "12 min" of every finding moves on even when no data does.
    setInterval(() => this.refreshTimes(), 30_000);
    void this.loadChecks();
    void this.loadRest();
  }

  private say(text: string): void {
    byId("mw-insights-message").textContent = text;
  }

  private showFilters(): void {
    byId<HTMLSelectElement>("mw-insights-severity").value = this.filters.severity;
    byId<HTMLSelectElement>("mw-insights-state").value = this.filters.state;
    byId<HTMLInputElement>("mw-insights-namespace").value = this.filters.namespace;
    const check = byId<HTMLSelectElement>("mw-insights-check");
    if (this.filters.check && ![...check.options].some((o) => o.value === this.filters.check)) check.append(el("option", { value: this.filters.check }, this.filters.check));
    check.value = this.filters.check;
  }

  private readFilters(): void {
    const before = JSON.stringify(topicParams(this.filters, ""));
    this.filters = {
      severity: byId<HTMLSelectElement>("mw-insights-severity").value,
      state: byId<HTMLSelectElement>("mw-insights-state").value as InsightFilters["state"],
      namespace: normaliseList(byId<HTMLInputElement>("mw-insights-namespace").value),
      check: byId<HTMLSelectElement>("mw-insights-check").value,
      open: this.filters.open,
    };
    byId<HTMLInputElement>("mw-insights-namespace").value = this.filters.namespace;
    writeUrl(filtersToUrl(this.filters), true);
    if (JSON.stringify(topicParams(this.filters, "")) !== before) this.live.setParams(topicParams(this.filters, wireNamespaces("")));
    void this.loadRest();
    this.render();
  }

  /** The check filter's choices, with each check's title. */
  private async loadChecks(): Promise<void> {
    try {
      const checks = await getJson<Obj[]>(`${this.api}/insights/checks`);
      const select = byId<HTMLSelectElement>("mw-insights-check");
      const options = (Array.isArray(checks) ? checks : []).map((c) => {
        const open = typeof c.open === "number" ? c.open : c.open_count; // the contract's name, then the API's
        return el("option", { value: str(c.id), title: str(c.description) }, `${str(c.title) || str(c.id)}${typeof open === "number" ? ` (${open} open)` : ""}`);
      });
      replaceChildren(select, el("option", { value: "" }, "any"), ...options);
      this.showFilters();
    } catch (error) {
      this.say(`checks: ${(error as Error).message}`);
    }
  }

  /** Resolved findings from REST, when the state filter asks for them. */
  private async loadRest(): Promise<void> {
    const generation = ++this.restGeneration;
    if (this.filters.state === "open") {
      this.state.setRest([]);
      return;
    }
    const items: unknown[] = [];
    let url: string | null = `${this.api}/insights?${restQuery(this.filters, wireNamespaces("")).toString()}`;
    try {
      for (let page = 0; url && page < REST_PAGES; page += 1) {
        const body: Obj = await getJson<Obj>(url);
        if (Array.isArray(body.results)) items.push(...body.results);
        url = typeof body.next === "string" ? body.next : null;
      }
    } catch (error) {
      this.say(`resolved findings: ${(error as Error).message}`);
    }
    if (generation !== this.restGeneration) return;
    this.state.setRest(items);
    this.restLoads += 1;
    this.render();
  }

  private toggled(id: string, open: boolean): void {
    if (open) this.filters.open = id;
    else if (this.filters.open === id) this.filters.open = "";
    writeUrl({ open: this.filters.open }, false);
  }

  private render(): void {
    const items = this.state.visible(this.filters);
    const counts = severityCounts(items);
    byId("mw-insights-count").textContent = `${items.length} finding${items.length === 1 ? "" : "s"} · ${counts.critical} critical · ${counts.warning} warning · ${counts.info} info`;
    const nodes = items.map((f) => this.entry(f));
    const keep = new Set(items.map((f) => f.id));
    for (const id of [...this.entries.keys()]) if (!keep.has(id)) this.entries.delete(id);
    const list = byId("mw-insights-list");
    if (!nodes.length) {
      replaceChildren(list, el("p", { class: "mw-muted", id: "mw-insights-empty" }, this.filters.state === "open" ? "No open findings for these filters." : "No findings for these filters."));
      return;
    }
    // Unchanged findings keep their node (and so their open state and any selection).
    replaceChildren(list, ...nodes);
  }

  private entry(f: Finding): HTMLDetailsElement {
    const key = JSON.stringify(f);
    const had = this.entries.get(f.id);
    if (had && had.key === key) return had.node;
    const node = this.build(f);
    if (had?.node.open) node.open = true;
    this.entries.set(f.id, { key, node });
    return node;
  }

  private refreshTimes(): void {
    for (const { node } of this.entries.values()) {
      const since = node.querySelector<HTMLElement>(".mw-since");
      if (since) since.textContent = fmtSince(since.dataset.time);
    }
  }

  private build(f: Finding): HTMLDetailsElement {
    const subject = f.subject ?? {};
    const href = subjectHref(f);
    const resolved = f.state === "resolved" || Boolean(f.resolved_at);
    const remedy = f.remedy ?? null;
    const details = el(
      "details",
      { class: "mw-finding", "data-id": f.id, "data-severity": str(f.severity), "data-state": resolved ? "resolved" : "open" },
      el(
        "summary",
        {},
        badge("mw-severity", f.severity),
        " ",
        el("span", { class: "mw-finding-title" }, str(f.title) || str(f.check)),
        " ",
        el("span", { class: "mw-finding-subject" }, str(subject.id) || "—"),
        " ",
        resolved ? badge("mw-state", "resolved") : el("span", { class: "mw-since", "data-time": str(f.first_seen) }, fmtSince(f.first_seen)),
      ),
      el("p", { class: "mw-finding-message" }, str(f.message)),
      el(
        "dl",
        { class: "mw-kv mw-kv-inline" },
        el("dt", {}, "Check"),
        el("dd", {}, str(f.check)),
        el("dt", {}, "Book row"),
        el("dd", { class: "mw-book-row" }, str(f.book_row) || "—"),
        el("dt", {}, "Namespace"),
        el("dd", {}, findingNamespace(f) || "cluster-wide"),
        el("dt", {}, "First seen"),
        el("dd", {}, fmtWhen(f.first_seen)),
        el("dt", {}, "Last seen"),
        el("dd", {}, fmtWhen(f.last_seen)),
        resolved ? el("dt", {}, "Resolved") : null,
        resolved ? el("dd", {}, fmtWhen(f.resolved_at)) : null,
      ),
      el("h4", {}, "Evidence"),
      evidenceView(f.evidence ?? {}),
      remedy ? el("h4", {}, "Remedy") : null,
      remedy ? el("p", {}, str(remedy.text)) : null,
      remedy && str(remedy.snippet) ? snippetBlock(str(remedy.snippet), str(remedy.language) || "yaml") : null,
      href ? el("p", {}, el("a", { href, class: "mw-subject-link" }, subject.kind === "pod" || subject.kind === "node" || subject.kind === "cluster" || subject.kind === "policy" ? "Open in the inventory" : "Show on the graph")) : null,
    );
    details.addEventListener("toggle", () => this.toggled(f.id, details.open));
    if (this.filters.open === f.id) details.open = true;
    return details;
  }
}
