// Scanner frame-time check: 5,000 synthetic rows and a 10 Hz delta stream
// (1,000 rows changed per delta, each sent as the server's /ws does: the row
// id plus the members that changed since it was last sent, docs/API.md
// ROW_DELTA) reach the page over a real WebSocket: a small
// local HTTP server answers /ws itself and forwards every other request (the
// UI, REST) to the real server. (Playwright's routeWebSocket would deliver each
// 500 KB frame as a DevTools command on the page's main thread, which cost more
// than the page's own work and was measured as frame time.) Per frame we
// measure the main-thread work from the first rAF callback until a task posted
// from it runs (after Preact's render and the browser's style/layout/paint).
// Each WebSocket message's handling (JSON.parse and the store's merge) is timed
// apart too, with the bytes per message: the part compact deltas change.
// Afterwards the stream stops: rows must have been flashing while it ran and
// must not be 1.5 s after the page's last message (a flash lasts 0.8 s,
// ui/src/state/flash.ts; a quiet feed relies on the scanner's timer).
import { createHash } from 'node:crypto';
import { createServer, request } from 'node:http';

const kRows = 5000;
const kChangedPerDelta = 1000;
const kHz = 10;
const kMeasureMs = 6000;
// A page that cannot keep up gets deltas skipped, not an unbounded send buffer.
const kMaxBufferedBytes = 4 << 20;
const kWsGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function makeRow(i, version, t) {
  const base = 100 + (i % 900);
  const minuteMs = Math.floor(Date.now() / 60_000) * 60_000; // candles close once a minute
  const ltp = +(base * (1 + 0.01 * Math.sin(t / 3 + i))).toFixed(2);
  return {
    segment: i % 10 === 0 ? 'IDX_I' : 'NSE_FNO', security_id: 100000 + i, symbol: `SYM${String(i).padStart(4, '0')}-FUT`,
    underlying: `SYM${i}`, type: i % 10 === 0 ? 'INDEX' : 'FUTSTK', version,
    ltp, prev_close: base, change_pct: +(((ltp - base) / base) * 100).toFixed(2), day_volume: 1000 * (i + t), open_interest: 5000,
    resistance: +(base * 1.01).toFixed(2), distance_to_breakout_pct: +(((base * 1.01 - ltp) / (base * 1.01)) * 100).toFixed(2),
    ema_short: base, ema_long: base * 0.99, average_volume: 1000, last_candle_ms: minuteMs,
    readiness: [{ strategy: 'breakout', ready: i % 3 !== 0, candles: 40, needed: 51 }, { strategy: 'ema_cross', ready: true, candles: 40, needed: 14 }],
    last_signal: i % 50 === 0 ? { strategy: 'breakout', kind: 'bullish', price: base, time_ms: minuteMs, reason: 'synthetic' } : null,
  };
}

// The row id plus every member whose JSON differs from what this client last got (src/web/hub.cpp).
// Numbers and strings compare directly: the generator must stay cheap next to the page it measures.
function compactRow(row, sent) {
  const out = { segment: row.segment, security_id: row.security_id };
  for (const k in row) {
    const v = row[k];
    const same = typeof v === 'object' && v !== null ? JSON.stringify(v) === JSON.stringify(sent[k]) : v === sent[k];
    if (!same) out[k] = v;
  }
  return out;
}

function textFrame(text) {
  const body = Buffer.from(text);
  const n = body.length;
  let head;
  if (n < 126) head = Buffer.from([0x81, n]);
  else if (n < 65536) head = Buffer.from([0x81, 126, n >> 8, n & 255]);
  else {
    head = Buffer.alloc(10);
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, body]);
}

// Serves one synthetic stream per /ws connection; everything else goes to `target`.
function startStreamServer(target, stream) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, target);
    const headers = { ...req.headers, host: url.host };
    delete headers.origin;
    const up = request(url, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => res.writableEnded || res.writeHead(502).end(e.message));
    req.pipe(up);
  });
  server.on('upgrade', (req, socket) => {
    if (!req.url.startsWith('/ws')) return socket.destroy();
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${kWsGuid}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', () => {}); // the page's pings need no answer here
    socket.on('error', () => {});
    stream(socket);
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

export async function perfCheck(ctx, artifacts, target) {
  const timers = [];
  const sockets = [];
  let skipped = 0;
  const server = await startStreamServer(target, (socket) => {
    sockets.push(socket);
    let version = 1;
    let tick = 0;
    socket.write(textFrame(JSON.stringify({ type: 'hello', data: { version: 'perf', mode: 'demo' } })));
    const sent = Array.from({ length: kRows }, (_, i) => makeRow(i, version, 0));
    socket.write(textFrame(JSON.stringify({ type: 'snapshot', data: { version, rows: sent } })));
    timers.push(setInterval(() => {
      version++;
      tick++;
      if (socket.writableLength > kMaxBufferedBytes) return void skipped++;
      const rows = [];
      for (let k = 0; k < kChangedPerDelta; k++) {
        const i = (tick * kChangedPerDelta + k * 7) % kRows;
        const row = makeRow(i, version, tick);
        rows.push(compactRow(row, sent[i]));
        sent[i] = row;
      }
      socket.write(textFrame(JSON.stringify({ type: 'rows', data: { version, rows, removed: [] } })));
    }, 1000 / kHz));
  });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    const w = window;
    w.__perf = { work: [], intervals: [], longTasks: [], messages: [], bytes: 0, on: false };
    // Time spent handling each WebSocket message (JSON.parse + the store's merge), apart from rendering.
    const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      configurable: true,
      get() { return onmessage.get.call(this); },
      set(fn) {
        onmessage.set.call(this, fn && ((ev) => {
          const t0 = performance.now();
          fn.call(this, ev);
          w.__perf.lastMessageMs = performance.now();
          if (!w.__perf.on) return;
          w.__perf.messages.push(performance.now() - t0);
          w.__perf.bytes += ev.data.length;
        }));
      },
    });
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
    await page.goto(`http://127.0.0.1:${server.address().port}/scanner?sort=-change_pct`);
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')?.textContent?.includes(n), '5,000', { timeout: 30_000 })
      .catch(async (e) => { await page.screenshot({ path: `${artifacts}/perf-failed.png` }); throw e; });
    await page.evaluate(() => (window.__perf.on = true));
    await page.waitForTimeout(kMeasureMs / 2);
    await page.locator('.vscroll').evaluate((el) => (el.scrollTop = 60_000)); // mid-table
    await page.waitForTimeout(kMeasureMs / 2);
    await page.screenshot({ path: `${artifacts}/perf-5000-rows.png` });
    const p = await page.evaluate(() => window.__perf);
    const flashing = () => page.locator('[data-testid=scanner-row][class*="flash-"]').count();
    const flashingLive = await flashing();
    timers.forEach(clearInterval);
    await page.waitForFunction(() => performance.now() - window.__perf.lastMessageMs > 1500, null, { timeout: 30_000 });
    const flashingQuiet = await flashing();
    if (flashingLive === 0 || flashingQuiet !== 0) {
      throw new Error(`row flash: ${flashingLive} rows flashing while streaming (want > 0), ${flashingQuiet} 1.5 s after the last message (want 0)`);
    }
    const q = (xs, f) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? s[Math.min(s.length - 1, Math.floor(f * s.length))] : NaN;
    };
    return {
      rows: kRows, hz: kHz, changed_per_delta: kChangedPerDelta, frames: p.work.length,
      p50: q(p.work, 0.5), p95: q(p.work, 0.95), max: Math.max(...p.work),
      raf_interval_p95: q(p.intervals, 0.95), longTasks: p.longTasks.length, maxLongTask: p.longTasks.length ? Math.max(...p.longTasks) : 0,
      skipped_deltas: skipped, flashing_rows_live: flashingLive,
      message_p50: q(p.messages, 0.5), message_p95: q(p.messages, 0.95), message_bytes_avg: p.bytes / Math.max(1, p.messages.length),
    };
  } finally {
    timers.forEach(clearInterval);
    await page.close();
    sockets.forEach((s) => s.destroy());
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
