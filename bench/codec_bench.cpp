// Decode throughput of dhan::decode_frame: quote-only frames (the default
// subscription), and a 1M-packet mixed stream (60 % quote, 30 % ticker,
// 10 % OI/prev-close/full), one packet per frame as Dhan sends them.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "dhan/codec.hpp"

namespace {

using fno::dhan::Packet;
using fno::dhan::ResponseCode;
using fno::dhan::Segment;

constexpr std::size_t kPackets = 1'000'000;

Packet make_packet(std::uint32_t n, int kind) {
  const std::uint32_t id = 35000 + n % 25000;
  const float ltp = 100.0f + static_cast<float>(n % 1000) * 0.05f;
  switch (kind) {
    case 0: return {ResponseCode::kQuote, Segment::kNseFno, id,
                    fno::dhan::QuoteBody{ltp, 25, 1795511700 + n, ltp, n, 1, 2, ltp, ltp, ltp, ltp}};
    case 1: return {ResponseCode::kTicker, Segment::kNseFno, id, fno::dhan::TickerBody{ltp, 1795511700 + n}};
    case 2: return {ResponseCode::kOi, Segment::kNseFno, id, fno::dhan::OiBody{n}};
    case 3: return {ResponseCode::kPrevClose, Segment::kNseFno, id, fno::dhan::PrevCloseBody{ltp, n}};
    default: return {ResponseCode::kFull, Segment::kNseFno, id, fno::dhan::FullBody{}};
  }
}

// One contiguous buffer plus per-frame offsets: frames as the socket hands them over.
struct Stream {
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> offsets{0};
};

Stream build(bool mixed) {
  Stream s;
  std::mt19937 rng(7);
  for (std::uint32_t n = 0; n < kPackets; ++n) {
    int kind = 0;
    if (mixed) {
      const auto r = rng() % 100;
      kind = r < 60 ? 0 : r < 90 ? 1 : 2 + static_cast<int>(r % 3);
    }
    fno::dhan::encode(make_packet(n, kind), s.bytes);
    s.offsets.push_back(s.bytes.size());
  }
  return s;
}

void decode_stream(benchmark::State& state, const Stream& s) {
  std::vector<Packet> out;
  out.reserve(64);
  fno::dhan::DecodeCounters counters;
  for (auto _ : state) {
    for (std::size_t i = 0; i + 1 < s.offsets.size(); ++i) {
      out.clear();
      const std::span<const std::uint8_t> frame(s.bytes.data() + s.offsets[i], s.offsets[i + 1] - s.offsets[i]);
      fno::dhan::decode_frame(frame, out, counters);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPackets));
  state.counters["ns/packet"] = benchmark::Counter(static_cast<double>(state.iterations() * kPackets),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_DecodeQuoteFrames(benchmark::State& state) {
  static const Stream s = build(false);
  decode_stream(state, s);
}
BENCHMARK(BM_DecodeQuoteFrames)->Unit(benchmark::kMillisecond);

void BM_DecodeMixedFrames(benchmark::State& state) {
  static const Stream s = build(true);
  decode_stream(state, s);
}
BENCHMARK(BM_DecodeMixedFrames)->Unit(benchmark::kMillisecond);

// Several packets per frame: the walk-by-length path.
void BM_DecodeMixedOneBuffer(benchmark::State& state) {
  static const Stream s = build(true);
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
