#!/usr/bin/env python3
"""Side-by-side: C++ master parser vs Python's csv module on the same file.

Runs fno_bench_instruments (which writes the synthetic 250k-row live-format
master to the temp directory and times parse_master_file), then reads that
file with Python's csv module -- once as a bare csv.reader pass and once the
way a Python scanner would (DictReader plus the numeric conversions) -- and
prints the CPU times and the ratios (target: DictReader >= 10x slower).
CPU time, not wall time: on a shared, loaded machine wall time mostly
measures the other processes.
--json writes the figures for bench/summary.py.

usage: bench/reference/parse_master.py [--bench build/release/bench/fno_bench_instruments] [--json OUT]
"""
import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

MASTER = os.path.join(tempfile.gettempdir(), "fno_synthetic_master_250k.csv")


def cpp_parse_ms(bench):
    out = subprocess.run(
        [bench, "--benchmark_filter=ParseMaster", "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    run = json.loads(out)["benchmarks"][0]
    scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[run["time_unit"]]
    return run["real_time"] * scale, run["cpu_time"] * scale, run.get("table_MB")


def best_of(fn, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best * 1000.0


def bare_reader():
    with open(MASTER, newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f))


def dict_reader_with_types():
    rows = []
    with open(MASTER, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            rows.append((r["SEM_EXM_EXCH_ID"], r["SEM_SEGMENT"], int(r["SEM_SMST_SECURITY_ID"]),
                         r["SEM_INSTRUMENT_NAME"], r["SEM_TRADING_SYMBOL"], r["SEM_CUSTOM_SYMBOL"],
                         int(float(r["SEM_LOT_UNITS"] or 0)), r["SEM_EXPIRY_DATE"],
                         float(r["SEM_STRIKE_PRICE"] or 0), r["SEM_OPTION_TYPE"],
                         float(r["SEM_TICK_SIZE"] or 0) / 100.0))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/release/bench/fno_bench_instruments")
    parser.add_argument("--json", help="write the figures here for bench/summary.py")
    args = parser.parse_args()
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench} is not an executable; build it first (make build)")
    cpp_ms, cpp_cpu_ms, table_mb = cpp_parse_ms(args.bench)
    bare_ms = best_of(bare_reader)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    typed_ms = best_of(lambda: dict_reader_with_types(), repeats=1)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024.0
    size_mb = os.path.getsize(MASTER) / (1 << 20)
    print(f"file: {MASTER} ({size_mb:.1f} MB)")
    print(f"C++ parse_master_file (typed table):    {cpp_cpu_ms:8.1f} ms cpu (wall {cpp_ms:.1f} ms)"
          f"   table {table_mb or 0:.1f} MB")
    print(f"Python csv.reader (strings only):       {bare_ms:8.1f} ms cpu   ratio {bare_ms / cpp_cpu_ms:5.1f}x")
    print(f"Python DictReader + conversions (list): {typed_ms:8.1f} ms cpu   ratio {typed_ms / cpp_cpu_ms:5.1f}x"
          f"   peak rss growth {grown_mb:.1f} MB")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpp_cpu_ms": cpp_cpu_ms, "cpp_wall_ms": cpp_ms, "csv_reader_cpu_ms": bare_ms,
                       "dict_reader_cpu_ms": typed_ms, "ratio": typed_ms / cpp_cpu_ms,
                       "python_rss_growth_mb": grown_mb}, f)


if __name__ == "__main__":
    main()
