// The connection indicator. Its data- attributes are also the hooks the browser tests read:
// data-state (connecting | live | reconnecting | offline) and data-seq (the last applied seq).

import { fmtClock } from "./format";
import type { LiveState } from "./types";

const TEXT: Record<LiveState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline",
};

export class StatusIndicator {
  constructor(
    private readonly root: HTMLElement,
    private readonly stateText: HTMLElement,
    private readonly updatedText: HTMLElement,
    private readonly errorText: HTMLElement,
  ) {}

  setState(state: LiveState): void {
    this.root.dataset.state = state;
    this.stateText.textContent = TEXT[state];
  }

  /** Called after a snapshot or delta has been drawn. */
  updated(seq: number, generatedAt: string | undefined, now: Date = new Date()): void {
    this.root.dataset.seq = String(seq);
    this.updatedText.textContent = `last update ${fmtClock(now)}`;
    // The cycle's own timestamp, for when the browser's clock and the cluster's disagree.
    this.updatedText.title = generatedAt ? `data generated at ${generatedAt}` : "";
    this.errorText.textContent = "";
  }

  error(detail: string): void {
    this.errorText.textContent = detail;
  }
}
