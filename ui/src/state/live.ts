// The live store: one WebSocket to /ws feeding scanner rows, status, alerts
// and chart candles to subscribers. Reconnects with capped backoff; the server
// sends a fresh snapshot on every connect, which is the resync. Listeners are
// notified at most once per animation frame, so 10 Hz deltas over 5,000 rows
// cost one render per frame. Single-threaded (browser main thread).
import type { Alert, CandleUpdate, Instrument, PushMessage, Status } from '../lib/types';
import { instrumentKey } from '../lib/format';
import { RowTable } from './rows';
import { ScannerView } from './scannerView';
import { backoffDelay } from './backoff';

export type Connection = 'connecting' | 'open' | 'reconnecting';

const kMaxRecentAlerts = 200;
const kPingIntervalMs = 20_000;
const kStatusPollMs = 5_000;

type Listener = () => void;

export class LiveStore {
  readonly table = new RowTable();
  readonly scannerView = new ScannerView();
  status: Status | null = null;
  statusAtMs = 0; // local clock when `status` arrived (countdowns tick from it)
  connection: Connection = 'connecting';
  connectedOnce = false;
  recentAlerts: Alert[] = [];
  /** Bumped on every (re)connect so views refetch what a snapshot does not carry. */
  epoch = 0;
  /** The scanner's current order, for keyboard navigation between charts. */
  navigation: Instrument[] = [];

  private ws: WebSocket | null = null;
  private attempt = 0;
  private listeners = new Set<Listener>();
  private alertListeners = new Set<(a: Alert) => void>();
  private candleListeners = new Map<string, Set<(c: CandleUpdate) => void>>();
  private scheduled = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly url: string) {}

  start(): void {
    this.connect();
    void this.pollStatus();
    this.pingTimer = setInterval(() => {
      this.send({ type: 'ping' });
    }, kPingIntervalMs);
    // While the push channel is down the header still shows health from REST.
    this.statusTimer = setInterval(() => this.connection !== 'open' && void this.pollStatus(), kStatusPollMs);
  }

  private async pollStatus(): Promise<void> {
    try {
      const res = await fetch('/api/status', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok || res.status === 503) this.handle({ type: 'status', data: (await res.json()) as Status });
    } catch (e) {
      console.debug('status poll failed:', e);
    }
  }

  stop(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.ws?.close();
    this.ws = null;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onAlert(fn: (a: Alert) => void): () => void {
    this.alertListeners.add(fn);
    return () => this.alertListeners.delete(fn);
  }

  /** Chart subscription; the server is told on first/last listener. */
  onCandles(i: Instrument, fn: (c: CandleUpdate) => void): () => void {
    const key = instrumentKey(i);
    let set = this.candleListeners.get(key);
    if (!set) {
      set = new Set();
      this.candleListeners.set(key, set);
      this.send({ type: 'subscribe_candles', segment: i.segment, security_id: i.security_id });
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) {
        this.candleListeners.delete(key);
        this.send({ type: 'unsubscribe_candles', segment: i.segment, security_id: i.security_id });
      }
    };
  }

  /** Feed a decoded message (also the test entry point). */
  handle(msg: PushMessage): void {
    switch (msg.type) {
      case 'snapshot':
        this.table.applySnapshot(msg.data.version, msg.data.rows);
        break;
      case 'rows':
        this.table.applyDelta(msg.data.version, msg.data.rows, msg.data.removed);
        break;
      case 'status':
        this.status = msg.data;
        this.statusAtMs = Date.now();
        break;
      case 'alert':
        this.recentAlerts = [msg.data, ...this.recentAlerts.filter((a) => a.id !== msg.data.id)].slice(0, kMaxRecentAlerts);
        for (const fn of this.alertListeners) fn(msg.data);
        break;
      case 'candle':
        for (const fn of this.candleListeners.get(instrumentKey(msg.data)) ?? []) fn(msg.data);
        return;
      default:
        return;
    }
    this.notify();
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.connection = 'open';
      this.connectedOnce = true;
      this.epoch++;
      for (const key of this.candleListeners.keys()) {
        const [segment, id] = key.split(':');
        this.send({ type: 'subscribe_candles', segment, security_id: Number(id) });
      }
      this.notify();
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      let msg: PushMessage;
      try {
        msg = JSON.parse(ev.data) as PushMessage;
      } catch {
        console.warn('ws: dropped a non-JSON frame');
        return;
      }
      this.handle(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.connection = this.connectedOnce ? 'reconnecting' : 'connecting';
      this.notify();
      this.reconnectTimer = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
    };
  }

  private send(msg: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      for (const fn of this.listeners) fn();
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
    else queueMicrotask(run);
  }
}
