// The websocket client for one topic on /ws/v1/live.
//
// It owns three promises to the views: (1) every delta it hands over is exactly the next one
// after the last seq it handed over, so views never apply a delta to the wrong base; (2) after
// any gap or reconnect it asks the server to resume with `since`, and the server answers with the
// missed deltas or a fresh snapshot; (3) it never gives up: it backs off exponentially with
// jitter (so a restarted server is not hit by every browser at the same instant) and reports
// "offline" once the outage looks longer than a blip.

import type { GraphDelta, GraphParams, GraphSnapshot, LiveState, ServerMessage } from "./types";

export interface LiveHandlers {
  onSnapshot(data: GraphSnapshot, seq: number): void;
  onDelta(data: GraphDelta, seq: number): void;
  onState(state: LiveState): void;
  onError(detail: string): void;
}

export interface LiveOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failed attempts in a row after which the state reads "offline" instead of "reconnecting". */
  offlineAfter?: number;
  /** A gap resync that has not healed after this long is asked for again. */
  resyncRetryMs?: number;
  random?: () => number;
}

/** ws: or wss: on the page's own host, so the session cookie goes along. */
export function liveUrl(path: string, loc: Location = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}${path}`;
}

/** Exponential backoff with "equal jitter": between half and all of the capped delay. */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const capped = Math.min(max, base * 2 ** Math.max(0, attempt));
  return capped / 2 + (random() * capped) / 2;
}

export class LiveClient {
  lastSeq: number | null = null;
  snapshotCount = 0;
  deltaCount = 0;
  state: LiveState = "connecting";

  private socket: WebSocket | null = null;
  private params: GraphParams;
  private attempt = 0;
  private retryTimer: number | undefined;
  private resyncAskedAt: number | null = null;
  private stopped = false;
  private readonly opts: Required<LiveOptions>;

  constructor(
    private readonly url: string,
    private readonly topic: string,
    params: GraphParams,
    private readonly handlers: LiveHandlers,
    options: LiveOptions = {},
  ) {
    this.params = params;
    this.opts = {
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30000,
      offlineAfter: options.offlineAfter ?? 4,
      resyncRetryMs: options.resyncRetryMs ?? 5000,
      random: options.random ?? Math.random,
    };
  }

  start(): void {
    this.stopped = false;
    this.connect();
    // The browser knows sooner than our backoff that the network is back.
    window.addEventListener("online", () => this.reconnectNow());
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    this.socket?.close(1000, "bye");
    this.socket = null;
  }

  /** New filters: the old seq belongs to another stream, so start over from a snapshot. */
  setParams(params: GraphParams): void {
    this.params = params;
    this.lastSeq = null;
    this.resyncAskedAt = null;
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.send({ type: "unsubscribe", topic: this.topic });
      this.subscribe();
    }
  }

  private connect(): void {
    window.clearTimeout(this.retryTimer);
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => this.subscribe());
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      if (this.socket === socket) {
        this.socket = null;
        this.scheduleReconnect();
      }
    });
  }

  private reconnectNow(): void {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.attempt += 1;
    this.setState(this.attempt > this.opts.offlineAfter || !navigator.onLine ? "offline" : "reconnecting");
    const delay = backoffDelay(this.attempt - 1, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  /** Subscribes, resuming after lastSeq when we have one (reconnect or gap). */
  private subscribe(): void {
    const message: Record<string, unknown> = { type: "subscribe", topic: this.topic, params: { ...this.params } };
    if (this.lastSeq !== null) message.since = this.lastSeq;
    this.send(message);
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(raw: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(raw)) as ServerMessage;
    } catch {
      return; // not ours to interpret; a broken frame must not break the page
    }
    if (message.type === "error") {
      this.handlers.onError(typeof message.detail === "string" ? message.detail : JSON.stringify(message.detail));
      return;
    }
    if (message.topic !== this.topic || typeof message.seq !== "number") return;
    if (message.type === "snapshot") this.acceptSnapshot(message.data, message.seq);
    else if (message.type === "delta") this.acceptDelta(message.data, message.seq);
  }

  private acceptSnapshot(data: GraphSnapshot, seq: number): void {
    // A snapshot replaces everything, whatever its seq (a restarted server counts from 1 again).
    this.lastSeq = seq;
    this.resyncAskedAt = null;
    this.snapshotCount += 1;
    this.healthy();
    this.handlers.onSnapshot(data, seq);
  }

  private acceptDelta(data: GraphDelta, seq: number): void {
    // Without a base (just changed params) a delta cannot be applied; the snapshot is coming.
    if (this.lastSeq === null || seq <= this.lastSeq) return;
    if (seq !== this.lastSeq + 1) {
      this.resync();
      return;
    }
    this.lastSeq = seq;
    this.resyncAskedAt = null;
    this.deltaCount += 1;
    this.healthy();
    this.handlers.onDelta(data, seq);
  }

  /** One resubscribe per gap: the deltas racing it would otherwise each ask again. */
  private resync(): void {
    const now = Date.now();
    if (this.resyncAskedAt !== null && now - this.resyncAskedAt < this.opts.resyncRetryMs) return;
    this.resyncAskedAt = now;
    this.subscribe();
  }

  /** Data flowed, so the connection is good; only now is the backoff forgotten. */
  private healthy(): void {
    this.attempt = 0;
    this.setState("live");
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    this.handlers.onState(state);
  }
}
