// Decode throughput of dhan::decode_frame: quote-only frames (the default
// subscription), and a 1M-packet mixed stream (60 % quote, 30 % ticker,
// 10 % OI/prev-close/full), one packet per frame as Dhan sends them.
// BM_DecodeMixedFile decodes the mixed stream after a round trip through
// $TMPDIR/fno_packets_1m.bin, the file bench/reference/dhan_decode.py times
// Python's struct.unpack on (the decode ratio in `make bench`).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

#include "dhan/codec.hpp"
#include "gen/packet_stream.hpp"

namespace {

using fno::bench::PacketStream;
using fno::dhan::Packet;

constexpr std::size_t kPackets = 1'000'000;

const PacketStream& quote_stream() {
  static const PacketStream s = fno::bench::build_packet_stream(kPackets, false);
  return s;
}

const PacketStream& mixed_stream() {
  static const PacketStream s = fno::bench::build_packet_stream(kPackets, true);
  return s;
}

const PacketStream& file_stream() {
  static const PacketStream s = [] {
    const auto path = std::filesystem::temp_directory_path() / "fno_packets_1m.bin";
    fno::bench::write_packet_file(path, mixed_stream());
    return fno::bench::read_packet_file(path);
  }();
  return s;
}

void decode_stream(benchmark::State& state, const PacketStream& s) {
  std::vector<Packet> out;
  out.reserve(64);
  fno::dhan::DecodeCounters counters;
  for (auto _ : state) {
    for (std::size_t i = 0; i < s.frames(); ++i) {
      out.clear();
      fno::dhan::decode_frame(s.frame(i), out, counters);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.frames()));
  state.counters["ns/packet"] = benchmark::Counter(static_cast<double>(state.iterations() * s.frames()),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["packets"] = static_cast<double>(s.frames());
}

void BM_DecodeQuoteFrames(benchmark::State& state) { decode_stream(state, quote_stream()); }
BENCHMARK(BM_DecodeQuoteFrames)->Unit(benchmark::kMillisecond);

void BM_DecodeMixedFrames(benchmark::State& state) { decode_stream(state, mixed_stream()); }
BENCHMARK(BM_DecodeMixedFrames)->Unit(benchmark::kMillisecond);

void BM_DecodeMixedFile(benchmark::State& state) { decode_stream(state, file_stream()); }
BENCHMARK(BM_DecodeMixedFile)->Unit(benchmark::kMillisecond);

// Several packets per frame: the walk-by-length path.
void BM_DecodeMixedOneBuffer(benchmark::State& state) {
  const PacketStream& s = mixed_stream();
  std::vector<Packet> out;
  out.reserve(kPackets);
  fno::dhan::DecodeCounters counters;
  for (auto _ : state) {
    out.clear();
    fno::dhan::decode_frame(s.bytes, out, counters);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPackets));
}
BENCHMARK(BM_DecodeMixedOneBuffer)->Unit(benchmark::kMillisecond);

}  // namespace
