// Wire types of docs/API.md (the contract with src/web). Only shapes, no logic.

export interface Instrument {
  segment: string;
  security_id: number;
}

export interface Readiness {
  strategy: string;
  ready: boolean;
  candles: number;
  needed: number;
}

export interface LastSignal {
  strategy: string;
  kind: string;
  price: number;
  time_ms: number;
  reason: string;
}

export interface Row extends Instrument {
  symbol: string;
  underlying: string;
  type: string;
  version: number;
  ltp: number | null;
  prev_close: number | null;
  change_pct: number | null;
  day_volume: number | null;
  open_interest: number | null;
  resistance: number | null;
  distance_to_breakout_pct: number | null;
  ema_short: number | null;
  ema_long: number | null;
  average_volume: number | null;
  last_candle_ms: number | null;
  readiness: Readiness[];
  last_signal: LastSignal | null;
}

export interface Alert extends Instrument {
  id: number;
  time_ms: number;
  time_ist: string;
  created_ms: number;
  symbol: string;
  underlying: string;
  strategy: string;
  kind: string;
  price: number;
  reason: string;
  numbers: Record<string, unknown>;
  candle_time_ms: number;
}

export interface FeedConnection {
  id: number;
  state: string;
  instruments: number;
  packets: number;
  packets_per_second: number;
  last_packet_age_seconds: number | null;
  reconnects: number;
  stalls: number;
  last_error: string;
}

export interface Status {
  status: 'ok' | 'degraded' | 'down';
  reasons: string[];
  version: string;
  mode: 'live' | 'demo' | 'replay';
  uptime_seconds: number;
  server_time_ms: number;
  active_symbols: number;
  alerts: { total: number; today: number };
  market: { open: boolean; next_open_ist: string | null; next_close_ist: string | null };
  feed: {
    health: string;
    message: string;
    instruments: number;
    rejected_instruments: number;
    packets: number;
    drops: number;
    reconnects: number;
    connections: FeedConnection[];
  };
  history: { done: number; total: number; failed: number };
  /** `fno-scanner replay --web` only. */
  replay?: { file: string; frames: number; packets: number; finished: boolean };
  instrument_master?: { age_seconds: number | null; rows: number };
  queues?: Record<string, number>;
  store: { degraded: boolean; error: string };
  /** Not in API.md yet: shown when the server adds it. */
  telegram?: { enabled: boolean; healthy: boolean; error?: string };
  web?: { ws_clients: number; socketio_clients: number };
}

export interface SearchResult extends Instrument {
  symbol: string;
  name: string;
  underlying: string;
  type: string;
  expiry: string | null;
  strike: number | null;
  option_type: string | null;
  lot_size: number | null;
}

export interface WatchlistItem extends Instrument {
  symbol: string;
}

export interface Watchlist {
  id: number;
  name: string;
  items: WatchlistItem[];
}

export interface StrategyParam {
  key: string;
  type: string;
  min?: number | null;
  max?: number | null;
  default?: unknown;
  description?: string;
}

export interface Strategy {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  params: StrategyParam[];
}

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  partial?: boolean;
}

export interface LinePoint {
  time: number;
  value: number;
}

export interface ChartMarker {
  time: number;
  id: number;
  strategy: string;
  kind: string;
  price: number;
}

export interface CandleSeries extends Instrument {
  symbol: string;
  candles: Candle[];
  resistance: LinePoint[];
  ema_short: LinePoint[];
  ema_long: LinePoint[];
  volume: LinePoint[];
  alerts: ChartMarker[];
}

export interface CandleUpdate extends Instrument {
  candle: Candle;
  resistance: number | null;
  ema_short: number | null;
  ema_long: number | null;
}

export type PushMessage =
  | { type: 'hello'; data: { version: string; mode: string } }
  | { type: 'snapshot'; data: { version: number; rows: Row[] } }
  | { type: 'rows'; data: { version: number; rows: Row[]; removed?: Instrument[] } }
  | { type: 'alert'; data: Alert }
  | { type: 'status'; data: Status }
  | { type: 'candle'; data: CandleUpdate }
  | { type: 'pong'; data: Record<string, never> };

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

/** One strategy's outcome in one backtest run (`fno-scanner backtest`). */
export interface BacktestStrategyResult {
  strategy: string;
  signals: number;
  evaluated: number;
  hits: number;
  hit_rate: number | null;
  avg_move_pct: number | null;
  avg_win_pct: number | null;
  avg_loss_pct: number | null;
}

/** One parameter combination of a backtest. */
export interface BacktestRun {
  params: Record<string, unknown>;
  per_strategy: BacktestStrategyResult[];
}

/** A signal of a backtest; `time` is IST epoch seconds of the candle start. */
export interface BacktestSignal {
  run: number;
  time: number;
  symbol: string;
  segment: string;
  security_id: number;
  strategy: string;
  kind: string;
  price: number;
  later_price: number | null;
  move_pct: number | null;
  hit: boolean | null;
}

/** GET /api/backtests entries (without `signals`) and GET /api/backtests/{id}. */
export interface BacktestSummary {
  id: string;
  created: string;
  strategy: string[];
  from: string;
  to: string;
  horizon_minutes: number;
  source: string;
  instruments: number;
  candles: number;
  runs: BacktestRun[];
  signals?: BacktestSignal[];
  signals_truncated?: boolean;
}
