// engine_bench.cpp
//
// Scan engine throughput: 25,000 instruments warmed with 50 history candles,
// a mixed stream (80% quote packets with volume, 20% ticker packets, random
// walk prices, LTT advancing through the session so candles close) pushed
// through Scanner::on_tick -> CandleBuilder -> all three built-in strategies.
// Reports packets/s (items_per_second) and heap bytes per instrument after
// that warm-up. BM_EngineOnePass is one pass of the same stream, for
// callgrind's instruction count (bench/instructions.py). BM_EngineSessionMemory
// is the heap per instrument once every series is full (a whole session of
// candles plus the strategies' warm-up: the most an instrument holds).
// BM_EnginePublish is the engine thread's other per-packet cost: one publish
// (Scanner::changes_since, SnapshotBoard::apply, Hub::publish_rows with no
// dashboard attached, as Engine::publish does) after each 100 ms of packets
// at the full rate (12,500 of the stream); callgrind counts it inside
// publish_once (bench/instructions.py), per changed row.
// Decoding is not included: the Dhan codec lives in dhan/ and has its own bench.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <random>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "app/engine.hpp"
#include "scan/scanner.hpp"
#include "web/hub.hpp"

namespace {

using fno::market::Candle;
using fno::market::IstSeconds;
using fno::market::Tick;

constexpr std::uint32_t kInstruments = 25000;
constexpr std::size_t kPackets = 2'000'000;
constexpr IstSeconds kOpen = 20782LL * 86400 + 9 * 3600 + 15 * 60;  // Wed 09:15 IST

std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::vector<Tick> mixed_stream() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> step(0.0, 0.4);
  std::uniform_int_distribution<std::uint32_t> pick(0, kInstruments - 1);
  std::bernoulli_distribution is_quote(0.8);
  std::vector<double> price(kInstruments, 100.0);
  std::vector<std::uint64_t> volume(kInstruments, 0);
  std::vector<Tick> ticks;
  ticks.reserve(kPackets);
  // ~2,000 packets per second of exchange time: many minutes, so candles close.
  for (std::size_t i = 0; i < kPackets; ++i) {
    const std::uint32_t id = pick(rng);
    price[id] = std::max(1.0, price[id] + step(rng));
    volume[id] += 25;
    Tick t;
    t.key = {2, id};
    t.ltt = kOpen + 50 * 60 + static_cast<IstSeconds>(i / 2000);
    t.ltp = static_cast<float>(price[id]);
    if (is_quote(rng)) t.day_volume = volume[id];
    ticks.push_back(t);
  }
  return ticks;
}

void warm(fno::scan::Scanner& scanner, int candles = 50) {
  std::vector<Candle> history(static_cast<std::size_t>(candles));
  for (std::uint32_t id = 0; id < kInstruments; ++id) {
    scanner.add_instrument({2, id}, "SYM" + std::to_string(id) + "-FUT", 0.05);
    for (int i = 0; i < candles; ++i) {
      Candle& c = history[static_cast<std::size_t>(i)];
      c.start = kOpen - 60 * (candles - 50) + 60 * i;
      c.open = c.close = 100.0;
      c.high = 100.5;
      c.low = 99.5;
      c.volume = 1000;
      c.volume_known = true;
      c.ticks = 10;
    }
    scanner.on_history({2, id}, history);
  }
}

void BM_EngineMixedStream(benchmark::State& state) {
  const std::vector<Tick> ticks = mixed_stream();
  std::size_t signals = 0;
  std::size_t processed = 0;
  double bytes_per_instrument = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::size_t before = heap_in_use();
    auto scanner = std::make_unique<fno::scan::Scanner>(fno::scan::ScannerConfig{});
    warm(*scanner);
    bytes_per_instrument = static_cast<double>(heap_in_use() - before) / kInstruments;
    state.ResumeTiming();
    for (const Tick& t : ticks) signals += scanner->on_tick(t).size();
    processed += ticks.size();
    state.PauseTiming();
    scanner.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(processed));
  state.counters["bytes_per_instrument"] = bytes_per_instrument;
  state.counters["signals"] = static_cast<double>(signals);
  state.counters["packets"] = static_cast<double>(ticks.size());
}
BENCHMARK(BM_EngineMixedStream)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_EngineMixedStream)->Name("BM_EngineOnePass")->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_EngineSessionMemory(benchmark::State& state) {
  constexpr int kFull = 375 + 50;  // one NSE session + lookback: the series capacity with defaults
  double bytes_per_instrument = 0;
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto scanner = std::make_unique<fno::scan::Scanner>(fno::scan::ScannerConfig{});
    warm(*scanner, kFull);
    bytes_per_instrument = static_cast<double>(heap_in_use() - before) / kInstruments;
    benchmark::DoNotOptimize(scanner->size());
  }
  state.counters["bytes_per_instrument"] = bytes_per_instrument;
}
BENCHMARK(BM_EngineSessionMemory)->Unit(benchmark::kMillisecond)->Iterations(1);

constexpr std::size_t kPacketsPerPublish = 12'500;  // 100 ms at 125k packets/s

// What Engine::publish does with a delta; not inlined so callgrind can count it alone.
[[gnu::noinline]] std::size_t publish_once(const fno::scan::Scanner& scanner, fno::app::SnapshotBoard& board,
                                           fno::web::Hub& hub, std::uint64_t& published) {
  const fno::scan::SnapshotDelta delta = scanner.changes_since(published);
  published = delta.version;
  board.apply(delta);
  hub.publish_rows(delta);
  return delta.rows.size();
}

void BM_EnginePublish(benchmark::State& state) {
  const std::vector<Tick> ticks = mixed_stream();
  boost::asio::io_context worker;  // never run: no dashboard attached, rows wait in the hub
  std::size_t rows = 0;
  std::size_t publishes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto scanner = std::make_unique<fno::scan::Scanner>(fno::scan::ScannerConfig{});
    warm(*scanner);
    fno::app::SnapshotBoard board;
    fno::web::Hub hub(worker.get_executor(), {});
    std::uint64_t published = 0;
    publish_once(*scanner, board, hub, published);  // the first, full snapshot
    state.ResumeTiming();
    for (std::size_t begin = 0; begin < ticks.size(); begin += kPacketsPerPublish) {
      state.PauseTiming();
      const std::size_t end = std::min(ticks.size(), begin + kPacketsPerPublish);
      for (std::size_t i = begin; i < end; ++i) benchmark::DoNotOptimize(scanner->on_tick(ticks[i]));
      state.ResumeTiming();
      rows += publish_once(*scanner, board, hub, published);
      ++publishes;
    }
    state.PauseTiming();
    scanner.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
  state.counters["rows_per_publish"] = static_cast<double>(rows) / static_cast<double>(publishes);
  state.counters["packets"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_EnginePublish)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
