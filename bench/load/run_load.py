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
  resident peak              (VmHWM from /proc/PID/status, whole run)
  packets decoded, packets/s (feed.packets in /api/status)
  drops                      (feed drops + engine/store queue drops)
With --wrk it then runs wrk on /api/status and /api/scanner while the feed
keeps flowing, and reports requests/s, p99 and the feed drops during wrk.
wrk uses a fixed number of connections as fast as they go (it has no
fixed-rate mode; that is wrk2), so p99 is measured at wrk's own rate.

usage: bench/load/run_load.py --bin build/release/fno-scanner --instruments 25000
                              [--duration 60] [--wrk] [--json OUT]
"""
import argparse
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


def start_simulator(binary, master, workdir, ticks_per_second):
    scenario = os.path.join(workdir, "scenario.json")
    with open(scenario, "w") as f:
        json.dump({"steps": []}, f)
    return launch_simulator(binary, workdir, ["--tls", "--always-open", "--instruments", master,
                                              "--scenario", scenario, "--ticks-per-second", str(ticks_per_second)])


def write_config(workdir, urls, web_port, master):
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
    path = os.path.join(workdir, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def get_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.load(r)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


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
    sim0 = cpu_seconds(sim_pid)
    time.sleep(duration)
    s1, c1, t1 = get_json(port, "/api/status"), cpu_seconds(pid), time.monotonic()
    wall = t1 - t0
    packets = s1["feed"]["packets"] - s0["feed"]["packets"]
    return {
        "seconds": wall,
        "cpu_percent": 100.0 * (c1 - c0) / wall,
        # A simulator near 100 % is the bottleneck (one thread encodes, encrypts and writes every frame).
        "simulator_cpu_percent": 100.0 * (cpu_seconds(sim_pid) - sim0) / wall,
        "packets_decoded": packets,
        "packets_per_second": packets / wall,
        "drops": drops(s1),
        "drops_during_measurement": drops(s1) - drops(s0),
        "drops_by_queue": drop_counts(s1),
        "reconnects": s1["feed"]["reconnects"],
        "connections": len(s1["feed"]["connections"]),
        "market_open": s1["market"]["open"],
        "push_drops": s1.get("queues", {}).get("push_drops"),
    }


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
        # The web server shares the network thread with the feed: a slow route shows up here.
        packets = get_json(port, "/api/status")["feed"]["packets"] - packets0
        out["paths"][path]["feed_packets_per_second"] = packets / (time.monotonic() - t0)
    after = get_json(port, "/api/status")
    out["drops"] = drops(after) - drops(before)
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
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after subscription before measuring")
    parser.add_argument("--wrk", action="store_true", help="also run wrk on /api/status and /api/scanner")
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--wrk-connections", type=int, default=10)
    parser.add_argument("--json", help="write the figures here for bench/summary.py")
    parser.add_argument("--wrk-json", help="write the wrk figures here for bench/summary.py")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, config)")
    args = parser.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is not an executable; build it first (make build)")
    binary = os.path.abspath(args.bin)
    workdir = tempfile.mkdtemp(prefix=f"fno-load-{args.instruments}-")
    master = os.path.join(workdir, "universe.csv")
    write_master(master, args.instruments)
    sim, urls = start_simulator(binary, master, workdir, args.ticks_per_second)
    scanner = None
    try:
        port = free_port()
        config = write_config(workdir, urls, port, master)
        with open(os.path.join(workdir, "scanner.out"), "w") as out:
            scanner = subprocess.Popen([binary, "--live", "--config", config], cwd=workdir, stdout=out,
                                       stderr=subprocess.STDOUT, env={**os.environ, **FAKE_ENV})
        started = time.monotonic()
        wait_streaming(port, args.instruments, scanner, timeout=120)
        subscribed_after = time.monotonic() - started
        time.sleep(args.settle)
        result = {"instruments": args.instruments, "ticks_per_second": args.ticks_per_second,
                  "subscribed_after_seconds": subscribed_after, **measure(scanner.pid, sim.pid, port, args.duration)}
        wrk = run_wrk(port, args.wrk_seconds, args.wrk_connections) if args.wrk else None
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
    print(f"  simulator CPU {result['simulator_cpu_percent']:.1f} % of one core")
    print(f"  scanner CPU {result['cpu_percent']:.1f} % of one core, VmHWM {result['rss_hwm_mb']:.1f} MB, "
          f"{result['packets_decoded']:,} packets ({result['packets_per_second']:,.0f}/s), "
          f"drops {result['drops']} ({result['drops_during_measurement']} while measuring; "
          f"{', '.join(f'{k} {v}' for k, v in result['drops_by_queue'].items())}), reconnects {result['reconnects']}")
    if wrk:
        for path, r in wrk["paths"].items():
            print(f"  wrk {path}: {r['requests_per_second']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, "
                  f"p99 {r['p99_ms']:.2f} ms, non-2xx {r['non_2xx']}, "
                  f"feed meanwhile {r['feed_packets_per_second']:,.0f} packets/s")
        print(f"  feed drops during wrk: {wrk['drops']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    if wrk and args.wrk_json:
        with open(args.wrk_json, "w") as f:
            json.dump(wrk, f)


if __name__ == "__main__":
    main()
