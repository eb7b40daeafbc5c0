// Time controls: the window picker (last 5m … 30d, or a custom range) and the replay slider.
//
// The window is how much traffic each picture sums up; the slider picks when that window ends.
// At the right end the view is live; anywhere left of it the view is pinned at `at` (the
// server answers a pinned subscription with one snapshot and no deltas), and "Live" returns.

import { fmtClock } from "./format";

export const WINDOWS = ["5m", "15m", "1h", "6h", "24h", "7d", "30d"] as const;
const MAX_STEPS = 240;

export interface TimeState {
  window?: string;
  at?: string;
}

export interface TimeElements {
  window: HTMLSelectElement;
  customBox: HTMLElement;
  customFrom: HTMLInputElement;
  customTo: HTMLInputElement;
  customApply: HTMLButtonElement;
  slider: HTMLInputElement;
  sliderLabel: HTMLElement;
  live: HTMLButtonElement;
}

/** The slider's geometry: `steps` positions of `stepMs` back from now; 0 is live. */
export function replaySteps(spanS: number, intervalS: number): { steps: number; stepMs: number } {
  const steps = Math.max(1, Math.min(MAX_STEPS, Math.floor(spanS / Math.max(1, intervalS))));
  return { steps, stepMs: (spanS * 1000) / steps };
}

/** The `at` of slider position `value` (≤ 0), or undefined for live. */
export function atForStep(value: number, stepMs: number, nowMs: number): string | undefined {
  if (value >= 0) return undefined;
  return new Date(Math.floor((nowMs + value * stepMs) / 1000) * 1000).toISOString();
}

export function stepForAt(at: string | undefined, stepMs: number, steps: number, nowMs: number): number {
  if (!at) return 0;
  const back = Math.round((nowMs - Date.parse(at)) / stepMs);
  return -Math.max(1, Math.min(steps, back));
}

/** A custom range as the window and its end: window in whole seconds ("5400s"). */
export function customRange(fromMs: number, toMs: number): TimeState | null {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return null;
  return { window: `${Math.round((toMs - fromMs) / 1000)}s`, at: new Date(toMs).toISOString() };
}

function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

export class TimeControls {
  private state: TimeState = {};
  private readonly steps: number;
  private readonly stepMs: number;

  constructor(
    private readonly els: TimeElements,
    spanS: number,
    intervalS: number,
    private readonly onChange: (state: TimeState) => void,
    private readonly now: () => number = Date.now,
  ) {
    ({ steps: this.steps, stepMs: this.stepMs } = replaySteps(spanS, intervalS));
    els.slider.min = String(-this.steps);
    els.slider.max = "0";
    els.slider.step = "1";
    els.window.addEventListener("change", () => {
      if (els.window.value === "custom") {
        const to = this.now();
        els.customFrom.value = localInput(to - 3600_000);
        els.customTo.value = localInput(to);
        els.customBox.hidden = false;
        return;
      }
      els.customBox.hidden = true;
      this.emit({ window: els.window.value === "5m" ? undefined : els.window.value, at: this.state.at });
    });
    els.customApply.addEventListener("click", () => {
      const range = customRange(Date.parse(els.customFrom.value), Date.parse(els.customTo.value));
      if (range) this.emit(range);
    });
    els.slider.addEventListener("input", () => this.renderLabel(Number(els.slider.value)));
    els.slider.addEventListener("change", () => {
      this.emit({ window: this.state.window, at: atForStep(Number(els.slider.value), this.stepMs, this.now()) });
    });
    els.live.addEventListener("click", () => this.emit({ window: this.state.window, at: undefined }));
  }

  /** Shows a state (from the URL) without announcing it. */
  show(state: TimeState): void {
    this.state = { ...state };
    const preset = (WINDOWS as readonly string[]).includes(state.window ?? "5m");
    this.els.window.value = preset ? (state.window ?? "5m") : "custom";
    this.els.customBox.hidden = preset;
    if (!preset && state.at && state.window) {
      const to = Date.parse(state.at);
      const seconds = Number.parseFloat(state.window) * ({ s: 1, m: 60, h: 3600, d: 86400 }[state.window.slice(-1)] ?? 1);
      this.els.customTo.value = localInput(to);
      this.els.customFrom.value = localInput(to - seconds * 1000);
    }
    const step = stepForAt(state.at, this.stepMs, this.steps, this.now());
    this.els.slider.value = String(step);
    this.els.live.disabled = !state.at;
    this.renderLabel(step);
  }

  private emit(state: TimeState): void {
    const clean: TimeState = {};
    if (state.window) clean.window = state.window;
    if (state.at) clean.at = state.at;
    this.show(clean);
    this.onChange(clean);
  }

  private renderLabel(value: number): void {
    const at = this.state.at && value === stepForAt(this.state.at, this.stepMs, this.steps, this.now())
      ? this.state.at
      : atForStep(value, this.stepMs, this.now());
    this.els.sliderLabel.textContent = at ? `at ${fmtClock(new Date(at))}` : "live";
  }
}
