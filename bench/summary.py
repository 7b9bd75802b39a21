#!/usr/bin/env python3
"""Prints the one summary table of `make bench`: figure, value, unit, target, pass.

Reads what the bench run left in RESULTS_DIR:
  fno_bench_<suite>.json   Google Benchmark --benchmark_out (JSON) per suite
  decode_ratio.json        bench/reference/dhan_decode.py --json
  master_ratio.json        bench/reference/parse_master.py --json
  instructions.json        bench/instructions.py --json (callgrind)
  load_<n>.json            bench/load/run_load.py --json, one per scenario
  latency_<n>.json         bench/load/run_load.py --latency --json
  wrk.json                 bench/load/run_load.py --wrk --wrk-json
  rate.json                bench/load/run_load.py --rate --rate-json (open-loop, fixed rate)
A missing input shows as "-" / "not run" instead of failing the table, so a
partial run (one suite, no wrk) still prints what it measured. --markdown
prints the same table for docs/PERFORMANCE.md. Exit status 0 unless
--strict and a measured figure misses its target.

usage: bench/summary.py RESULTS_DIR [--markdown] [--strict]
"""
import argparse
import glob
import json
import os
import sys


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def base_name(name):
    """BM_X/20000/real_time, BM_Y/iterations:3 -> BM_X/20000, BM_Y: run options are not part of the name."""
    return "/".join(p for p in name.split("/") if ":" not in p and p != "real_time")


def gbench(results, suite, name):
    """One benchmark's entry by its name without run options."""
    data = load_json(os.path.join(results, f"fno_bench_{suite}.json"))
    if not data:
        return None
    for run in data.get("benchmarks", []):
        if run.get("run_type", "iteration") == "iteration" and base_name(run["name"]) == name:
            return run
    return None


def ms(run):
    """CPU time: on a shared, loaded machine wall time mostly measures the other processes."""
    return run["cpu_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[run["time_unit"]]


def worst_search_ms(results):
    data = load_json(os.path.join(results, "fno_bench_instruments.json"))
    runs = [r for r in (data or {}).get("benchmarks", []) if r["name"].startswith("BM_SearchQuery250k/")]
    return max(ms(r) for r in runs) if runs else None


def field(results, file, *keys):
    data = load_json(os.path.join(results, file))
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def counter(results, suite, name, key):
    run = gbench(results, suite, name)
    return run.get(key) if run else None


def scaled(value, factor):
    """Inverted rate counters are stored in seconds per item."""
    return value * factor if value is not None else None


def figures(results):
    """(figure, value or None, unit, target text, predicate) rows, in table order."""
    le = lambda limit: (lambda v: v <= limit)
    ge = lambda limit: (lambda v: v >= limit)
    lt = lambda limit: (lambda v: v < limit)
    rows = [
        ("decode, quote frames", counter(results, "codec", "BM_DecodeQuoteFrames", "items_per_second"),
         "packets/s", ">= 50M", ge(50e6)),
        ("decode, instructions per quote packet", field(results, "instructions.json", "decode_quote", "per_packet"),
         "instructions", "-", None),
        ("decode, instructions per mixed packet", field(results, "instructions.json", "decode_mixed", "per_packet"),
         "instructions", "-", None),
        ("decode, mixed 1M-packet file", scaled(counter(results, "codec", "BM_DecodeMixedFile", "ns/packet"), 1e9),
         "ns/packet", "-", None),
        ("decode vs Python struct.unpack", field(results, "decode_ratio.json", "ratio"), "x", ">= 100x", ge(100)),
        ("master parse, 250k rows", (lambda r: ms(r) if r else None)(gbench(results, "instruments",
                                                                           "BM_ParseMaster250k")),
         "ms cpu", "< 200", lt(200)),
        ("master parse, resident growth", counter(results, "instruments", "BM_ParseMaster250k", "rss_growth_MB"),
         "MB", "< 40", lt(40)),
        ("master parse vs Python DictReader", field(results, "master_ratio.json", "ratio"), "x", ">= 10x", ge(10)),
        ("instrument search, worst query", worst_search_ms(results), "ms cpu", "< 1", lt(1)),
        ("engine, 25k instruments", counter(results, "engine", "BM_EngineMixedStream", "items_per_second"),
         "packets/s", ">= 2M", ge(2e6)),
        ("engine, instructions per packet", field(results, "instructions.json", "engine", "per_packet"),
         "instructions", "-", None),
        ("engine memory per instrument", counter(results, "engine", "BM_EngineMixedStream",
                                                 "bytes_per_instrument"), "bytes", "<= 20480", le(20480)),
        ("engine memory per instrument, full series", counter(results, "engine", "BM_EngineSessionMemory",
                                                              "bytes_per_instrument"), "bytes", "-", None),
        ("alert inserts", counter(results, "alerts", "BM_InsertThroughput/20000", "items_per_second"),
         "alerts/s", "-", None),
        ("alerts CSV export, 1M rows", (lambda r: ms(r) if r else None)(gbench(results, "alerts",
                                                                               "BM_CsvExport1M")),
         "ms cpu", "-", None),
        ("history warm-up vs 5 req/s bound", counter(results, "history", "BM_HistoryWarmUp",
                                                     "vs_bound_pct"), "%", "<= 5", le(5)),
        ("history warm-up errors", counter(results, "history", "BM_HistoryWarmUp", "errors"),
         "count", "0", le(0)),
    ]
    rows += load_rows(results)
    rows += latency_rows(results)
    rows += http_load_rows(results, "wrk.json", wrk_path_rows, "wrk: feed drops during the run")
    rows += http_load_rows(results, "rate.json", rate_path_rows, "open-loop: feed drops during the run")
    return rows


def load_rows(results):
    rows = []
    def order(path):  # load_<n>[_<variant>].json: by n, the variants after the plain run
        stem = os.path.basename(path)[5:-5]
        n, _, variant = stem.partition("_")
        return (int(n) if n.isdigit() else 0, variant)
    paths = sorted(glob.glob(os.path.join(results, "load_*.json")), key=order)
    for path in paths:
        run = load_json(path) or {}
        n = run.get("instruments", 0)
        # Issue 13 sets RSS targets for 500 and 25,000 instruments only.
        rss_limit = {500: 64, 25000: 512}.get(n)
        name = f"{n:,}, coalesced" if run.get("sim_coalesce") else f"{n:,}"
        rows += [
            (f"load {name}: simulator CPU", run.get("simulator_cpu_percent"), "% of a core", "-", None),
            (f"load {name}: scanner CPU", run.get("cpu_percent"), "% of a core", "< 25" if n >= 25000 else "-",
             (lambda v: v < 25) if n >= 25000 else None),
            (f"load {name}: scanner RSS (VmHWM)", run.get("rss_hwm_mb"), "MB", f"<= {rss_limit}" if rss_limit else "-",
             (lambda v, limit=rss_limit: v <= limit) if rss_limit else None),
            (f"load {name}: packets decoded", run.get("packets_decoded"), "packets", "-", None),
            (f"load {name}: packets/s received", run.get("packets_per_second"), "packets/s",
             f"~{5 * n:,}", None),
            (f"load {name}: drops", run.get("drops"), "count", "0", lambda v: v == 0),
        ]
    return rows


def latency_rows(results):
    """Issue 7: packet-to-signal latency, p99 under 1-2 ms (bench/load/run_load.py --latency)."""
    rows = []
    for path in sorted(glob.glob(os.path.join(results, "latency_*.json"))):
        run = load_json(path) or {}
        n = run.get("instruments", 0)
        lat = run.get("latency_ms") or {}
        rows += [
            (f"latency {n:,}: samples (timer-closed, missing)",
             f"{run.get('samples', 0)} of {run.get('scripted_breakouts', 0)} "
             f"({run.get('timer_closed', 0)}, {run.get('missing', 0)})", "alerts", "-", None),
            (f"latency {n:,}: packet to /ws alert p50", lat.get("p50"), "ms", "-", None),
            (f"latency {n:,}: packet to /ws alert p99", lat.get("p99"), "ms", "< 2", lambda v: v < 2),
            (f"latency {n:,}: packet to /ws alert p999", lat.get("p999"), "ms", "-", None),
            (f"latency {n:,}: scanner CPU meanwhile", run.get("cpu_percent"), "% of a core", "-", None),
        ]
    return rows


def http_load_rows(results, file, path_rows, drops_figure):
    """Rows per path of an HTTP load result (wrk.json, rate.json), then its feed drops."""
    data = load_json(os.path.join(results, file))
    if not data:
        return []
    rows = [row for path, run in data.get("paths", {}).items() for row in path_rows(path, run)]
    rows.append((drops_figure, data.get("drops"), "count", "0", lambda v: v == 0))
    return rows


def status_target(path):
    """Issue 10's target applies to /api/status only: p99 < 5 ms."""
    return ("< 5", lambda v: v < 5) if path == "/api/status" else ("-", None)


def wrk_path_rows(path, run):
    return [
        (f"wrk {path}: requests/s", run.get("requests_per_second"), "req/s", "-", None),
        (f"wrk {path}: p99", run.get("p99_ms"), "ms", *status_target(path)),
    ]


def rate_path_rows(path, run):
    label = f"{run.get('rate', 0):g} req/s open-loop {path}"
    return [
        (f"{label}: answered", run.get("achieved_rps"), "req/s", "-", None),
        (f"{label}: p50", run.get("p50_ms"), "ms", "-", None),
        (f"{label}: p99", run.get("p99_ms"), "ms", *status_target(path)),
        (f"{label}: p999", run.get("p999_ms"), "ms", "-", None),
        (f"{label}: errors + timeouts", (run.get("errors") or 0) + (run.get("timeouts") or 0), "count", "0",
         lambda v: v == 0),
    ]


def fmt_value(value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f}M"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def verdict(value, check):
    if value is None:
        return "not run"
    if check is None or isinstance(value, str):
        return "info"
    return "PASS" if check(value) else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a measured figure misses its target")
    args = parser.parse_args()
    table = [(name, fmt_value(v), unit, target, verdict(v, check)) for name, v, unit, target, check in
             figures(args.results)]
    header = ("figure", "value", "unit", "target", "pass")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in table + [header]) for i in range(len(header))]
        line = "  ".join("{:<%d}" % w for w in widths)
        print(line.format(*header))
        print(line.format(*("-" * w for w in widths)))
        for row in table:
            print(line.format(*row))
    failed = [r[0] for r in table if r[4] == "FAIL"]
    print(f"\n{len(failed)} figure(s) miss their target" + (": " + ", ".join(failed) if failed else ""))
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
