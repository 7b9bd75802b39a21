#!/usr/bin/env python3
"""Instructions per packet of the hot paths, counted by valgrind's callgrind.

Instruction counts do not move with the machine's load the way times do, so
they are the figure to compare across changes on a shared machine. Each
entry runs one Google Benchmark under `valgrind --tool=callgrind
--toggle-collect=FUNCTION`, which counts instructions (Ir) only inside
FUNCTION and what it calls, for exactly the benchmark's passes (the
benchmark's own JSON says how many iterations ran, and its "packets" counter
how many packets one iteration handles):
  decode, quote frames   fno::dhan::decode_frame      BM_DecodeQuoteFrames (1M one-packet frames)
  decode, mixed frames   fno::dhan::decode_frame      BM_DecodeMixedFrames (60 % quote, 30 % ticker, 10 % other)
  engine                 fno::scan::Scanner::on_tick  BM_EngineOnePass (2M ticks, 25,000 instruments, 3 strategies)
  engine publish         publish_once                 BM_EnginePublish (the same stream, one publish per 12,500
                                                      ticks; its "packets" counter is the rows published, so
                                                      the figure is per changed row)
Instructions per packet = Ir / (iterations x packets). Takes a few minutes
(the engine benchmark's set-up also runs under valgrind). --json writes the
figures for bench/summary.py.

usage: bench/instructions.py BUILD_DIR [--json OUT] [--only decode|engine]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

RUNS = [
    ("decode_quote", "fno_bench_codec", "BM_DecodeQuoteFrames", "fno::dhan::decode_frame*"),
    ("decode_mixed", "fno_bench_codec", "BM_DecodeMixedFrames", "fno::dhan::decode_frame*"),
    ("engine", "fno_bench_engine", "BM_EngineOnePass", "fno::scan::Scanner::on_tick*"),
    ("engine_publish", "fno_bench_engine", "BM_EnginePublish", "*publish_once*"),
]


def collected_instructions(callgrind_out):
    with open(callgrind_out) as f:
        for line in f:
            m = re.match(r"(?:summary|totals):\s+(\d+)", line)
            if m:
                return int(m.group(1))
    sys.exit(f"no instruction total in {callgrind_out}")


def count(build, suite, benchmark, function, workdir):
    out = os.path.join(workdir, f"{benchmark}.callgrind")
    result = os.path.join(workdir, f"{benchmark}.json")
    subprocess.run(["valgrind", "--tool=callgrind", f"--toggle-collect={function}", "--collect-atstart=no",
                    f"--callgrind-out-file={out}", os.path.join(build, "bench", suite),
                    f"--benchmark_filter=^{benchmark}(/|$)", "--benchmark_min_time=0.01",
                    f"--benchmark_out={result}", "--benchmark_out_format=json"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(result) as f:
        runs = [r for r in json.load(f)["benchmarks"] if r.get("run_type", "iteration") == "iteration"]
    if len(runs) != 1:
        sys.exit(f"{suite} {benchmark}: expected one run, got {len(runs)}")
    packets = runs[0]["iterations"] * runs[0]["packets"]
    ir = collected_instructions(out)
    return {"benchmark": benchmark, "function": function, "instructions": ir, "packets": packets,
            "per_packet": ir / packets}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--json")
    parser.add_argument("--only", choices=["decode", "engine"])
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed: no instruction counts")
    figures = {}
    with tempfile.TemporaryDirectory(prefix="fno-callgrind-") as workdir:
        for name, suite, benchmark, function in RUNS:
            if args.only and not name.startswith(args.only):
                continue
            figures[name] = count(args.build, suite, benchmark, function, workdir)
            unit = "row" if name == "engine_publish" else "packet"
            print(f"{name}: {figures[name]['per_packet']:.1f} instructions per {unit} "
                  f"({figures[name]['instructions']:,} in {function} over {figures[name]['packets']:,} packets)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f)


if __name__ == "__main__":
    main()
