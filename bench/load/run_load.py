#!/usr/bin/env python3
"""End-to-end load: simulator -> wss feed connections -> the real fno-scanner.

Generates a compact instrument master of N NSE_FNO near-month futures (one
per synthetic underlying, so the default universe selects all of them),
starts `fno-scanner sim` over TLS serving it at 5 trades per instrument per
second, then the real binary in live mode pointed at the simulator (feed,
master and CA from the simulator; web server and alert store on; history
warm-up off because the simulator's REST side is rate-limited to Dhan's
5 req/s). Once every instrument is subscribed and data flows it measures,
over --duration seconds:
  scanner CPU % of one core  (utime+stime from /proc/PID/stat)
  engine thread CPU          (the thread named fno-engine, /proc/PID/task/*/stat),
                             also per packet: issue 13's engine-thread budget
  resident peak              (VmHWM from /proc/PID/status, whole run)
  packets decoded, packets/s (feed.packets in /api/status)
  drops                      (feed drops + engine/store queue drops)
With --wrk it then runs wrk on /api/status and /api/scanner while the feed
keeps flowing, and reports requests/s, p99 and the feed drops during wrk.
wrk uses a fixed number of connections as fast as they go (it has no
fixed-rate mode; that is wrk2), so p99 is measured at wrk's own rate.
With --rate R it also drives /api/status open-loop at R requests/s, then
/api/scanner (25,000 rows: 500 per answer) at --scanner-rate
(bench/load/http_rate.cpp, built as fno_http_rate next to the benchmarks:
latency from each request's scheduled send time, so queueing counts) and
reports p50/p99/p999, the achieved rate and the feed drops.

With --latency it measures signal latency instead: the scenario drives
--breakouts-per-minute scripted breakouts on distinct instruments in each of
--latency-minutes minutes (after a warm-up), a WebSocket client on /ws
timestamps every alert as it arrives, and the simulator's send log
(`sim --send-log`) says when it sent each scripted instrument's first packet
of the next minute: the packet that closes the breakout candle in the
scanner. Latency = alert arrival on /ws - that send time, both on this
machine's system clock (p50/p99/p999 over all scripted alerts). Breakouts
whose alert has no such packet (the candle closed by the scanner's timer) or
never came are counted apart. The strategies run with a short warm-up
(lookback 3, EMA 2/3, volume factor 2, ema_cross and volume_spike off) so
they are ready after a few live minutes without history, and random-walk
candles rarely alert.

usage: bench/load/run_load.py --bin build/release/fno-scanner --instruments 25000
                              [--duration 60] [--wrk] [--rate 1000] [--json OUT]
       bench/load/run_load.py --latency --instruments 5000 [--latency-minutes 5]
                              [--breakouts-per-minute 200] [--json OUT]
"""
import argparse
import base64
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HEADER = ("SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,"
          "SEM_TRADING_SYMBOL,SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,"
          "SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME")
FIRST_SECURITY_ID = 100000
# Obviously fake credentials: the simulator accepts any non-empty pair.
FAKE_ENV = {"DHAN_CLIENT_ID": "LOADTEST", "DHAN_ACCESS_TOKEN": "fake-load-test-token"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def underlying_name(i):
    """AAAAA, AAAAB, ...: letters only, like real NSE symbols, never a test marker."""
    name = ""
    for _ in range(5):
        name = chr(ord("A") + i % 26) + name
        i //= 26
    return "LD" + name


def write_master(path, instruments):
    expiry = datetime.date.today() + datetime.timedelta(days=30)
    month = expiry.strftime("%b")
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for i in range(instruments):
            name = underlying_name(i)
            f.write(f"NSE,D,{FIRST_SECURITY_ID + i},FUTSTK,0,{name}-{month}{expiry.year}-FUT,250,"
                    f"{name} {month.upper()} FUT,{expiry:%Y-%m-%d} 14:30:00,-0.01000,XX,5.0000,M,FUT,,\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_simulator(binary, workdir, args):
    """Starts `fno-scanner sim --port 0 ARGS` (log in workdir/sim.log) and waits for where it
    listens; returns (process, {"feed", "rest", "master", "status"[, "ca"]: URL})."""
    log = open(os.path.join(workdir, "sim.log"), "w")
    proc = subprocess.Popen([binary, "sim", "--port", "0", *args], stdout=subprocess.PIPE, stderr=log, text=True,
                            cwd=workdir, env={**os.environ, **FAKE_ENV})
    # It prints where it listens, then "Ctrl-C to stop"; a stuck start is killed.
    watchdog = threading.Timer(30, proc.kill)
    watchdog.start()
    urls = {}
    for line in proc.stdout:
        m = re.match(r"\s*(feed|rest|master|status|ca):\s+(\S+)", line)
        if m:
            urls[m.group(1)] = m.group(2)
        if line.startswith("Ctrl-C"):
            break
    watchdog.cancel()
    if "status" not in urls or proc.poll() is not None:
        proc.kill()
        sys.exit(f"simulator did not start; see {workdir}/sim.log")
    urls["feed"] = urls["feed"].split("/?")[0]
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # never block it on a full pipe
    return proc, urls


def start_simulator(binary, master, workdir, ticks_per_second, step_ms, steps=(), send_log=None, socket_flags=()):
    scenario = os.path.join(workdir, "scenario.json")
    with open(scenario, "w") as f:
        json.dump({"steps": list(steps)}, f)
    extra = ["--send-log", send_log] if send_log else []
    step = ["--step-ms", str(step_ms)] if step_ms != 100 else []  # builds before --step-ms run the default
    step += list(socket_flags)  # --nagle, --coalesce-writes
    return launch_simulator(binary, workdir, ["--tls", "--always-open", "--instruments", master,
                                              "--scenario", scenario, "--ticks-per-second", str(ticks_per_second),
                                              *step, *extra])


def write_config(workdir, urls, web_port, master, latency=False):
    # Live mode verifies the master download against the system store only
    # (feed.ca_file covers the feed), so the master goes in as the cache the
    # scanner falls back to when the download from the simulator is refused.
    cache = os.path.join(workdir, "master-cache.csv")
    shutil.copyfile(master, cache)
    config = {
        "hist_days": 0,
        "web": {"bind": "127.0.0.1", "port": web_port},
        "feed": {"url": urls["feed"], "ca_file": urls["ca"]},
        "instruments": {"url": urls["master"], "cache_path": cache},
        "db_path": os.path.join(workdir, "alerts.db"),
        "log_dir": workdir,
        "log_level": "warn",
        # The simulator trades around the clock; so does the scanner's session here.
        "market": {"holidays": [], "sessions": {"NSE_FNO": ["00:00", "23:59"]}},
    }
    if latency:
        config.update(LATENCY_STRATEGIES)
    path = os.path.join(workdir, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


# Ready after three closed live candles; random-walk candles seldom trade 2x
# their average volume, a scripted breakout (4x volume for 40 s) does.
LATENCY_STRATEGIES = {"lookback": 3, "ema_short": 2, "ema_long": 3, "volume_factor": 2.0, "price_threshold": 1,
                      "strategies": {"ema_cross": {"enabled": False}, "volume_spike": {"enabled": False}}}
LATENCY_WARMUP_MINUTES = 4  # whole minutes after the simulator starts: subscription, partial minute, warm-up


def latency_steps(instruments, minutes, per_minute, sim_start):
    """Breakout steps 15 s into whole minutes (a breakout must be driven inside
    a complete candle), distinct instruments, spread over the universe."""
    first = (60 - sim_start % 60) + 15 + 60 * LATENCY_WARMUP_MINUTES
    stride = max(1, instruments // max(1, minutes * per_minute))
    steps = []
    for m in range(minutes):
        for j in range(per_minute):
            n = (m * per_minute + j) * stride % instruments
            steps.append({"at": first + 60 * m, "action": "breakout", "segment": "NSE_FNO",
                          "security_id": str(FIRST_SECURITY_ID + n), "volume_multiplier": 4})
    return steps, first + 60 * minutes


class PushClient:
    """Minimal RFC 6455 client for the scanner's /ws (plain ws on loopback):
    records the arrival time of every alert; rows, snapshots and status
    frames are read and dropped without parsing. Like a dashboard, it makes
    the scanner serialise and push rows (hub and web thread work that an
    alert may queue behind)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                sys.exit("/ws closed during the handshake")
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            sys.exit(f"/ws refused the upgrade: {head[:200]!r}")
        self.buf = bytearray(rest)
        self.alerts = []  # (arrival unix µs, alert)
        self.messages = 0
        self.payload_bytes = 0   # every data frame's payload: what the scanner pushed
        self.largest_message = 0  # bytes, snapshots aside: what an alert may have waited behind
        self.stopped = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def send_text(self, text):
        payload, mask = text.encode(), os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    def run(self):
        self.sock.settimeout(1.0)
        message, kind, size, last_ping = None, None, 0, time.monotonic()
        while not self.stopped:
            if time.monotonic() - last_ping > 20:  # the server closes a client silent for minutes
                self.send_text('{"type":"ping"}')
                last_ping = time.monotonic()
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            arrival_us = time.time_ns() // 1000
            self.buf += chunk
            at = 0
            while True:
                frame = self.parse_frame(at)
                if frame is None:
                    break
                at, opcode, fin, start = frame
                if opcode in (0x1, 0x2):
                    kind = ("alert" if self.buf.startswith(b'{"type":"alert"', start) else
                            "snapshot" if self.buf.startswith(b'{"type":"snapshot"', start) else "other")
                    message = bytearray()
                if opcode in (0x0, 0x1, 0x2):
                    size += at - start
                if kind == "alert" and opcode in (0x0, 0x1, 0x2):
                    message += self.buf[start:at]
                if fin and opcode in (0x0, 0x1, 0x2):
                    self.messages += 1
                    self.payload_bytes += size
                    if kind != "snapshot":
                        self.largest_message = max(self.largest_message, size)
                    size = 0
                    if kind == "alert":
                        self.alerts.append((arrival_us, json.loads(message)["data"]))
                    message, kind = None, None
            del self.buf[:at]

    def parse_frame(self, at):
        buf = self.buf
        if len(buf) - at < 2:
            return None
        fin, opcode, length, head = buf[at] & 0x80, buf[at] & 0x0F, buf[at + 1] & 0x7F, 2
        if length == 126:
            if len(buf) - at < 4:
                return None
            length, head = int.from_bytes(buf[at + 2:at + 4], "big"), 4
        elif length == 127:
            if len(buf) - at < 10:
                return None
            length, head = int.from_bytes(buf[at + 2:at + 10], "big"), 10
        if len(buf) - at < head + length:
            return None
        start = at + head
        return start + length, opcode, fin, start

    def close(self):
        self.stopped = True
        self.thread.join(timeout=5)
        self.sock.close()


def percentile(sorted_values, p):
    """Nearest rank."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def latency_figures(steps, alerts, send_log_path):
    sent, stepped = {}, {}
    with open(send_log_path) as f:
        for line in f:
            e = json.loads(line)
            sent[(e["security_id"], e["minute_ms"])] = e["sent_us"]
            # Simulators before stepped_us stamped the step only, as sent_us.
            stepped[(e["security_id"], e["minute_ms"])] = e.get("stepped_us", e["sent_us"])
    scripted = {int(s["security_id"]) for s in steps}
    latencies, from_step, to_alert, to_client, timer_closed, matched = [], [], [], [], 0, set()
    for arrival_us, alert in alerts:
        if alert["strategy"] != "breakout" or alert["security_id"] not in scripted:
            continue
        matched.add(alert["security_id"])
        closing_key = (alert["security_id"], alert["candle_time_ms"] + 60_000)  # the next minute's first packet
        closing = sent.get(closing_key)
        if closing is None or closing > arrival_us:
            timer_closed += 1  # no packet of the next minute before the alert: closed by the timer
            continue
        latencies.append((arrival_us - closing) / 1000.0)
        from_step.append((arrival_us - stepped[closing_key]) / 1000.0)
        # created_ms: when the scanner's alert service took the signal (engine thread), in whole ms.
        to_alert.append(alert["created_ms"] - closing / 1000.0)
        to_client.append(arrival_us / 1000.0 - alert["created_ms"])
    latencies.sort()
    from_step.sort()
    to_alert.sort()
    to_client.sort()
    return {
        "definition": "alert arrival on a /ws client - when the simulator began writing the frame holding the "
                      "first packet of the minute after the breakout candle (the packet that closes it)",
        "scripted_breakouts": len(steps),
        "samples": len(latencies),
        "timer_closed": timer_closed,
        "missing": len(scripted - matched),
        "unscripted_alerts": sum(1 for _, a in alerts if a["security_id"] not in scripted),
        "latency_ms": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                       "p999": percentile(latencies, 99.9), "max": latencies[-1] if latencies else None},
        # From the market step instead: adds the packet's wait behind its step's earlier frames in the simulator.
        "latency_from_step_ms": {"p50": percentile(from_step, 50), "p99": percentile(from_step, 99)},
        # The same split at the alert's creation (1 ms resolution): feed + engine, then store + hub + /ws.
        "packet_to_alert_ms": {"p50": percentile(to_alert, 50), "p99": percentile(to_alert, 99)},
        "alert_to_client_ms": {"p50": percentile(to_client, 50), "p99": percentile(to_client, 99)},
    }


def get_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.load(r)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def thread_cpu_seconds(pid, name):
    """utime+stime of the threads of `pid` named `name`; None when there is none
    (a binary from before the engine thread was named)."""
    total, found = 0.0, False
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                if f.read().strip() != name:
                    continue
            total += cpu_seconds(f"{pid}/task/{task}")
            found = True
        except OSError:
            pass  # the thread ended meanwhile
    return total if found else None


def context_switches(pid):
    """Voluntary + involuntary context switches of every thread of `pid`
    (a thread that sleeps on each packet and is woken for the next costs two)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                total += sum(int(line.split()[1]) for line in f if "ctxt_switches:" in line)
        except OSError:
            pass  # the thread ended meanwhile
    return total


def proc_status_mb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return None


def drop_counts(status):
    """Feed and bounded-queue drops by name; push_drops is left out because the
    web push counts coalesced (superseded) row updates there, by design."""
    counts = {"feed": status["feed"]["drops"]}  # also queues.feed_drops
    for name, value in status.get("queues", {}).items():
        if name.endswith("_drops") and name != "push_drops":
            counts[name[:-len("_drops")]] = value
    return counts


def drops(status):
    """Each lost item once: "engine" counts the same ring-full refusals as "feed"."""
    return sum(v for k, v in drop_counts(status).items() if k != "engine")


def wait_streaming(port, instruments, proc, timeout):
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"fno-scanner exited with {proc.returncode}")
        try:
            last = get_json(port, "/api/status")
            conns = last["feed"]["connections"]
            subscribed = sum(c["instruments"] for c in conns if c["state"] == "streaming")
            if subscribed >= instruments and all(c["packets"] > 0 for c in conns):
                return last
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    sys.exit(f"feed not streaming all {instruments} instruments after {timeout} s; last status: {last}")


def measure(pid, sim_pid, port, duration):
    s0, c0, t0 = get_json(port, "/api/status"), cpu_seconds(pid), time.monotonic()
    sim0, x0, e0 = cpu_seconds(sim_pid), context_switches(pid), thread_cpu_seconds(pid, "fno-engine")
    time.sleep(duration)
    s1, c1, t1 = get_json(port, "/api/status"), cpu_seconds(pid), time.monotonic()
    e1 = thread_cpu_seconds(pid, "fno-engine")
    switches = context_switches(pid) - x0
    wall = t1 - t0
    packets = s1["feed"]["packets"] - s0["feed"]["packets"]
    return {
        "seconds": wall,
        "cpu_percent": 100.0 * (c1 - c0) / wall,
        "cpu_us_per_packet": 1e6 * (c1 - c0) / max(packets, 1),
        "engine_cpu_percent": 100.0 * (e1 - e0) / wall if e0 is not None and e1 is not None else None,
        "engine_cpu_us_per_packet": 1e6 * (e1 - e0) / max(packets, 1) if e0 is not None and e1 is not None else None,
        # A simulator near 100 % is the bottleneck (one thread encodes, encrypts and writes every frame).
        "simulator_cpu_percent": 100.0 * (cpu_seconds(sim_pid) - sim0) / wall,
        "packets_decoded": packets,
        "packets_per_second": packets / wall,
        "context_switches_per_1000_packets": 1000.0 * switches / max(packets, 1),
        "drops": drops(s1),
        "drops_during_measurement": drops(s1) - drops(s0),
        "drops_by_queue": drop_counts(s1),
        "reconnects": s1["feed"]["reconnects"],
        "connections": len(s1["feed"]["connections"]),
        "market_open": s1["market"]["open"],
        "push_drops": s1.get("queues", {}).get("push_drops"),
    }


def measure_latency(pid, sim_pid, port, steps, until, send_log):
    """Runs a /ws client until `until` (monotonic): every scripted candle has closed and alerted by then."""
    client = PushClient(port)
    result = measure(pid, sim_pid, port, max(0.0, until - time.monotonic()))
    client.close()
    return {**result, "ws_messages": client.messages, "ws_bytes": client.payload_bytes,
            "ws_largest_message_bytes": client.largest_message, **latency_figures(steps, client.alerts, send_log)}


def parse_wrk(text):
    def ms(value, unit):
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    p50 = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if not (p99 and rps):
        sys.exit("cannot parse wrk output:\n" + text)
    return {"requests_per_second": float(rps.group(1)), "p50_ms": ms(*p50.groups()), "p99_ms": ms(*p99.groups()),
            "non_2xx": int(errors.group(1)) if errors else 0}


def run_wrk(port, seconds, connections):
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: scripts/bootstrap.sh --bench")
    before = get_json(port, "/api/status")
    out = {"paths": {}, "connections": connections, "seconds": seconds}
    for path in ("/api/status", "/api/scanner"):
        packets0, t0 = get_json(port, "/api/status")["feed"]["packets"], time.monotonic()
        text = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                               f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True).stdout
        out["paths"][path] = parse_wrk(text)
        # The web server shares the machine's cores with the feed: a slow route shows up here.
        packets = get_json(port, "/api/status")["feed"]["packets"] - packets0
        out["paths"][path]["feed_packets_per_second"] = packets / (time.monotonic() - t0)
    after = get_json(port, "/api/status")
    out["drops"] = drops(after) - drops(before)
    return out


def run_rate(port, http_rate, rates, seconds):
    """Open-loop fixed-rate load per path ({path: req/s}); the feed drops over the whole run."""
    before = get_json(port, "/api/status")
    out = {"paths": {}, "seconds": seconds}
    for path, rate in rates.items():
        status0, t0 = get_json(port, "/api/status"), time.monotonic()
        packets0 = status0["feed"]["packets"]
        text = subprocess.run([http_rate, "--url", f"http://127.0.0.1:{port}{path}", "--rate", str(rate),
                               "--seconds", str(seconds)], check=True, capture_output=True, text=True,
                              timeout=seconds + 30).stdout
        out["paths"][path] = json.loads(text)
        status1 = get_json(port, "/api/status")
        out["paths"][path]["feed_packets_per_second"] = (status1["feed"]["packets"] - packets0) / (time.monotonic() - t0)
        out["paths"][path]["feed_drops"] = drops(status1) - drops(status0)
    out["drops"] = drops(get_json(port, "/api/status")) - drops(before)
    return out


def stop(proc, sig):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="build/release/fno-scanner")
    parser.add_argument("--instruments", type=int, default=500)
    parser.add_argument("--ticks-per-second", type=float, default=5.0, help="trades per instrument per second")
    parser.add_argument("--sim-step-ms", type=int, default=100,
                        help="simulator market step: each step's packets leave in one burst")
    parser.add_argument("--sim-nagle", action="store_true",
                        help="simulator feed sockets without TCP_NODELAY: frames coalesce into fewer TCP segments")
    parser.add_argument("--sim-coalesce", action="store_true",
                        help="simulator writes frames through one buffer: many frames per TLS record and segment")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after subscription before measuring")
    parser.add_argument("--wrk", action="store_true", help="also run wrk on /api/status and /api/scanner")
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--wrk-connections", type=int, default=10)
    parser.add_argument("--rate", type=float, help="also drive both paths open-loop at this many requests/s")
    parser.add_argument("--scanner-rate", type=float, default=100, help="/api/scanner requests/s with --rate")
    parser.add_argument("--rate-seconds", type=int, default=15)
    parser.add_argument("--http-rate", help="the fno_http_rate binary (default: BIN's directory/bench/)")
    parser.add_argument("--rate-json", help="write the fixed-rate figures here for bench/summary.py")
    parser.add_argument("--json", help="write the figures here for bench/summary.py")
    parser.add_argument("--wrk-json", help="write the wrk figures here for bench/summary.py")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, config)")
    parser.add_argument("--latency", action="store_true", help="measure packet-to-alert latency (see above)")
    parser.add_argument("--latency-minutes", type=int, default=5)
    parser.add_argument("--breakouts-per-minute", type=int, default=200)
    args = parser.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is not an executable; build it first (make build)")
    binary = os.path.abspath(args.bin)
    http_rate = args.http_rate or os.path.join(os.path.dirname(binary), "bench", "fno_http_rate")
    if args.rate and not os.access(http_rate, os.X_OK):
        sys.exit(f"{http_rate} is not an executable; build the fno_http_rate target first")
    workdir = tempfile.mkdtemp(prefix=f"fno-load-{args.instruments}-")
    master = os.path.join(workdir, "universe.csv")
    write_master(master, args.instruments)
    steps, steps_end, send_log = (), 0, None
    if args.latency:
        send_log = os.path.join(workdir, "send-log.jsonl")
        steps, steps_end = latency_steps(args.instruments, args.latency_minutes,
                                         min(args.breakouts_per_minute, args.instruments), int(time.time()))
    sim_started = time.monotonic()
    socket_flags = (["--nagle"] if args.sim_nagle else []) + (["--coalesce-writes"] if args.sim_coalesce else [])
    sim, urls = start_simulator(binary, master, workdir, args.ticks_per_second, args.sim_step_ms, steps, send_log,
                                socket_flags)
    scanner = None
    try:
        port = free_port()
        config = write_config(workdir, urls, port, master, args.latency)
        with open(os.path.join(workdir, "scanner.out"), "w") as out:
            scanner = subprocess.Popen([binary, "--live", "--config", config], cwd=workdir, stdout=out,
                                       stderr=subprocess.STDOUT, env={**os.environ, **FAKE_ENV})
        started = time.monotonic()
        wait_streaming(port, args.instruments, scanner, timeout=120)
        subscribed_after = time.monotonic() - started
        time.sleep(args.settle)
        result = {"instruments": args.instruments, "ticks_per_second": args.ticks_per_second,
                  "sim_step_ms": args.sim_step_ms,
                  "sim_nagle": args.sim_nagle,
                  "sim_coalesce": args.sim_coalesce,
                  "subscribed_after_seconds": subscribed_after}
        wrk = fixed = None
        if args.latency:
            result.update(measure_latency(scanner.pid, sim.pid, port, steps, sim_started + steps_end + 90, send_log))
        else:
            result.update(measure(scanner.pid, sim.pid, port, args.duration))
            wrk = run_wrk(port, args.wrk_seconds, args.wrk_connections) if args.wrk else None
            fixed = run_rate(port, http_rate, {"/api/status": args.rate, "/api/scanner": args.scanner_rate},
                             args.rate_seconds) if args.rate else None
        result["rss_hwm_mb"] = proc_status_mb(scanner.pid, "VmHWM")
        result["rss_mb"] = proc_status_mb(scanner.pid, "VmRSS")
        result["load_average"] = os.getloadavg()
    finally:
        if scanner:
            stop(scanner, signal.SIGTERM)
        stop(sim, signal.SIGINT)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{args.instruments:,} instruments x {args.ticks_per_second:g}/s over {result['connections']} wss "
          f"connections, {result['seconds']:.0f} s measured (load average {result['load_average'][0]:.2f}):")
    print(f"  simulator CPU {result['simulator_cpu_percent']:.1f} % of one core "
          f"({args.sim_step_ms} ms steps, {'Nagle on' if args.sim_nagle else 'TCP_NODELAY'}"
          f"{', frames coalesced' if args.sim_coalesce else ''})")
    if args.latency:
        lat = result["latency_ms"]
        fmt = lambda v: f"{v:.2f}" if v is not None else "-"
        print(f"  signal latency over {result['samples']} of {result['scripted_breakouts']} scripted breakouts: "
              f"p50 {fmt(lat['p50'])} ms, p99 {fmt(lat['p99'])} ms, p999 {fmt(lat['p999'])} ms, "
              f"max {fmt(lat['max'])} ms; timer-closed {result['timer_closed']}, missing {result['missing']}, "
              f"unscripted alerts {result['unscripted_alerts']}")
        step = result["latency_from_step_ms"]
        print(f"  from the market step (adds the simulator's own write queue): p50 {fmt(step['p50'])} / "
              f"p99 {fmt(step['p99'])} ms")
        split = (result["packet_to_alert_ms"], result["alert_to_client_ms"])
        print(f"  split at the alert's creation (1 ms resolution): packet -> alert p50 {fmt(split[0]['p50'])} / "
              f"p99 {fmt(split[0]['p99'])} ms, alert -> /ws client p50 {fmt(split[1]['p50'])} / "
              f"p99 {fmt(split[1]['p99'])} ms")
        print(f"  /ws client: {result['ws_messages']:,} messages, {result['ws_bytes'] / result['seconds'] / 1e3:,.0f} KB/s, "
              f"largest other than a snapshot {result['ws_largest_message_bytes'] / 1e3:,.0f} KB")
    print(f"  scanner CPU {result['cpu_percent']:.1f} % of one core, VmHWM {result['rss_hwm_mb']:.1f} MB, "
          f"{result['packets_decoded']:,} packets ({result['packets_per_second']:,.0f}/s), "
          f"drops {result['drops']} ({result['drops_during_measurement']} while measuring; "
          f"{', '.join(f'{k} {v}' for k, v in result['drops_by_queue'].items())}), reconnects {result['reconnects']}")
    print(f"  scanner CPU per packet {result['cpu_us_per_packet']:.2f} µs (all threads)")
    if result.get("engine_cpu_percent") is not None:
        print(f"  engine thread CPU {result['engine_cpu_percent']:.1f} % of one core, "
              f"{result['engine_cpu_us_per_packet']:.2f} µs per packet")
    print(f"  scanner context switches {result['context_switches_per_1000_packets']:.1f} per 1,000 packets")
    if wrk:
        for path, r in wrk["paths"].items():
            print(f"  wrk {path}: {r['requests_per_second']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, "
                  f"p99 {r['p99_ms']:.2f} ms, non-2xx {r['non_2xx']}, "
                  f"feed meanwhile {r['feed_packets_per_second']:,.0f} packets/s")
        print(f"  feed drops during wrk: {wrk['drops']}")
    if fixed:
        for path, r in fixed["paths"].items():
            print(f"  {r['rate']:g} req/s open-loop {path}: {r['achieved_rps']:,.0f} req/s answered, "
                  f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, p999 {r['p999_ms']} ms, max {r['max_ms']} ms, "
                  f"non-2xx {r['non_2xx']}, errors {r['errors']}, timeouts {r['timeouts']}, "
                  f"feed meanwhile {r['feed_packets_per_second']:,.0f} packets/s, {r['feed_drops']} drops")
        print(f"  feed drops during the fixed-rate runs: {fixed['drops']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    if wrk and args.wrk_json:
        with open(args.wrk_json, "w") as f:
            json.dump(wrk, f)
    if fixed and args.rate_json:
        with open(args.rate_json, "w") as f:
            json.dump(fixed, f)


if __name__ == "__main__":
    main()
