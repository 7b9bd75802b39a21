// Backtests: the results `fno-scanner backtest` saved (GET /api/backtests,
// newest first), a selected backtest's runs (one row per parameter
// combination, sortable), a chart of the selected run's signals (average move
// after each signal candle, coloured by hit/miss, and the running average),
// and its signals (virtualised; click opens the instrument's chart).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { HistogramSeries, LineSeries, createChart, type UTCTimestamp } from 'lightweight-charts';
import type { BacktestSignal, BacktestSummary } from '../lib/types';
import { ApiError, api } from '../lib/api';
import { chartOptions, cssVar } from '../lib/chartTheme';
import { fmtChartTime, fmtPct, fmtPrice } from '../lib/format';
import { navigate } from '../state/hooks';
import {
  bestRun, fmtRange, fmtRate, listRow, newestFirst, runRows, runSignals, signalChart, sortRuns, utcFromIst, type RunSortKey,
} from '../state/backtests';
import { VirtualRows } from './VirtualRows';
import { chartPath } from './Toasts';

function EmptyState() {
  return (
    <div class="empty" data-testid="backtests-empty">
      <p>No backtests yet.</p>
      <p>
        Run <code>fno-scanner backtest</code> (see <code>fno-scanner backtest --help</code>) to replay the cached
        history through the strategies; each result it saves shows up here with its hit rates and signals.
      </p>
    </div>
  );
}

export function Backtests({ id }: { id: string | undefined }) {
  const [list, setList] = useState<BacktestSummary[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const ac = new AbortController();
    api<{ backtests: BacktestSummary[] }>('GET', '/api/backtests', undefined, ac.signal).then(
      (r) => setList(newestFirst(r.backtests)),
      (e: unknown) => {
        if (!ac.signal.aborted) setError(`Could not load backtests: ${(e as Error).message}`);
      },
    );
    return () => ac.abort();
  }, []);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!list) return <p class="empty">Loading backtests…</p>;
  if (list.length === 0) return <section class="backtests"><h2>Backtests</h2><EmptyState /></section>;
  const selected = id ?? list[0]!.id;
  return (
    <section class="backtests">
      <h2>Backtests</h2>
      <table class="table compact" aria-label="backtests" data-testid="backtest-list">
        <thead>
          <tr>
            <th scope="col">Created</th><th scope="col">Strategy</th><th scope="col">Range</th>
            <th scope="col" class="num">Instruments</th><th scope="col">Best run hit rate</th>
          </tr>
        </thead>
        <tbody>
          {list.map(listRow).map((r) => (
            <tr key={r.id} class={r.id === selected ? 'selected' : ''} aria-selected={r.id === selected} tabIndex={0}
              data-testid="backtest-row" onClick={() => navigate(`/backtests/${encodeURIComponent(r.id)}`, true)}
              onKeyDown={(e) => e.key === 'Enter' && navigate(`/backtests/${encodeURIComponent(r.id)}`, true)}>
              <td class="mono">{r.created}</td><td>{r.strategies}</td><td class="mono">{r.range}</td>
              <td class="num">{r.instruments.toLocaleString('en-IN')}</td><td>{r.best}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <BacktestDetail key={selected} id={selected} />
    </section>
  );
}

const kRunColumns: { key: RunSortKey; label: string }[] = [
  { key: 'signals', label: 'Signals' },
  { key: 'hitRate', label: 'Hit rate' },
  { key: 'avgMovePct', label: 'Avg move' },
];

function BacktestDetail({ id }: { id: string }) {
  const [summary, setSummary] = useState<BacktestSummary | null>(null);
  const [error, setError] = useState('');
  const [sort, setSort] = useState<{ key: RunSortKey; desc: boolean }>({ key: 'hitRate', desc: true });
  const [run, setRun] = useState<number | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    api<BacktestSummary>('GET', `/api/backtests/${encodeURIComponent(id)}`, undefined, ac.signal).then(setSummary, (e: unknown) => {
      if (ac.signal.aborted) return;
      setError(e instanceof ApiError && e.status === 404 ? `No backtest ${id}.` : `Could not load backtest ${id}: ${(e as Error).message}`);
    });
    return () => ac.abort();
  }, [id]);
  const rows = useMemo(() => (summary ? runRows(summary) : []), [summary]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!summary) return <p class="empty">Loading backtest…</p>;
  const best = bestRun(rows);
  const shown = run ?? best?.index ?? 0;
  const sorted = sortRuns(rows, sort.key, sort.desc);
  const by = (key: RunSortKey) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }));
  const signals = summary.signals ?? [];
  return (
    <div class="backtest" data-testid="backtest-detail">
      <p class="desc">
        {summary.strategy.join(', ')} · {fmtRange(summary.from, summary.to)} · move measured {summary.horizon_minutes} min after each
        signal · {summary.instruments.toLocaleString('en-IN')} instruments · {summary.candles.toLocaleString('en-IN')} candles
        ({summary.source})
      </p>
      <h3>Runs</h3>
      <table class="table compact" aria-label="runs" data-testid="backtest-runs">
        <thead>
          <tr>
            <th scope="col">Parameters</th>
            {kRunColumns.map((c) => (
              <th key={c.key} scope="col" class="num" aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                <button class="linkish" onClick={() => by(c.key)}>{c.label}{sort.key === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}</button>
              </th>
            ))}
            <th scope="col" class="num">Evaluated</th><th scope="col" class="num">Avg win</th><th scope="col" class="num">Avg loss</th>
            <th scope="col">Per strategy</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.index} class={r.index === shown ? 'selected' : ''} aria-selected={r.index === shown} tabIndex={0}
              data-testid="backtest-run" onClick={() => setRun(r.index)} onKeyDown={(e) => e.key === 'Enter' && setRun(r.index)}>
              <td class="mono">{r.label}{best?.index === r.index && <span class="badge health-good">best</span>}</td>
              <td class="num">{r.signals}</td>
              <td class="num">{fmtRate(r.hitRate)}</td>
              <td class={`num ${(r.avgMovePct ?? 0) > 0 ? 'up' : (r.avgMovePct ?? 0) < 0 ? 'down' : ''}`}>{fmtPct(r.avgMovePct)}</td>
              <td class="num">{r.evaluated}</td>
              <td class="num up">{fmtPct(r.avgWinPct)}</td>
              <td class="num down">{fmtPct(r.avgLossPct)}</td>
              <td class="muted">{r.breakdown}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        Signals of {rows[shown]?.label ?? `run ${shown + 1}`}
        {summary.signals_truncated ? ' (truncated: the backtest kept only the first ones)' : ''}
      </h3>
      {signals.length === 0 ? <p class="empty">This backtest recorded no signals.</p> : (
        <>
          <SignalChart signals={signals} run={shown} />
          <SignalTable signals={runSignals(signals, shown)} />
        </>
      )}
    </div>
  );
}

const t = (s: number) => s as UTCTimestamp;

function SignalChart({ signals, run }: { signals: BacktestSignal[]; run: number }) {
  const box = useRef<HTMLDivElement>(null);
  const data = useMemo(() => signalChart(signals, run), [signals, run]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const up = cssVar('--up');
    const down = cssVar('--down');
    const chart = createChart(el, chartOptions((p) => `${p.toFixed(2)}%`));
    const bars = chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false });
    bars.setData(data.bars.map((b) => ({ time: t(b.time), value: b.value, color: b.hit ? up : down })));
    const avg = chart.addSeries(LineSeries, { color: cssVar('--accent'), lineWidth: 2, priceLineVisible: false, lastValueVisible: true });
    avg.setData(data.cumulative.map((p) => ({ time: t(p.time), value: p.value })));
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [data]);
  return (
    <div class="bt-chart-wrap">
      <span class="legend muted">
        <span class="up">■ hit</span> <span class="down">■ miss</span> bars: average move % after the signal candle ·{' '}
        <span class="l-es">— running average</span>
      </span>
      {data.bars.length === 0 ? <p class="empty">No signal of this run was evaluated yet (the horizon passed no candle).</p> : (
        <div class="chart bt-chart" ref={box} data-testid="backtest-chart" data-bars={data.bars.length} />
      )}
    </div>
  );
}

function SignalTable({ signals }: { signals: BacktestSignal[] }) {
  const renderRow = (i: number) => {
    const s = signals[i]!;
    return (
      <div key={`${s.time}:${s.segment}:${s.security_id}:${s.strategy}`} role="row" class={i % 2 ? 'grow alt' : 'grow'} data-testid="backtest-signal"
        onClick={() => navigate(chartPath(s))}>
        <span role="gridcell" class="mono">{fmtChartTime(utcFromIst(s.time), true)}</span>
        <span role="gridcell" class="sym">{s.symbol}</span>
        <span role="gridcell">{s.strategy}</span>
        <span role="gridcell"><span class={`kind kind-${s.kind}`}>{s.kind}</span></span>
        <span role="gridcell" class="num">{fmtPrice(s.price)}</span>
        <span role="gridcell" class="num">{fmtPrice(s.later_price)}</span>
        <span role="gridcell" class={`num ${(s.move_pct ?? 0) > 0 ? 'up' : (s.move_pct ?? 0) < 0 ? 'down' : ''}`}>{fmtPct(s.move_pct)}</span>
        <span role="gridcell">{s.hit === null ? '—' : s.hit ? 'hit' : 'miss'}</span>
      </div>
    );
  };
  return (
    <div class="grid bt-signals" role="grid" aria-label="backtest signals" aria-rowcount={signals.length + 1}>
      <div class="ghead" role="row">
        <span role="columnheader">Time (IST)</span><span role="columnheader">Symbol</span><span role="columnheader">Strategy</span>
        <span role="columnheader">Kind</span><span role="columnheader" class="num">Price</span>
        <span role="columnheader" class="num">Later</span><span role="columnheader" class="num">Move</span>
        <span role="columnheader">Outcome</span>
      </div>
      <VirtualRows count={signals.length} focusIndex={-1} renderRow={renderRow} />
    </div>
  );
}
