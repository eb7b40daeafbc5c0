// /alerts: current and resolved alerts live over the `alerts` topic; rules (create, mute,
// unmute), receivers and their delivery log (retry a dead letter) through the REST API.

import { CollectionState, type Item } from "./collections";
import { byId, el, replaceChildren } from "./dom";
import { fmtClock, fmtValue } from "./format";
import type { TopicSubscription } from "./live";
import { dataTable } from "./page-kit";
import { getJson, sendJson, type Shell } from "./shell";
import { wireNamespaces } from "./controls";

type Obj = Record<string, unknown>;
interface ListPage<T> {
  results?: T[];
}

/** DRF lists may or may not be paginated; both shapes give the items. */
function listOf<T>(body: T[] | ListPage<T>): T[] {
  return Array.isArray(body) ? body : (body.results ?? []);
}

function when(value: unknown): string {
  if (typeof value !== "string" || !value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : `${d.toISOString().slice(0, 10)} ${fmtClock(d)}`;
}

function badge(cls: string, value: unknown): HTMLElement {
  const text = typeof value === "string" && value ? value : "unknown";
  return el("span", { class: cls, "data-value": text }, text);
}

function cellsRow(cells: (string | Node)[], attrs: Record<string, string> = {}): HTMLElement {
  return el("tr", attrs, ...cells.map((c) => el("td", {}, c)));
}

export class AlertsPage {
  readonly live: TopicSubscription<Obj, Obj>;
  readonly data = new CollectionState(["alerts"]);
  private readonly api: string;
  private readonly csrf: string;
  private readonly message = byId("mw-alerts-message");

  constructor(shell: Shell) {
    this.api = shell.config.api ?? "/api/v1";
    this.csrf = shell.config.csrf_token ?? "";
    this.live = shell.subscribe<Obj, Obj>("alerts", { state: "pending,firing,resolved", namespaces: wireNamespaces("") }, {
      onSnapshot: (data) => {
        this.data.applySnapshot(data);
        this.renderAlerts();
      },
      onDelta: (data) => {
        this.data.applyDelta(data);
        this.renderAlerts();
      },
    });
    byId<HTMLFormElement>("mw-rule-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.createRule(event.target as HTMLFormElement);
    });
    void this.loadRules();
    void this.loadReceivers();
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.className = error ? "mw-error" : "mw-muted";
  }

  private renderAlerts(): void {
    const order: Record<string, number> = { firing: 0, pending: 1, resolved: 2 };
    const alerts = this.data.items("alerts", (a) => `${order[String(a.state)] ?? 3}${String(a.name)}`);
    const rows = alerts.map((a: Item) =>
      cellsRow(
        [
          badge("mw-state", a.state),
          badge("mw-severity", a.severity),
          String(a.name ?? ""),
          String(a.subject ?? ""),
          fmtValue(a.value),
          when(a.firing_since),
          String(a.summary ?? ""),
          String(a.source ?? ""),
        ],
        { "data-state": String(a.state ?? "") },
      ),
    );
    const firing = alerts.filter((a) => a.state === "firing").length;
    byId("mw-alerts-count").textContent = `${firing} firing · ${alerts.length} shown`;
    replaceChildren(
      byId("mw-alerts-list"),
      dataTable("mw-alerts-table", ["State", "Severity", "Rule", "Subject", "Value", "Firing since", "Summary", "Source"], rows, "No alerts: nothing is firing or pending."),
    );
  }

  private async loadRules(): Promise<void> {
    try {
      const rules = listOf(await getJson<Obj[] | ListPage<Obj>>(`${this.api}/alert-rules`));
      const now = Date.now();
      const rows = rules.map((r) => {
        const muted = typeof r.muted_until === "string" && Date.parse(r.muted_until) > now;
        const action = el("button", { type: "button", class: "mw-button", "data-rule": String(r.id) }, muted ? "Unmute" : "Mute 1 h");
        action.addEventListener("click", () => void this.mute(Number(r.id), !muted));
        return cellsRow(
          [
            String(r.name ?? ""),
            String(r.kind ?? ""),
            fmtValue(r.threshold),
            badge("mw-severity", r.severity),
            r.enabled ? "yes" : "no",
            muted ? `until ${when(r.muted_until)}` : "—",
            String(r.last_note ?? ""),
            action,
          ],
          { "data-rule": String(r.id) },
        );
      });
      replaceChildren(byId("mw-rules-list"), dataTable("mw-rules-table", ["Rule", "Kind", "Threshold", "Severity", "Enabled", "Muted", "Last note", ""], rows, "No alert rules yet."));
    } catch (error) {
      this.say(`rules: ${(error as Error).message}`, true);
    }
  }

  private async createRule(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const body = {
      name: String(data.get("name") ?? "").trim(),
      kind: String(data.get("kind") ?? ""),
      threshold: Number(data.get("threshold")),
      severity: String(data.get("severity") ?? "warning"),
      window_seconds: Number(data.get("window_seconds") || 300),
      for_seconds: Number(data.get("for_seconds") || 0),
    };
    try {
      await sendJson("POST", `${this.api}/alert-rules`, this.csrf, body);
      form.reset();
      await this.loadRules();
      this.say(`Rule “${body.name}” created.`);
    } catch (error) {
      this.say(`Could not create the rule: ${(error as Error).message}`, true);
    }
  }

  private async mute(id: number, mute: boolean): Promise<void> {
    const until = mute ? new Date(Date.now() + 3600_000).toISOString() : null;
    try {
      await sendJson("PATCH", `${this.api}/alert-rules/${id}`, this.csrf, { muted_until: until });
      await this.loadRules();
      this.say(mute ? "Rule muted for an hour." : "Rule unmuted.");
    } catch (error) {
      this.say(`Could not change the rule: ${(error as Error).message}`, true);
    }
  }

  private async loadReceivers(): Promise<void> {
    try {
      const receivers = listOf(await getJson<Obj[] | ListPage<Obj>>(`${this.api}/receivers`));
      const deliveries = listOf(await getJson<Obj[] | ListPage<Obj>>(`${this.api}/deliveries`));
      const blocks = receivers.map((r) => {
        const mine = deliveries.filter((d) => d.receiver === r.id).slice(0, 50);
        const rows = mine.map((d) => {
          const retry = d.status === "dead" ? el("button", { type: "button", class: "mw-button", "data-delivery": String(d.id) }, "Retry") : "";
          if (retry instanceof HTMLElement) retry.addEventListener("click", () => void this.retry(Number(d.id)));
          return cellsRow([when(d.created_at), String(d.event ?? ""), badge("mw-state", d.status), fmtValue(d.attempts), String(d.last_error ?? ""), retry]);
        });
        return el(
          "section",
          { class: "mw-receiver" },
          el("h3", {}, `${String(r.name ?? "")} `, el("span", { class: "mw-muted" }, `${String(r.kind ?? "")} · ${String(r.url ?? "")}${r.enabled ? "" : " · disabled"}`)),
          dataTable(`mw-deliveries-${String(r.id)}`, ["Created", "Event", "Status", "Attempts", "Last error", ""], rows, "No deliveries yet."),
        );
      });
      replaceChildren(byId("mw-receivers-list"), ...(blocks.length ? blocks : [el("p", { class: "mw-muted" }, "No webhook receivers configured.")]));
    } catch (error) {
      this.say(`receivers: ${(error as Error).message}`, true);
    }
  }

  private async retry(id: number): Promise<void> {
    try {
      await sendJson("POST", `${this.api}/deliveries/${id}/retry`, this.csrf);
      await this.loadReceivers();
      this.say("Delivery queued again.");
    } catch (error) {
      this.say(`Could not retry: ${(error as Error).message}`, true);
    }
  }
}
