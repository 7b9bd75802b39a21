// 1-minute candles with resistance, EMA short/long, volume histogram and alert
// markers; live via subscribe_candles; crosshair legend; ↑/↓ (or j/k) move to
// the previous/next symbol of the scanner's current order, Esc goes back.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  CandlestickSeries, CrosshairMode, HistogramSeries, LineSeries, createChart, createSeriesMarkers,
  type IChartApi, type ISeriesApi, type MouseEventParams, type UTCTimestamp,
} from 'lightweight-charts';
import type { CandleSeries, ChartMarker, Instrument } from '../lib/types';
import { api } from '../lib/api';
import { fmtChartTime, fmtPrice, fmtVolume, instrumentKey } from '../lib/format';
import { alertMarkers, upsertByTime, volumePoints } from '../lib/chartData';
import { chartOptions, cssVar } from '../lib/chartTheme';
import { navigate, store, useLive } from '../state/hooks';
import { chartPath } from './Toasts';

interface Legend {
  time: number;
  o?: number; h?: number; l?: number; c?: number; v?: number; res?: number; es?: number; el?: number;
}

const t = (s: number) => s as UTCTimestamp;

export function ChartView({ segment, securityId }: { segment: string; securityId: number }) {
  const live = useLive();
  const box = useRef<HTMLDivElement>(null);
  const [data, setData] = useState<CandleSeries | null>(null);
  const [error, setError] = useState('');
  const [legend, setLegend] = useState<Legend | null>(null);
  const inst: Instrument = { segment, security_id: securityId };
  const key = instrumentKey(inst);
  const row = live.table.rows.get(key);

  useEffect(() => {
    setData(null);
    setError('');
    const ac = new AbortController();
    api<CandleSeries>('GET', `/api/candles/${encodeURIComponent(segment)}/${securityId}`, undefined, ac.signal).then(setData, (e: unknown) => {
      if (!ac.signal.aborted) setError((e as Error).message);
    });
    return () => ac.abort();
  }, [key, live.epoch]);

  useEffect(() => {
    const el = box.current;
    if (!el || !data) return;
    const up = cssVar('--up');
    const down = cssVar('--down');
    const chart: IChartApi = createChart(el, { ...chartOptions((p) => fmtPrice(p)), crosshair: { mode: CrosshairMode.Normal } });
    const candles = chart.addSeries(CandlestickSeries, { upColor: up, downColor: down, borderVisible: false, wickUpColor: up, wickDownColor: down });
    const volume = chart.addSeries(HistogramSeries, { color: cssVar('--volume'), priceScaleId: 'vol', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    const line = (color: string, style = 0): ISeriesApi<'Line'> =>
      chart.addSeries(LineSeries, { color, lineWidth: 2, lineStyle: style, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false });
    const res = line(cssVar('--resistance'), 2);
    const es = line(cssVar('--ema-short'));
    const el2 = line(cssVar('--ema-long'));
    const toLine = (pts: { time: number; value: number }[]) => pts.map((p) => ({ time: t(p.time), value: p.value }));
    candles.setData(data.candles.map((c) => ({ time: t(c.time), open: c.open, high: c.high, low: c.low, close: c.close })));
    volume.setData(toLine(data.volume.length ? data.volume : volumePoints(data.candles)));
    res.setData(toLine(data.resistance));
    es.setData(toLine(data.ema_short));
    el2.setData(toLine(data.ema_long));
    let alerts: ChartMarker[] = data.alerts;
    const markers = createSeriesMarkers(candles, alertMarkers(alerts, up, down).map((m) => ({ ...m, time: t(m.time) })));
    chart.timeScale().scrollToRealTime();

    chart.subscribeCrosshairMove((p: MouseEventParams) => {
      if (p.time === undefined) return setLegend(null);
      const get = (s: ISeriesApi<'Line'> | ISeriesApi<'Histogram'>) => (p.seriesData.get(s) as { value?: number } | undefined)?.value;
      const c = p.seriesData.get(candles) as { open: number; high: number; low: number; close: number } | undefined;
      setLegend({ time: p.time as number, o: c?.open, h: c?.high, l: c?.low, c: c?.close, v: get(volume), res: get(res), es: get(es), el: get(el2) });
    });

    const offCandles = store.onCandles(inst, (u) => {
      const c = u.candle;
      candles.update({ time: t(c.time), open: c.open, high: c.high, low: c.low, close: c.close });
      if (c.volume !== null) volume.update({ time: t(c.time), value: c.volume });
      if (u.resistance !== null) res.update({ time: t(c.time), value: u.resistance });
      if (u.ema_short !== null) es.update({ time: t(c.time), value: u.ema_short });
      if (u.ema_long !== null) el2.update({ time: t(c.time), value: u.ema_long });
    });
    const offAlerts = store.onAlert((a) => {
      if (instrumentKey(a) !== key) return;
      alerts = upsertByTime(alerts, { time: Math.floor(a.candle_time_ms / 1000), id: a.id, strategy: a.strategy, kind: a.kind, price: a.price });
      markers.setMarkers(alertMarkers(alerts, up, down).map((m) => ({ ...m, time: t(m.time) })));
    });
    return () => {
      offCandles();
      offAlerts();
      chart.remove();
    };
  }, [data]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, select, textarea')) return;
      const nav = store.navigation;
      const i = nav.findIndex((x) => instrumentKey(x) === key);
      const step = e.key === 'ArrowDown' || e.key === 'j' ? 1 : e.key === 'ArrowUp' || e.key === 'k' ? -1 : 0;
      if (step && nav.length) {
        e.preventDefault();
        const next = nav[(i + step + nav.length) % nav.length];
        if (next) navigate(chartPath(next), true);
      } else if (e.key === 'Escape') history.back();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key]);

  const lg = legend;
  return (
    <section class="chartview" aria-label="chart">
      <div class="chart-head">
        <button class="button" onClick={() => history.back()} aria-label="back">←</button>
        <h2 data-testid="chart-symbol">{data?.symbol ?? row?.symbol ?? key}</h2>
        {row && <span class="mono">LTP {fmtPrice(row.ltp)}</span>}
        <span class="legend mono" data-testid="chart-legend">
          {lg ? (
            <>
              {fmtChartTime(lg.time, true)} O {fmtPrice(lg.o)} H {fmtPrice(lg.h)} L {fmtPrice(lg.l)} C {fmtPrice(lg.c)} V {fmtVolume(lg.v)}
              <span class="l-res"> R {fmtPrice(lg.res)}</span><span class="l-es"> EMA-S {fmtPrice(lg.es)}</span><span class="l-el"> EMA-L {fmtPrice(lg.el)}</span>
            </>
          ) : (
            <>
              <span class="l-res">— resistance</span> <span class="l-es">— EMA short</span> <span class="l-el">— EMA long</span>
            </>
          )}
        </span>
        <span class="muted hint">↑/↓ next symbol · Esc back</span>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.candles.length === 0 && <p class="empty">No candles yet: the first one closes at the next minute.</p>}
      <div class="chart" ref={box} data-testid="chart" data-candles={data?.candles.length ?? 0} data-markers={data?.alerts.length ?? 0} />
    </section>
  );
}
