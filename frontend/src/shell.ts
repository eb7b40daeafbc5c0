// What every page shares: its config, the one live socket of the tab, the status indicator in
// the header and the theme. A page view gets a `Shell` and subscribes through `shell.live`.

import { byId } from "./dom";
import { LiveSocket, liveUrl, type TopicHandlers, type TopicSubscription } from "./live";
import { dataTime } from "./stale";
import { StatusIndicator } from "./status";
import { initTheme } from "./theme";
import { setScopeNamespaces } from "./controls";

export interface PageConfig {
  ws_path: string;
  page?: string;
  interval_s?: number;
  replay_span_s?: number;
  api?: string;
  csrf_token?: string;
  graph_type?: string;
  visible_namespaces?: string[] | null; // a limited user's namespaces; null: all
  live?: boolean; // false: draw nothing live (used by the browser-test harness)
}

export function readConfig(): PageConfig {
  const node = document.getElementById("meshwatch-config");
  const parsed = node?.textContent ? (JSON.parse(node.textContent) as Partial<PageConfig>) : {};
  return { ws_path: "/ws/v1/live", live: true, interval_s: 15, api: "/api/v1", ...parsed };
}

const SESSION_CHECK_MS = 30_000;

export class Shell {
  readonly live: LiveSocket;
  readonly status: StatusIndicator;

  constructor(readonly config: PageConfig) {
    setScopeNamespaces(config.visible_namespaces);
    initTheme(document.getElementById("mw-theme-toggle") as HTMLButtonElement | null);
    this.status = new StatusIndicator(
      byId("mw-status"),
      byId("mw-status-text"),
      byId("mw-status-updated"),
      byId("mw-status-error"),
      config.interval_s ?? 15,
    );
    this.live = new LiveSocket(liveUrl(config.ws_path));
    this.live.onState((state) => {
      this.status.setState(state);
      if (state === "reconnecting" || state === "offline") void this.checkSession();
    });
    this.live.onError((detail) => this.status.error(detail));
    this.status.setState(this.live.state);
  }

  /** Subscribes on the shared socket; every arrival also feeds the status indicator. */
  subscribe<S, D>(topic: string, params: Record<string, unknown>, handlers: TopicHandlers<S, D>): TopicSubscription<S, D> {
    return this.live.subscribe<S, D>(topic, params, {
      onSnapshot: (data, seq) => {
        handlers.onSnapshot(data, seq);
        this.arrived(data, seq);
      },
      onDelta: (data, seq) => {
        handlers.onDelta(data, seq);
        this.arrived(data, seq);
      },
      onError: (detail) => {
        this.status.error(detail);
        handlers.onError?.(detail);
      },
    });
  }

  start(): void {
    if (this.config.live !== false) this.live.start();
  }

  private sessionCheckedAt = 0;

  /**
   * A refused handshake looks like any network failure to a browser (no status code): ask
   * the API whether we are still signed in, at most every 30 s while reconnecting.
   */
  private async checkSession(): Promise<void> {
    const now = Date.now();
    if (now - this.sessionCheckedAt < SESSION_CHECK_MS) return;
    this.sessionCheckedAt = now;
    try {
      const response = await fetch(`${this.config.api ?? "/api/v1"}/status`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const here = `${window.location.pathname}${window.location.search}`;
      this.status.setSignedOut(response.status === 401 || response.status === 403, `/login/?next=${encodeURIComponent(here)}`);
    } catch {
      // The server itself is away: "reconnecting" says that already.
    }
  }

  private arrived(data: unknown, seq: number): void {
    const generated = (data as { generated_at?: unknown } | null)?.generated_at;
    this.status.updated(seq, dataTime(data), typeof generated === "string" ? generated : undefined);
  }
}

/** GET a JSON document from the API with the session cookie; throws with the server's detail. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = (await response.json().catch(() => ({}))) as T & { detail?: unknown };
  if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`);
  return body;
}

/** A write to the API: JSON body, session cookie and the CSRF token Django wants. */
export async function sendJson<T>(method: string, url: string, csrf: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const parsed = (await response.json().catch(() => ({}))) as T & { detail?: unknown };
  if (!response.ok) {
    const detail = parsed.detail;
    throw new Error(typeof detail === "string" ? detail : detail ? JSON.stringify(detail) : `HTTP ${response.status}`);
  }
  return parsed;
}
