#!/usr/bin/env python3
"""Side-by-side: the C++ codec vs a Python decoder on the same 1M-packet file.

The Python reference decodes the way Dhan's official Python SDK does: one
frame per packet, dispatch on the first byte, struct.unpack with the SDK's
formats (docs/PROTOCOL.md), one dict per packet. It keeps the numbers raw
(the SDK also formats LTP with "{:.2f}" and LTT as a date string), so it is a
lower bound on the SDK's cost and the ratio is conservative.

Runs fno_bench_codec's BM_DecodeMixedFile (which writes the 1M-packet mixed
stream to the temp directory and decodes it back frame by frame), then the
Python decoder on that file, and prints both times and the ratio
(target >= 100x). Times are CPU times of the decoding process (Google
Benchmark's cpu_time, Python's process_time): on a shared, loaded machine
wall time mostly measures the other processes. --json writes the figures for bench/summary.py.

usage: bench/reference/dhan_decode.py [--bench build/release/bench/fno_bench_codec] [--json OUT]
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

PACKETS = os.path.join(tempfile.gettempdir(), "fno_packets_1m.bin")

TICKER = struct.Struct("<BHBIfI")
QUOTE = struct.Struct("<BHBIfHIfIIIffff")
OI = struct.Struct("<BHBII")
PREV_CLOSE = struct.Struct("<BHBIfI")
STATUS = struct.Struct("<BHBI")
FULL = struct.Struct("<BHBIfHIfIIIIIIffff")
DEPTH = struct.Struct("<IIHHff")
DISCONNECT = struct.Struct("<BHBIH")


def ticker(data):
    code, _, seg, sid, ltp, ltt = TICKER.unpack_from(data)
    return {"type": "Ticker Data" if code == 2 else "Index Data", "exchange_segment": seg,
            "security_id": sid, "LTP": ltp, "LTT": ltt}


def quote(data):
    f = QUOTE.unpack_from(data)
    return {"type": "Quote Data", "exchange_segment": f[2], "security_id": f[3], "LTP": f[4], "LTQ": f[5],
            "LTT": f[6], "avg_price": f[7], "volume": f[8], "total_sell_quantity": f[9],
            "total_buy_quantity": f[10], "open": f[11], "close": f[12], "high": f[13], "low": f[14]}


def oi(data):
    _, _, seg, sid, value = OI.unpack_from(data)
    return {"type": "OI Data", "exchange_segment": seg, "security_id": sid, "OI": value}


def prev_close(data):
    _, _, seg, sid, close, prev_oi = PREV_CLOSE.unpack_from(data)
    return {"type": "Previous Close", "exchange_segment": seg, "security_id": sid, "prev_close": close,
            "prev_OI": prev_oi}


def market_status(data):
    _, _, seg, sid = STATUS.unpack_from(data)
    return {"type": "Market Status", "exchange_segment": seg, "security_id": sid}


def full(data):
    f = FULL.unpack_from(data)
    depth = []
    for level in range(5):
        d = DEPTH.unpack_from(data, 62 + 20 * level)
        depth.append({"bid_quantity": d[0], "ask_quantity": d[1], "bid_orders": d[2], "ask_orders": d[3],
                      "bid_price": d[4], "ask_price": d[5]})
    return {"type": "Full Data", "exchange_segment": f[2], "security_id": f[3], "LTP": f[4], "LTQ": f[5],
            "LTT": f[6], "avg_price": f[7], "volume": f[8], "total_sell_quantity": f[9],
            "total_buy_quantity": f[10], "OI": f[11], "oi_day_high": f[12], "oi_day_low": f[13],
            "open": f[14], "close": f[15], "high": f[16], "low": f[17], "depth": depth}


def disconnect(data):
    _, _, seg, sid, reason = DISCONNECT.unpack_from(data)
    return {"type": "Disconnect", "exchange_segment": seg, "security_id": sid, "reason": reason}


DECODERS = {1: ticker, 2: ticker, 4: quote, 5: oi, 6: prev_close, 7: market_status, 8: full, 50: disconnect}


def decode(frame):
    """One frame -> one dict, as the SDK's process_data does (None for an unknown code)."""
    handler = DECODERS.get(frame[0])
    return handler(frame) if handler else None


def read_frames(path):
    """Splits the file into per-packet frames (outside the timing: a socket hands frames over)."""
    with open(path, "rb") as f:
        buf = f.read()
    frames, at = [], 0
    while at < len(buf):
        length = buf[at + 1] | (buf[at + 2] << 8)
        if length < 8 or at + length > len(buf):
            sys.exit(f"{path}: bad packet length at byte {at}")
        frames.append(buf[at:at + length])
        at += length
    return frames


def python_decode_ms(frames, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        decoded = [decode(frame) for frame in frames]
        best = min(best, time.process_time() - start)
        if sum(1 for d in decoded if d is None):
            sys.exit("python reference met an unknown packet code")
    return best * 1000.0


def cpp_decode(bench):
    out = subprocess.run([bench, "--benchmark_filter=BM_DecodeMixedFile$", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    run = json.loads(out)["benchmarks"][0]
    scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[run["time_unit"]]
    return run["cpu_time"] * scale, int(run["packets"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/release/bench/fno_bench_codec")
    parser.add_argument("--repeats", type=int, default=3, help="Python passes; the best counts")
    parser.add_argument("--json", help="write the figures here for bench/summary.py")
    args = parser.parse_args()
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench} is not an executable; build it first (make build)")
    cpp_ms, cpp_packets = cpp_decode(args.bench)
    frames = read_frames(PACKETS)
    if len(frames) != cpp_packets:
        sys.exit(f"{PACKETS}: {len(frames)} packets, the C++ bench decoded {cpp_packets}")
    py_ms = python_decode_ms(frames, args.repeats)
    ratio = py_ms / cpp_ms
    print(f"file: {PACKETS} ({len(frames):,} packets, {os.path.getsize(PACKETS) / (1 << 20):.1f} MB)")
    print(f"C++ dhan::decode_frame (cpu):       {cpp_ms:9.1f} ms  {cpp_ms * 1e6 / len(frames):7.1f} ns/packet")
    print(f"Python struct.unpack -> dict (cpu): {py_ms:9.1f} ms  {py_ms * 1e6 / len(frames):7.1f} ns/packet")
    print(f"ratio: {ratio:.0f}x (target >= 100x)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"packets": len(frames), "cpp_ms": cpp_ms, "python_ms": py_ms, "ratio": ratio}, f)


if __name__ == "__main__":
    main()
