#!/usr/bin/env python3
"""Chaos soak and crash recovery: the real fno-scanner against `fno-scanner sim`.

One accelerated trading day on loopback. The simulator (plain ws:// + http://)
runs its clock --speed times faster than the wall clock and trades the
instruments of a generated master; a scenario drives scripted breakouts (the
ground truth, read back from GET /sim/status) and a fault schedule: connection
drops, a stall longer than feed.stall_timeout_seconds, garbage, truncated and
oversized frames, a 805 (connection budget), slow feed writes, slow REST
replies and a 429 burst during the history warm-up. Beside it this driver
makes the alert store unwritable for a while (chattr +i on the database and
its WAL: refused even for root), keeps a WebSocket dashboard client that never
reads, runs a fake Telegram Bot API, and kill -9s the scanner at random points
(then restarts it). At the end:

  - the scanner is alive and stops cleanly;
  - every scripted breakout alerted exactly once, in its window; no other
    alert exists (no duplicate after a restart, nothing from faulted data);
  - every alert reached Telegram and the outbox holds nothing pending;
  - feed reconnects came within their backoff bounds (805: not before
    feed.budget_backoff_seconds);
  - the history cache passes integrity_check and covers every instrument;
  - resident memory shows no leak trend over the longest uninterrupted run.

Why the simulated day starts at the next session open, in the future: the
engine closes a candle early when the wall clock passes its minute + grace
(for illiquid contracts). With an accelerated clock that started in the past,
the wall clock would be ahead of every candle and cut each one short. Ahead of
the wall clock, candles close on the next minute's ticks, as liquid contracts
always do, and the wall-clock timer never fires. The scanner's history
warm-up ends at the wall clock, so for `lookback` minutes after every
(re)start its resistance mixes history the simulator did not use: scripted
breakouts stay out of those windows (and out of each fault's window), and the
check is that exactly they alert.

usage: tests/soak/soak.py --bin build/release/fno-scanner [--profile short|full] [--seed N] [--keep]
       tests/soak/soak.py --selftest      (the checks themselves must fail on bad data)
"""
import argparse
import datetime
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "load"))
from run_load import FAKE_ENV, free_port, get_json, launch_simulator, proc_status_mb, stop, write_master  # noqa: E402,E501

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
SESSION_OPEN = datetime.time(9, 15)
SESSION_MINUTES = 375  # 09:15-15:30
LOOKBACK = 50          # the scanner's default resistance window, also the simulator's ground truth


class Profile:
    def __init__(self, name, instruments, speed, minutes, kills, per_slot, outages, stall_seconds, budget_backoff):
        self.name, self.instruments, self.speed, self.minutes = name, instruments, speed, minutes
        self.kills, self.per_slot = kills, per_slot
        self.outages = outages                # feed faults that break the connection, in this order
        self.stall_seconds = stall_seconds    # wall seconds of silence (past the 5 s stall timeout)
        self.budget_backoff = budget_backoff  # wall seconds (feed.budget_backoff_seconds)


PROFILES = {
    # A full NSE day at 60x: about 6.5 minutes of wall time.
    "full": Profile("full", 2000, 60.0, SESSION_MINUTES, 3, 3, ("drop", "oversized", "stall", "805"), 8, 10),
    # CI: 300 instruments, 09:15-13:15 at 120x (about 2 minutes), fewer faults, one kill -9.
    "short": Profile("short", 300, 120.0, 240, 1, 2, ("drop", "805"), 6, 4),
}
TICKS_PER_SECOND = 0.2  # per instrument and simulated second: 12 trades a minute
STALL_TIMEOUT = 5       # feed.stall_timeout_seconds (its minimum)
RESTART_SECONDS = 3     # kill -9 -> streaming again, with margin (measured: about 1.2 s)


# ---------------------------------------------------------------- schedule

def next_session_open(now_ist):
    """The next NSE session open (Mon-Fri 09:15 IST) strictly after `now_ist`."""
    day = now_ist.date()
    while True:
        candidate = datetime.datetime.combine(day, SESSION_OPEN, IST)
        if candidate > now_ist and candidate.weekday() < 5:
            return candidate
        day += datetime.timedelta(days=1)


def reconnect_bound(earlier):
    """Wall seconds a broken feed may take to stream again: the full-jitter backoff's
    ceiling after `earlier` failures within its 60 s reset window, plus connect and resubscribe."""
    return min(60, 2 ** (earlier + 1)) + 10


def plan(profile, rng):
    """Faults, kill points and breakout slots, in simulated minutes since the open.

    Every feed outage (and every restart) leaves the scanner without the
    candles of the minutes it missed, so for LOOKBACK minutes after it the
    scanner's resistance is not the simulator's: breakouts stay out of that
    shadow. The faults that break the feed come early, one after the other
    inside the first warm-up; the kills split the rest of the day into
    breakout phases. Returns (faults, kills, slots); faults are
    (minute, step, expected outage in simulated minutes).
    """
    per_minute = profile.speed / 60.0  # simulated minutes per wall second
    faults = [(1, {"action": "rest_limit", "rate": 0, "duration": 180}, 0),
              (4, {"action": "rest_slow", "delay_ms": 400, "duration": 240}, 0),
              (8, {"action": "garbage"}, 0),
              (9, {"action": "truncated"}, 0)]
    t = 10.0
    for n, outage in enumerate(profile.outages):
        typical = 2 ** (n + 1) + 3  # wall seconds: the backoff ceiling plus resubscribing, as measured
        if outage == "stall":
            step, seconds = {"action": "stall", "duration": profile.stall_seconds * per_minute * 60}, \
                profile.stall_seconds + typical
        elif outage == "805":
            step, seconds = {"action": "disconnect", "code": 805}, profile.budget_backoff + 3
        else:
            step, seconds = {"action": outage}, typical
        faults.append((round(t, 1), step, seconds * per_minute))
        t += seconds * per_minute + 2
        if outage == "oversized":  # backpressure next: late data, no outage
            faults.append((round(t, 1), {"action": "slow", "delay_ms": 3, "duration": 2 * per_minute * 60}, 0))
            t += 3 * per_minute + 1
    margin = 4  # simulated minutes past an outage's expected end
    shadows = [(0, LOOKBACK + 2)] + [(m - 1, m + o + LOOKBACK + margin) for m, _, o in faults if o]
    first_free = max(hi for _, hi in shadows)
    blind = RESTART_SECONDS * per_minute + LOOKBACK + margin
    phase = (profile.minutes - 5 - first_free - profile.kills * blind) / (profile.kills + 1)
    if phase < 6:
        raise SystemExit(f"profile {profile.name}: {profile.minutes} minutes leave no room for breakouts")
    kills = []
    for k in range(profile.kills):
        start = first_free + (k + 1) * phase + k * blind
        kills.append(round(rng.uniform(start - phase * 0.3, start), 1))
    shadows += [(k - 2, k + blind) for k in kills]
    slots = [m for m in range(int(first_free) + 1, profile.minutes - 4, 2)
             if not any(lo <= m <= hi for lo, hi in shadows)]
    return faults, kills, slots


def scenario(faults, slots, instruments, per_slot, rng):
    steps = [{"at": round(m * 60), **step} for m, step, _ in faults]
    ids = rng.sample(instruments, per_slot * len(slots))
    for n, m in enumerate(slots):
        for k in range(per_slot):
            # 15 s into the minute: the push (40 s) finishes inside the candle.
            steps.append({"at": m * 60 + 15, "action": "breakout", "segment": "NSE_FNO",
                          "security_id": str(ids[n * per_slot + k]), "volume_multiplier": 6})
    return {"steps": sorted(steps, key=lambda s: s["at"])}


def store_fault_window(slots, kills, speed):
    """Simulated minutes [from, to) the store is unwritable: over breakout slots, clear of kills."""
    seconds = 12.0  # wall seconds: more than the store's 5 s retry interval
    span = seconds * speed / 60.0
    for m in slots:
        if all(m + span + 8 < k or m - 2 > k + 4 for k in kills) and any(m < s < m + span for s in slots):
            return m - 1, m - 1 + span
    return None


# ---------------------------------------------------------------- processes

class FakeTelegram:
    """A Bot API on loopback that accepts every sendMessage and keeps the texts."""

    def __init__(self):
        self.texts, self.lock = [], threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    text = json.loads(body).get("text", "")
                except ValueError:
                    text = ""
                with owner.lock:
                    owner.texts.append(text)
                    n = len(owner.texts)
                reply = json.dumps({"ok": True, "result": {"message_id": n}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server.server_address[1]

    def messages(self):
        with self.lock:
            return list(self.texts)

    def close(self):
        self.server.shutdown()


class SlowDashboardClient:
    """A /ws client with a tiny receive buffer that never reads: the scanner must drop it, not stall."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(5)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: c29hay1zbG93LWNsaWVudA==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = self.sock.recv(1024)
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"dashboard WebSocket refused: {head[:80]!r}")

    def close(self):
        self.sock.close()


def start_simulator(binary, workdir, master, scenario_path, profile, start):
    proc, urls = launch_simulator(binary, workdir, [
        "--instruments", master, "--scenario", scenario_path, "--speed", str(profile.speed),
        "--ticks-per-second", str(TICKS_PER_SECOND), "--packets-per-frame", "20", "--rest-rate", "50",
        "--start", start.strftime("%Y-%m-%d %H:%M:%S")])
    return proc, urls, time.monotonic()


def write_config(workdir, urls, web_port, telegram_port, master, profile):
    cache = os.path.join(workdir, "master-cache.csv")
    shutil.copyfile(master, cache)
    config = {
        "hist_days": 1,
        # 12 trades a minute of 1-5 lots: a random-walk candle stays under 1.9x the average volume,
        # a scripted breakout (lots x 6 for 40 s) reaches about 4x.
        "volume_factor": 2.0,
        "web": {"bind": "127.0.0.1", "port": web_port},
        # The wall-clock session decides when a silent feed counts as stalled: every weekday minute here.
        "market": {"sessions": {"NSE_FNO": ["00:00", "23:59"]}},
        "feed": {"url": urls["feed"], "stall_timeout_seconds": STALL_TIMEOUT,
                 "budget_backoff_seconds": profile.budget_backoff},
        "instruments": {"url": urls["master"], "cache_path": cache},
        "history": {"url": urls["rest"], "requests_per_second": 50, "max_retries": 10,
                    "cache_path": os.path.join(workdir, "history_cache.db")},
        "telegram": {"api_url": f"http://127.0.0.1:{telegram_port}", "chat_interval_ms": 100,
                     "backoff_initial_ms": 200, "backoff_max_ms": 2000},
        "strategies": {"ema_cross": {"enabled": False}, "volume_spike": {"enabled": False}},
        "db_path": os.path.join(workdir, "alerts.db"),
        "log_dir": workdir,
        "log_level": "info",
    }
    path = os.path.join(workdir, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


class Scanner:
    """The scanner process across restarts."""

    ENV = {**FAKE_ENV, "TELEGRAM_TOKEN": "1000000001:FAKE-soak-telegram-token", "TELEGRAM_CHAT_ID": "4242"}

    def __init__(self, binary, workdir, config, port):
        self.binary, self.workdir, self.config, self.port = binary, workdir, config, port
        self.proc, self.runs = None, 0

    def start(self):
        self.runs += 1
        out = open(os.path.join(self.workdir, f"scanner-{self.runs}.out"), "w")
        self.proc = subprocess.Popen([self.binary, "--live", "--config", self.config], cwd=self.workdir,
                                     stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.ENV})
        return self.proc

    def status(self):
        try:
            return get_json(self.port, "/api/status")
        except (OSError, ValueError):
            return None

    def wait_streaming(self, instruments, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"fno-scanner exited with {self.proc.returncode}; see {self.workdir}")
            s = self.status()
            if s and streaming(s) >= instruments:
                return time.monotonic()
            time.sleep(0.2)
        raise SystemExit(f"feed not streaming {instruments} instruments after {timeout} s")


def streaming(status):
    return sum(c["instruments"] for c in status["feed"]["connections"] if c["state"] == "streaming")


class Monitor(threading.Thread):
    """Samples /api/status and the scanner's RSS: feed state, store state, memory, per run."""

    def __init__(self, scanner, instruments):
        super().__init__(daemon=True)
        self.scanner, self.instruments = scanner, instruments
        self.samples, self.rss, self.stop_flag = [], [], threading.Event()

    def run(self):
        next_rss = 0.0
        while not self.stop_flag.is_set():
            now = time.monotonic()
            proc, run = self.scanner.proc, self.scanner.runs
            s = self.scanner.status()
            if s:
                self.samples.append((now, run, streaming(s) >= self.instruments, s["feed"]["reconnects"],
                                     s["store"]["degraded"], s["market"]["open"]))
            if now >= next_rss and proc and proc.poll() is None:
                rss = proc_status_mb(proc.pid, "VmRSS")
                if rss:
                    self.rss.append((now, run, rss))
                next_rss = now + 2.0
            time.sleep(0.25)


def set_immutable(paths, on):
    flag = "+i" if on else "-i"
    existing = [p for p in paths if os.path.exists(p)]
    r = subprocess.run(["chattr", flag, *existing], capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


# ---------------------------------------------------------------- checks (pure: --selftest feeds them bad data)

def check_ground_truth(expected, alerts):
    """expected: [{security_id, strategy, earliest, latest}]; alerts: [(security_id, strategy, candle_time)].
    Every expected alert exactly once in its window; no alert that no expectation explains."""
    problems, used = [], set()
    for e in expected:
        hits = [i for i, (sid, strategy, t) in enumerate(alerts)
                if sid == e["security_id"] and strategy == e["strategy"] and e["earliest"] <= t <= e["latest"]]
        if not hits:
            problems.append(f"missed: {e['strategy']} on {e['security_id']} in [{e['earliest']}, {e['latest']}]")
        elif len(hits) > 1:
            problems.append(f"alerted {len(hits)} times: {e['strategy']} on {e['security_id']}")
        used.update(hits)
    for i, (sid, strategy, t) in enumerate(alerts):
        if i not in used:
            problems.append(f"unexpected alert: {strategy} on {sid} for the candle at {t}")
    return problems


def check_reconnects(faults, samples, t0, speed, budget_backoff):
    """Each connection-breaking fault: streaming again within its bound; after 805 not before the budget backoff.
    faults: [(minute, step)]; samples: [(t, run, all_streaming, reconnects, degraded, market_open)].
    A stall only counts while the scanner's (wall-clock) market is open: outside it silence is normal."""
    problems, report = [], []
    breaking = [(m, s) for m, s in faults if s["action"] in ("drop", "oversized", "disconnect", "stall")]
    for n, (m, step) in enumerate(breaking):
        at = t0 + m * 60 / speed
        earlier = sum(1 for m2, _ in breaking[:n] if 0 <= (m - m2) * 60 / speed < 60)
        low = budget_backoff if step.get("code") == 805 else 0
        high = low + reconnect_bound(earlier)
        notice = 5  # seconds until the scanner sees the fault
        if step["action"] == "stall":  # it notices after feed.stall_timeout_seconds of silence
            high += STALL_TIMEOUT
            notice += STALL_TIMEOUT
        after = [s for s in samples if s[0] > at + 0.3]
        if step["action"] == "stall" and after and not after[0][5]:
            report.append(("stall (market closed by the wall clock: no reconnect expected)", m, None))
            continue
        down = next((s for s in after if not s[2]), None)
        if down is None or down[0] > at + notice:
            problems.append(f"{step['action']} at minute {m}: the feed never dropped")
            continue
        up = next((s for s in after if s[0] > down[0] and s[2]), None)
        if up is None:
            problems.append(f"{step['action']} at minute {m}: never streaming again")
            continue
        took = up[0] - at
        report.append((step["action"] + (f" {step['code']}" if "code" in step else ""), m, round(took, 1)))
        if not low - 1 <= took <= high:
            problems.append(f"{step['action']} at minute {m}: streaming again after {took:.1f} s, "
                            f"bound [{low}, {high}] s")
    return problems, report


def check_rss(rss, min_seconds=40):
    """No leak trend in the longest run: the last third's median is within 25 % / 48 MB of the second third's."""
    runs = {}
    for t, run, mb in rss:
        runs.setdefault(run, []).append((t, mb))
    run, series = max(runs.items(), key=lambda kv: kv[1][-1][0] - kv[1][0][0])
    if series[-1][0] - series[0][0] < min_seconds or len(series) < 9:
        return [f"run {run}: too short to judge memory ({len(series)} samples)"], None
    third = len(series) // 3
    mid = sorted(mb for _, mb in series[third:2 * third])[third // 2]
    last = sorted(mb for _, mb in series[2 * third:])[(len(series) - 2 * third) // 2]
    figures = {"run": run, "start_mb": series[0][1], "middle_mb": mid, "end_mb": series[-1][1],
               "peak_mb": max(mb for _, mb in series), "seconds": round(series[-1][0] - series[0][0])}
    if last - mid > max(48.0, 0.25 * mid):
        return [f"RSS grows in run {run}: {mid:.0f} MB -> {last:.0f} MB"], figures
    return [], figures


def selftest():
    exp = [{"security_id": 1, "strategy": "breakout", "earliest": 600, "latest": 720},
           {"security_id": 2, "strategy": "breakout", "earliest": 900, "latest": 1020}]
    good = [(1, "breakout", 660), (2, "breakout", 900)]
    assert check_ground_truth(exp, good) == [], "a correct run passes"
    assert any("2 times" in p for p in check_ground_truth(exp, good + [(1, "breakout", 720)])), "duplicate"
    assert any("missed" in p for p in check_ground_truth(exp, good[:1])), "missed breakout"
    assert any("missed" in p for p in check_ground_truth(exp, [(1, "breakout", 780), good[1]])), "outside window"
    assert any("unexpected" in p for p in check_ground_truth(exp, good + [(3, "breakout", 660)])), "stray alert"
    samples = [(100 + i * 0.25, 1, not 4 <= i < 12, i // 4, False, True) for i in range(200)]
    assert check_reconnects([(0, {"action": "drop"})], samples, 100.5, 60, 10)[0] == []
    slow = [(100 + i * 0.25, 1, not 4 <= i < 190, 1, False, True) for i in range(200)]
    assert check_reconnects([(0, {"action": "drop"})], slow, 100.5, 60, 10)[0], "late reconnect"
    early = check_reconnects([(0, {"action": "disconnect", "code": 805})], samples, 100.5, 60, 10)[0]
    assert early, "a reconnect before the 805 backoff"
    flat = [(t, 1, 100.0) for t in range(0, 90, 2)]
    assert check_rss(flat)[0] == []
    leak = [(t, 1, 100.0 + 3 * t) for t in range(0, 90, 2)]
    assert check_rss(leak)[0], "a leak trend"
    print("selftest: every check passes good data and fails bad data")


# ---------------------------------------------------------------- the soak

def read_alerts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        alerts = con.execute("SELECT security_id, strategy, candle_time, trading_symbol FROM alerts").fetchall()
        outbox = dict(con.execute("SELECT state, COUNT(*) FROM notifications GROUP BY state").fetchall())
    finally:
        con.close()
    return alerts, outbox


def explain_misses(port, expected, alerts):
    """For each expected alert without a stored one: the scanner's candles around its window."""
    seen = {(a[0], a[1]) for a in alerts}
    lines = []
    for e in expected:
        if (e["security_id"], e["strategy"]) in seen:
            continue
        lo, hi = e["earliest"] - 19800 - 120, e["latest"] - 19800 + 60  # IST -> UTC seconds
        try:
            c = get_json(port, f"/api/candles/{e['segment']}/{e['security_id']}?from={lo}&to={hi}")
        except (OSError, ValueError) as err:
            lines.append(f"  {e['security_id']}: no candles ({err})")
            continue
        if not c.get("candles"):
            held = get_json(port, f"/api/candles/{e['segment']}/{e['security_id']}").get("candles", [])
            span = (f"{datetime.datetime.fromtimestamp(held[0]['time'], IST):%d %H:%M} - "
                    f"{datetime.datetime.fromtimestamp(held[-1]['time'], IST):%d %H:%M}") if held else "-"
            lines.append(f"  {e['security_id']}: no candle in the window; the engine holds {len(held)} ({span})")
            continue
        lines_of = {k: {p["time"]: p["value"] for p in c.get(k, [])} for k in ("resistance", "ema_short", "ema_long")}
        for candle in c.get("candles", []):
            t = candle["time"]
            ist = datetime.datetime.fromtimestamp(t, IST).strftime("%H:%M")
            lines.append(f"  {e['security_id']} {ist} close {candle['close']:.2f} res {lines_of['resistance'].get(t)} "
                         f"ema {lines_of['ema_short'].get(t)}/{lines_of['ema_long'].get(t)} vol {candle['volume']}"
                         f"{' partial' if candle.get('partial') else ''}")
    return lines


def history_cache_figures(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        covered = con.execute("SELECT COUNT(*) FROM coverage").fetchone()[0]
        candles = con.execute("SELECT COUNT(*) FROM candles").fetchone()[0]
    finally:
        con.close()
    return integrity, covered, candles


def wait_until(t):
    while True:
        left = t - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.2))


def run(args):
    profile = PROFILES[args.profile]
    rng = random.Random(args.seed)
    print(f"soak {profile.name}: {profile.instruments} instruments, {profile.speed:g}x, "
          f"{profile.minutes} simulated minutes, {profile.kills} kill -9, seed {args.seed}", flush=True)
    binary = os.path.abspath(args.bin)
    workdir = tempfile.mkdtemp(prefix=f"fno-soak-{profile.name}-")
    master = os.path.join(workdir, "universe.csv")
    write_master(master, profile.instruments)
    ids = list(range(100000, 100000 + profile.instruments))  # write_master's security ids
    faults, kills, slots = plan(profile, rng)
    store_window = store_fault_window(slots, kills, profile.speed)
    scenario_path = os.path.join(workdir, "scenario.json")
    with open(scenario_path, "w") as f:
        json.dump(scenario(faults, slots, ids, profile.per_slot, rng), f)
    start = next_session_open(datetime.datetime.now(IST))
    telegram = FakeTelegram()
    sim = scanner = monitor = dash = None
    db = os.path.join(workdir, "alerts.db")
    locked = [db, db + "-wal"]
    problems, figures, diagnostics = [], {"kills": []}, []
    try:
        sim, urls, t0 = start_simulator(binary, workdir, master, scenario_path, profile, start)
        port = free_port()
        config = write_config(workdir, urls, port, telegram.port, master, profile)
        scanner = Scanner(binary, workdir, config, port)
        scanner.start()
        monitor = Monitor(scanner, profile.instruments)
        monitor.start()
        scanner.wait_streaming(profile.instruments, 60)
        figures["first_streaming_s"] = round(time.monotonic() - t0, 1)
        dash = SlowDashboardClient(port)
        events = [(t0 + k * 60 / profile.speed, "kill") for k in kills]
        if store_window:
            events += [(t0 + store_window[0] * 60 / profile.speed, "lock"),
                       (t0 + store_window[1] * 60 / profile.speed, "unlock")]
        end = t0 + profile.minutes * 60 / profile.speed
        for at, what in sorted(events):
            wait_until(at)
            if scanner.proc.poll() is not None:
                problems.append(f"scanner died (exit {scanner.proc.returncode}) before the {what}")
                break
            if what == "kill":
                scanner.proc.send_signal(signal.SIGKILL)
                scanner.proc.wait()
                killed = time.monotonic()
                scanner.start()
                back = scanner.wait_streaming(profile.instruments, 60)
                figures["kills"].append({"minute": round((killed - t0) * profile.speed / 60, 1),
                                         "streaming_again_s": round(back - killed, 2)})
                print(f"  kill -9 at simulated minute {figures['kills'][-1]['minute']}: streaming again after "
                      f"{back - killed:.1f} s", flush=True)
            elif what == "lock":
                ok, err = set_immutable(locked, True)
                if not ok:
                    print(f"  SKIP store fault: chattr +i refused here ({err}); the store stays writable",
                          flush=True)
                    store_window = None
            elif what == "unlock" and store_window:
                set_immutable(locked, False)
        wait_until(end)
        # Let the last candles close, the store and the outbox drain.
        time.sleep(3)
        alive = scanner.proc.poll() is None and scanner.status() is not None
        if not alive:
            problems.append("the scanner is not alive at the end")
        with urllib.request.urlopen(urls["status"], timeout=5) as r:
            sim_status = json.load(r)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            alerts, outbox = read_alerts(db)
            if not outbox.get("pending"):
                break
            time.sleep(0.5)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        diagnostics = explain_misses(port, sim_status["expected_alerts"], alerts)
        status = scanner.status() or {}
        figures["rss_hwm_mb_last_run"] = proc_status_mb(scanner.proc.pid, "VmHWM")
        if alive:
            stop(scanner.proc, signal.SIGTERM)
        if alive and scanner.proc.returncode != 0:
            problems.append(f"SIGTERM exit code {scanner.proc.returncode}")
    finally:
        set_immutable(locked, False)
        if monitor:
            monitor.stop_flag.set()
        if dash:
            dash.close()
        if scanner and scanner.proc:
            stop(scanner.proc, signal.SIGKILL)
        if sim:
            stop(sim, signal.SIGINT)
        telegram.close()

    expected = sim_status["expected_alerts"]
    alerts, outbox = read_alerts(db)
    truth = check_ground_truth(expected, [(a[0], a[1], a[2]) for a in alerts])
    problems += truth
    if truth and diagnostics:
        print("what the scanner saw for the missed breakouts (candle start IST, close, resistance, EMAs, volume):")
        print("\n".join(diagnostics))
    figures["alerts"] = len(alerts)
    figures["expected"] = len(expected)
    figures["outbox"] = outbox
    if outbox.get("pending") or outbox.get("failed"):
        problems.append(f"Telegram outbox not drained: {outbox}")
    texts = "\n".join(telegram.messages())
    figures["telegram_messages"] = len(telegram.messages())
    missing = [a[3] for a in alerts if a[3] not in texts]
    if missing:
        problems.append(f"{len(missing)} alert(s) never reached Telegram, e.g. {missing[:3]}")
    reconnect_problems, reconnects = check_reconnects([(m, s) for m, s, _ in faults], monitor.samples, t0,
                                                      profile.speed, profile.budget_backoff)
    problems += reconnect_problems
    figures["recoveries"] = reconnects
    figures["sim_counters"] = sim_status["counters"]
    integrity, covered, candles = history_cache_figures(os.path.join(workdir, "history_cache.db"))
    figures["history_cache"] = {"integrity": integrity, "instruments": covered, "candles": candles}
    if integrity != "ok" or covered != profile.instruments:
        problems.append(f"history cache: integrity {integrity}, {covered} of {profile.instruments} instruments")
    if store_window:
        degraded = [s for s in monitor.samples if s[4]]
        figures["store_degraded_s"] = round(len(degraded) * 0.25, 1)
        if not degraded:
            problems.append("the store never reported degraded while its files were immutable")
        if status.get("store", {}).get("degraded"):
            problems.append("the store is still degraded at the end")
    push = {m.group(1): int(m.group(2))
            for m in re.finditer(r'fno_web_push_drops_total\{reason="(\w+)"\} (\d+)', metrics)}
    figures["dashboard_push_drops"] = push
    if sum(push.values()) == 0:
        problems.append("the never-reading dashboard client got everything: no push backpressure seen")
    rss_problems, figures["rss"] = check_rss(monitor.rss)
    problems += rss_problems
    figures["feed_drops"] = status.get("feed", {}).get("drops")
    figures["reconnects_last_run"] = status.get("feed", {}).get("reconnects")
    figures["wall_seconds"] = round(time.monotonic() - t0, 1)

    print(json.dumps(figures, indent=1))
    if args.keep or problems:
        print(f"work directory kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        print(f"SOAK FAILED ({len(problems)}):\n  " + "\n  ".join(problems[:50]))
        return 1
    print(f"soak {profile.name} passed: {len(alerts)} alerts = {len(expected)} scripted breakouts, "
          f"{len(figures['kills'])} kill -9 recovered, {len(reconnects)} feed recoveries in bounds")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="build/release/fno-scanner")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, databases)")
    parser.add_argument("--selftest", action="store_true", help="run the checks against good and bad data only")
    args = parser.parse_args()
    if args.selftest:
        selftest()
        return 0
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is not an executable; build it first (make build)")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
