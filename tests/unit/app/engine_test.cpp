#include "app/engine.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

namespace fno::app {
namespace {

using namespace std::chrono_literals;

constexpr market::IstSeconds kWed0915 = 20782LL * 86400 + 9 * 3600 + 15 * 60;  // 2026-11-25 09:15 IST
constexpr market::InstrumentKey kNifty{2, 49229};

dhan::Packet ticker(float ltp, market::IstSeconds t) {
  dhan::Packet p;
  p.code = dhan::ResponseCode::kTicker;
  p.segment = dhan::Segment::kNseFno;
  p.security_id = kNifty.security_id;
  p.body = dhan::TickerBody{ltp, dhan::ist_to_ltt(t)};
  return p;
}

template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

std::unique_ptr<scan::Scanner> scanner_with_nifty() {
  auto scanner = std::make_unique<scan::Scanner>(scan::ScannerConfig{});
  scanner->add_instrument(kNifty, "NIFTY-Nov2026-FUT", 0.05);
  return scanner;
}

TEST(Engine, PacketsReachTheScannerAndTheBoard) {
  std::atomic<market::IstSeconds> now{kWed0915 + 5};
  Engine engine(scanner_with_nifty(), 1024, {.on_signals = {}, .on_delta = {}, .clock = [&] { return now.load(); }}, 10ms);
  engine.start();
  EXPECT_TRUE(engine.push(ticker(24500.5f, kWed0915 + 1)));
  EXPECT_TRUE(engine.push(ticker(24501.0f, kWed0915 + 2)));
  ASSERT_TRUE(eventually([&] {
    const auto row = engine.board().row(kNifty);
    return row && row->ltp && *row->ltp == 24501.0;
  }));
  EXPECT_EQ(engine.board().size(), 1u);
  engine.stop();
  EXPECT_EQ(engine.stats().packets, 2u);
  EXPECT_EQ(engine.stats().drops, 0u);
}

TEST(Engine, TimerClosesCandlesFromTheInjectedClock) {
  std::atomic<market::IstSeconds> now{kWed0915 + 1};
  Engine engine(scanner_with_nifty(), 1024, {.on_signals = {}, .on_delta = {}, .clock = [&] { return now.load(); }}, 10ms);
  engine.start();
  engine.push(ticker(100.0f, kWed0915 + 1));
  now = kWed0915 + 63;  // minute end + grace passed
  ASSERT_TRUE(eventually([&] { return engine.stats().scanner.candles_closed == 1; }));
  auto candles = engine.query([](scan::Scanner& s) { return s.candles(kNifty); }).get();
  ASSERT_TRUE(candles);
  ASSERT_EQ(candles->candles.size(), 1u);
  EXPECT_EQ(candles->candles[0].close, 100.0);
  engine.stop();
}

TEST(Engine, ChartedInstrumentsGetEachClosedCandleOnce) {
  std::atomic<market::IstSeconds> now{kWed0915 + 1};
  std::mutex mu;
  std::vector<market::IstSeconds> pushed;
  std::atomic<bool> charting{false};
  EngineHooks hooks{.on_signals = {},
                    .on_delta = {},
                    .clock = [&] { return now.load(); },
                    .charted = [&] {
                      return charting ? std::vector<market::InstrumentKey>{kNifty} : std::vector<market::InstrumentKey>{};
                    },
                    .on_chart_candle = [&](market::InstrumentKey key, const scan::ChartSeries& series) {
                      EXPECT_EQ(key, kNifty);
                      EXPECT_EQ(series.candles.size(), series.ema_short.size());
                      std::lock_guard lock(mu);
                      pushed.push_back(series.candles.back().start);
                    }};
  Engine engine(scanner_with_nifty(), 1024, std::move(hooks), 5ms);
  engine.start();
  const auto closes = [&](std::size_t n) {
    return eventually([&] {
      std::lock_guard lock(mu);
      return pushed.size() >= n;
    });
  };

  engine.push(ticker(100.0f, kWed0915 + 1));
  now = kWed0915 + 63;
  ASSERT_TRUE(eventually([&] { return engine.stats().scanner.candles_closed == 1; }));
  charting = true;  // a client opens the chart after the first close: it gets the latest candle
  ASSERT_TRUE(closes(1));
  engine.push(ticker(101.0f, kWed0915 + 64));
  now = kWed0915 + 123;
  ASSERT_TRUE(closes(2));
  engine.stop();
  std::lock_guard lock(mu);
  EXPECT_EQ(pushed, (std::vector<market::IstSeconds>{kWed0915, kWed0915 + 60})) << "each candle once, in order";
}

TEST(Engine, PostAlwaysIsNeverRefusedWhenTheBoundedQueueIsFull) {
  Engine engine(scanner_with_nifty(), 16, {});  // not started: nothing drains
  std::atomic<int> ran{0};
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) accepted += engine.post([&](scan::Scanner&) { ++ran; });
  EXPECT_LT(accepted, 5000) << "post() is bounded";
  for (int i = 0; i < 5000; ++i) engine.post_always([&](scan::Scanner&) { ++ran; });
  engine.start();
  EXPECT_TRUE(eventually([&] { return ran.load() == accepted + 5000; })) << ran.load();
  engine.stop();
  EXPECT_EQ(engine.stats().command_drops, static_cast<std::uint64_t>(5000 - accepted));
}

TEST(Engine, FullRingIsACountedDropNotABlock) {
  // Not started: nothing consumes, so the ring fills.
  Engine engine(scanner_with_nifty(), 4, {});
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += engine.push(ticker(100.0f, kWed0915 + i));
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(engine.stats().drops, 6u);
  EXPECT_EQ(engine.stats().queue_depth, 4u);
}

TEST(Engine, DeltasArePublishedToTheHook) {
  std::atomic<int> deltas{0};
  Engine engine(scanner_with_nifty(), 64,
                {.on_signals = {}, .on_delta = [&](const scan::SnapshotDelta& d) { deltas += !d.rows.empty(); }, .clock = {}},
                10ms);
  engine.start();
  engine.push(ticker(10.0f, kWed0915 + 1));
  EXPECT_TRUE(eventually([&] { return deltas.load() >= 1; }));
  engine.stop();
}

}  // namespace
}  // namespace fno::app
