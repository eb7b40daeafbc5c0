// The one websocket of a tab, on /ws/v1/live, shared by every view on the page.
//
// The server holds one subscription per topic per socket (DESIGN.md §3), so a page opens one
// `LiveSocket` and each view asks it for a `TopicSubscription` of its own topic. Promises to
// the views: (1) every delta a subscription hands over is exactly the next one after the last
// seq it handed over, so views never apply a delta to the wrong base; (2) after any gap or
// reconnect it asks the server to resume with `since`, and the server answers with the missed
// deltas or a fresh snapshot; (3) the socket never gives up: it backs off exponentially with
// jitter (so a restarted server is not hit by every browser at the same instant) and reports
// "offline" once the outage looks longer than a blip; (4) a view sees only the answers to its
// newest subscribe: every subscribe carries a fresh `id`, the server echoes it in the frames
// of that subscription (webapp/live/consumers.py), and frames of a replaced subscribe are
// dropped. Frames name only their topic, so without the id a snapshot still in flight from a
// view just left (live → pinned → live) would be taken for the new view's, and its seq, from
// the other view's numbering, would become the base the new view's deltas are checked against.

import type { LiveState } from "./types";

/** One frame from the server, before its topic is known to be ours. */
export interface LiveMessage {
  v?: number;
  type: string;
  topic?: string;
  seq?: number;
  /** The id of the subscribe this frame answers (absent from servers that do not echo it). */
  id?: unknown;
  data?: unknown;
  detail?: unknown;
}

export interface TopicHandlers<S, D> {
  onSnapshot(data: S, seq: number): void;
  onDelta(data: D, seq: number): void;
  onError?(detail: string): void;
}

export interface LiveOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failed attempts in a row after which the state reads "offline" instead of "reconnecting". */
  offlineAfter?: number;
  /** A gap resync that has not healed after this long is asked for again. */
  resyncRetryMs?: number;
  random?: () => number;
  now?: () => number;
  /** How a socket is made; tests pass a fake. */
  createSocket?: (url: string) => SocketLike;
}

/** The part of WebSocket this module uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "close" | "message", listener: (event: { data?: unknown }) => void): void;
}

const OPEN = 1; // WebSocket.OPEN, spelled out so this module also runs under node:test

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

function browserOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

/** One topic's stream on the shared socket: the seq bookkeeping lives here. */
export class TopicSubscription<S = unknown, D = unknown> {
  lastSeq: number | null = null;
  snapshotCount = 0;
  deltaCount = 0;
  closed = false;
  /** The id of the newest subscribe sent; frames carrying another id answer a replaced one. */
  subscribeId: number | null = null;
  private resyncAskedAt: number | null = null;

  constructor(
    private readonly owner: LiveSocket,
    readonly topic: string,
    public params: Record<string, unknown>,
    private readonly handlers: TopicHandlers<S, D>,
  ) {}

  /** New params: the old seq belongs to another stream, so start over from a snapshot. */
  setParams(params: Record<string, unknown>): void {
    this.params = params;
    this.lastSeq = null;
    this.resyncAskedAt = null;
    this.owner.resubscribe(this, true);
  }

  close(): void {
    this.closed = true;
    this.owner.release(this);
  }

  /** The subscribe message under a new `id`, resuming after lastSeq when we have one (reconnect or gap). */
  subscribeMessage(id: number): Record<string, unknown> {
    this.subscribeId = id;
    const message: Record<string, unknown> = { type: "subscribe", topic: this.topic, params: { ...this.params }, id };
    if (this.lastSeq !== null) message.since = this.lastSeq;
    return message;
  }

  /** Whether `message` answers this subscription's newest subscribe (or names none). */
  isCurrent(message: LiveMessage): boolean {
    return message.id === undefined || message.id === this.subscribeId;
  }

  /** @returns whether data flowed (the connection is proven good). */
  receive(message: LiveMessage, now: number, resyncRetryMs: number): boolean {
    if (typeof message.seq !== "number" || !this.isCurrent(message)) return false;
    if (message.type === "snapshot") {
      // A snapshot replaces everything, whatever its seq (a restarted server counts from 1).
      this.lastSeq = message.seq;
      this.resyncAskedAt = null;
      this.snapshotCount += 1;
      this.handlers.onSnapshot(message.data as S, message.seq);
      return true;
    }
    if (message.type !== "delta") return false;
    // Without a base (just changed params) a delta cannot be applied; the snapshot is coming.
    if (this.lastSeq === null || message.seq <= this.lastSeq) return false;
    if (message.seq !== this.lastSeq + 1) {
      // One resubscribe per gap: the deltas racing it would otherwise each ask again.
      if (this.resyncAskedAt === null || now - this.resyncAskedAt >= resyncRetryMs) {
        this.resyncAskedAt = now;
        this.owner.resubscribe(this, false);
      }
      return false;
    }
    this.lastSeq = message.seq;
    this.resyncAskedAt = null;
    this.deltaCount += 1;
    this.handlers.onDelta(message.data as D, message.seq);
    return true;
  }

  error(detail: string): void {
    this.handlers.onError?.(detail);
  }
}

export class LiveSocket {
  state: LiveState = "connecting";
  private socket: SocketLike | null = null;
  private readonly subs = new Map<string, TopicSubscription<never, never>>();
  private readonly stateListeners: ((state: LiveState) => void)[] = [];
  private readonly errorListeners: ((detail: string) => void)[] = [];
  private attempt = 0;
  private lastSubscribeId = 0; // ids grow for the socket's whole life, across reconnects
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly opts: Required<LiveOptions>;

  constructor(
    private readonly url: string,
    options: LiveOptions = {},
  ) {
    this.opts = {
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30000,
      offlineAfter: options.offlineAfter ?? 4,
      resyncRetryMs: options.resyncRetryMs ?? 5000,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      createSocket: options.createSocket ?? ((u) => new WebSocket(u) as SocketLike),
    };
  }

  /** A view's stream of `topic`; a second subscription of the same topic replaces the first. */
  subscribe<S, D>(topic: string, params: Record<string, unknown>, handlers: TopicHandlers<S, D>): TopicSubscription<S, D> {
    const sub = new TopicSubscription<S, D>(this, topic, params, handlers);
    const old = this.subs.get(topic);
    if (old) old.closed = true;
    this.subs.set(topic, sub as unknown as TopicSubscription<never, never>);
    this.resubscribe(sub, false);
    return sub;
  }

  onState(listener: (state: LiveState) => void): void {
    this.stateListeners.push(listener);
  }

  /** Errors that name no topic we hold (a malformed request, say). */
  onError(listener: (detail: string) => void): void {
    this.errorListeners.push(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    // The browser knows sooner than our backoff that the network is back.
    if (typeof window !== "undefined") window.addEventListener("online", () => this.reconnectNow());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, "bye");
    this.socket = null;
  }

  /** Sends `sub`'s subscribe (after an unsubscribe when its params changed) if connected. */
  resubscribe(sub: TopicSubscription<never, never> | TopicSubscription<unknown, unknown>, replace: boolean): void {
    if (this.socket?.readyState !== OPEN || sub.closed) return;
    if (replace) this.send({ type: "unsubscribe", topic: sub.topic });
    this.lastSubscribeId += 1;
    this.send(sub.subscribeMessage(this.lastSubscribeId));
  }

  release(sub: TopicSubscription<unknown, unknown>): void {
    if (this.subs.get(sub.topic) !== (sub as unknown)) return;
    this.subs.delete(sub.topic);
    this.send({ type: "unsubscribe", topic: sub.topic });
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      for (const sub of this.subs.values()) this.resubscribe(sub, false);
    });
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
    this.setState(this.attempt > this.opts.offlineAfter || !browserOnline() ? "offline" : "reconnecting");
    const delay = backoffDelay(this.attempt - 1, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Routes one frame to the subscription of its topic. */
  receive(raw: unknown): void {
    let message: LiveMessage;
    try {
      message = JSON.parse(String(raw)) as LiveMessage;
    } catch {
      return; // not ours to interpret; a broken frame must not break the page
    }
    if (typeof message !== "object" || message === null) return;
    const sub = typeof message.topic === "string" ? this.subs.get(message.topic) : undefined;
    if (message.type === "error") {
      if (sub && !sub.isCurrent(message)) return; // about a subscribe since replaced
      const detail = typeof message.detail === "string" ? message.detail : JSON.stringify(message.detail);
      if (sub) sub.error(detail);
      else for (const listener of this.errorListeners) listener(detail);
      return;
    }
    if (!sub) return;
    // Data flowed, so the connection is good; only now is the backoff forgotten.
    if (sub.receive(message, this.opts.now(), this.opts.resyncRetryMs)) {
      this.attempt = 0;
      this.setState("live");
    }
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
