// The connection indicator in the header, one per page, fed by every view on it. Its data-
// attributes are also the hooks the browser tests read: data-state (connecting | live |
// reconnecting | offline), data-seq (the last applied seq), data-stale ("true" when the newest
// data is older than ~2 intervals, see stale.ts) and data-replay ("true" on a pinned past view).

import { fmtClock } from "./format";
import { isStale } from "./stale";
import type { LiveState } from "./types";

const TEXT: Record<LiveState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline",
};

export class StatusIndicator {
  private state: LiveState = "connecting";
  private newestMs: number | null = null;
  private replay = false;
  private signedOut = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly stateText: HTMLElement,
    private readonly updatedText: HTMLElement,
    private readonly errorText: HTMLElement,
    private readonly intervalS: number = 15,
    private readonly now: () => number = Date.now,
  ) {
    // Staleness grows while nothing arrives, so it is checked on a clock, not only on data.
    setInterval(() => this.render(), 5000);
  }

  setState(state: LiveState): void {
    this.state = state;
    if (state === "live") this.setSignedOut(false, "");
    this.render();
  }

  /**
   * The session is over (the API answers 401/403 while the socket cannot reconnect): say so
   * with a link to log in again and come back here, instead of "reconnecting…" forever.
   */
  setSignedOut(signedOut: boolean, loginHref: string): void {
    if (signedOut === this.signedOut) return;
    this.signedOut = signedOut;
    this.root.dataset.auth = signedOut ? "signed-out" : "";
    this.errorText.replaceChildren();
    if (signedOut) {
      const link = document.createElement("a");
      link.href = loginHref;
      link.textContent = "log in again";
      this.errorText.append("your session has ended: ", link);
    }
    this.render();
  }

  /** Called after a snapshot or delta has been drawn; `dataMs` is its data time (stale.ts). */
  updated(seq: number, dataMs: number | null, generatedAt?: string): void {
    this.root.dataset.seq = String(seq);
    if (dataMs !== null) this.newestMs = dataMs;
    // The cycle's own timestamp, for when the browser's clock and the cluster's disagree.
    this.updatedText.title = generatedAt ? `data generated at ${generatedAt}` : "";
    this.errorText.textContent = "";
    this.render();
  }

  /** A pinned past view (replay): it gets no deltas, so it is never "stale", only old. */
  setReplay(replay: boolean): void {
    this.replay = replay;
    this.render();
  }

  error(detail: string): void {
    this.errorText.textContent = detail;
  }

  private render(): void {
    const stale = !this.replay && this.state === "live" && isStale(this.newestMs, this.now(), this.intervalS);
    this.root.dataset.state = this.state;
    this.root.dataset.stale = String(stale);
    this.root.dataset.replay = String(this.replay);
    this.stateText.textContent = this.signedOut && this.state !== "live" ? "signed out" : this.replay ? "replay" : stale ? "stale" : TEXT[this.state];
    const asOf = this.newestMs === null ? "" : fmtClock(new Date(this.newestMs));
    this.updatedText.textContent = !asOf ? "" : this.replay || stale ? `data as of ${asOf}` : `last update ${asOf}`;
  }
}
