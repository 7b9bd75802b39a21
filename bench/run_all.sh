#!/usr/bin/env bash
# Runs every benchmark of `make bench` against one build directory and prints
# the summary table (bench/summary.py) at the end:
#   1. each Google Benchmark suite (BUILD/bench/fno_bench_*), JSON kept;
#   2. the reference ratios: codec vs Python struct.unpack, master parser vs
#      Python csv.DictReader;
#   3. instructions per packet of decode and engine (callgrind; skipped, and
#      said so, when valgrind is missing);
#   4. the end-to-end loads (500, 5,000, 25,000 instruments x 5/s, and
#      25,000 again with the simulator's frames coalesced), the third one
#      with wrk on /api/status and /api/scanner (skipped, and said so,
#      when wrk is missing: scripts/bootstrap.sh --bench) and with the
#      open-loop fixed-rate load (BUILD/bench/fno_http_rate): /api/status at
#      1,000 req/s, /api/scanner at 100 req/s;
#   5. signal latency (packet send -> alert on a /ws client) at 5,000
#      instruments, about 11 minutes: strategies need live minutes to warm up.
# Results go to BUILD/bench/results/ (replaced on each run).
# usage: bench/run_all.sh BUILD_DIR [LOAD_SECONDS]
set -euo pipefail
build=${1:?usage: bench/run_all.sh BUILD_DIR [LOAD_SECONDS]}
load_seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
out=$build/bench/results
rm -rf "$out"
mkdir -p "$out"
echo "bench: machine load before the run: $(uptime)"

for b in "$build"/bench/fno_bench_*; do
  [[ -x $b ]] || continue
  "$b" --benchmark_out="$out/$(basename "$b").json" --benchmark_out_format=json
done

python3 "$here/reference/dhan_decode.py" --bench "$build/bench/fno_bench_codec" --json "$out/decode_ratio.json"
python3 "$here/reference/parse_master.py" --bench "$build/bench/fno_bench_instruments" --json "$out/master_ratio.json"

if command -v valgrind >/dev/null; then
  python3 "$here/instructions.py" "$build" --json "$out/instructions.json"
else
  echo "bench: valgrind not installed: no instruction counts"
fi

for n in 500 5000 25000; do
  extra=()
  if [[ $n == 25000 ]]; then
    extra=(--rate 1000 --rate-json "$out/rate.json")
    if command -v wrk >/dev/null; then
      extra+=(--wrk --wrk-json "$out/wrk.json")
    else
      echo "bench: wrk not installed (scripts/bootstrap.sh --bench): no HTTP load figures"
    fi
  fi
  python3 "$here/load/run_load.py" --bin "$build/fno-scanner" --instruments "$n" --duration "$load_seconds" \
    --json "$out/load_$n.json" "${extra[@]}"
done
# The same 25,000 from a server that writes through a buffer: many frames per
# TLS record and TCP segment instead of one each (docs/PERFORMANCE.md).
python3 "$here/load/run_load.py" --bin "$build/fno-scanner" --instruments 25000 --duration "$load_seconds" \
  --sim-coalesce --json "$out/load_25000_coalesced.json"

python3 "$here/load/run_load.py" --bin "$build/fno-scanner" --instruments 5000 --latency --json "$out/latency_5000.json"

echo
echo "bench: machine load after the run: $(uptime)"
python3 "$here/summary.py" "$out"
