// Scanner frame-time check: the page's /ws is served by playwright's
// routeWebSocket with 5,000 synthetic rows and a 10 Hz delta stream (1,000
// rows changed per delta), REST still goes to the real server. Per frame we
// measure the main-thread work from the first rAF callback until a task posted
// from it runs (after Preact's render and the browser's style/layout/paint).
const kRows = 5000;
const kChangedPerDelta = 1000;
const kHz = 10;
const kMeasureMs = 6000;

function makeRow(i, version, t) {
  const base = 100 + (i % 900);
  const ltp = +(base * (1 + 0.01 * Math.sin(t / 3 + i))).toFixed(2);
  return {
    segment: i % 10 === 0 ? 'IDX_I' : 'NSE_FNO', security_id: 100000 + i, symbol: `SYM${String(i).padStart(4, '0')}-FUT`,
    underlying: `SYM${i}`, type: i % 10 === 0 ? 'INDEX' : 'FUTSTK', version,
    ltp, prev_close: base, change_pct: +(((ltp - base) / base) * 100).toFixed(2), day_volume: 1000 * (i + t), open_interest: 5000,
    resistance: +(base * 1.01).toFixed(2), distance_to_breakout_pct: +(((base * 1.01 - ltp) / (base * 1.01)) * 100).toFixed(2),
    ema_short: base, ema_long: base * 0.99, average_volume: 1000, last_candle_ms: Date.now(),
    readiness: [{ strategy: 'breakout', ready: i % 3 !== 0, candles: 40, needed: 51 }, { strategy: 'ema_cross', ready: true, candles: 40, needed: 14 }],
    last_signal: i % 50 === 0 ? { strategy: 'breakout', kind: 'bullish', price: ltp, time_ms: Date.now(), reason: 'synthetic' } : null,
  };
}

export async function perfCheck(ctx, artifacts) {
  const page = await ctx.newPage();
  let timer = null;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    let version = 1;
    let tick = 0;
    ws.send(JSON.stringify({ type: 'hello', data: { version: 'perf', mode: 'demo' } }));
    ws.send(JSON.stringify({ type: 'snapshot', data: { version, rows: Array.from({ length: kRows }, (_, i) => makeRow(i, version, 0)) } }));
    timer = setInterval(() => {
      version++;
      tick++;
      const rows = [];
      for (let k = 0; k < kChangedPerDelta; k++) rows.push(makeRow((tick * kChangedPerDelta + k * 7) % kRows, version, tick));
      ws.send(JSON.stringify({ type: 'rows', data: { version, rows, removed: [] } }));
    }, 1000 / kHz);
  });
  await page.addInitScript(() => {
    const w = window;
    w.__perf = { work: [], intervals: [], longTasks: [], on: false };
    let last = 0;
    const ch = new MessageChannel();
    let start = 0;
    ch.port1.onmessage = () => w.__perf.on && w.__perf.work.push(performance.now() - start);
    const loop = (t) => {
      if (w.__perf.on && last) w.__perf.intervals.push(t - last);
      last = t;
      start = performance.now();
      ch.port2.postMessage(0);
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__perf.on && w.__perf.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
  });
  try {
    await page.goto('/scanner?sort=-change_pct');
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')?.textContent?.includes(n), '5,000', { timeout: 30_000 })
      .catch(async (e) => { await page.screenshot({ path: `${artifacts}/perf-failed.png` }); throw e; });
    await page.evaluate(() => (window.__perf.on = true));
    await page.waitForTimeout(kMeasureMs / 2);
    await page.locator('.vscroll').evaluate((el) => (el.scrollTop = 60_000)); // mid-table
    await page.waitForTimeout(kMeasureMs / 2);
    await page.screenshot({ path: `${artifacts}/perf-5000-rows.png` });
    const p = await page.evaluate(() => window.__perf);
    const q = (xs, f) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? s[Math.min(s.length - 1, Math.floor(f * s.length))] : NaN;
    };
    return {
      rows: kRows, hz: kHz, changed_per_delta: kChangedPerDelta, frames: p.work.length,
      p50: q(p.work, 0.5), p95: q(p.work, 0.95), max: Math.max(...p.work),
      raf_interval_p95: q(p.intervals, 0.95), longTasks: p.longTasks.length, maxLongTask: p.longTasks.length ? Math.max(...p.longTasks) : 0,
    };
  } finally {
    clearInterval(timer);
    await page.close();
  }
}
