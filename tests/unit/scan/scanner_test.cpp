#include "scan/scanner.hpp"

#include <gtest/gtest.h>

#include "strategy_test_support.hpp"

namespace fno::scan {
namespace {

using testing::bar;
using testing::kOpen;

constexpr market::InstrumentKey kFut{2, 1001};

market::Tick quote(market::IstSeconds ltt, double ltp, std::uint64_t day_volume) {
  market::Tick t;
  t.key = kFut;
  t.ltt = ltt;
  t.ltp = ltp;
  t.day_volume = day_volume;
  return t;
}

ScannerConfig breakout_only(int cooldown_minutes = 5) {
  ScannerConfig config;
  config.strategies["ema_cross"].enabled = false;
  config.strategies["volume_spike"].enabled = false;
  config.strategies["breakout"].params["cooldown_minutes"] = cooldown_minutes;
  return config;
}

// 50 flat history candles (TP 100, volume 1000) ending just before minute 50.
std::vector<market::Candle> flat_history() {
  std::vector<market::Candle> history;
  for (int i = 0; i < 50; ++i) history.push_back(bar(i, 100, 101, 99, 100, 1000));
  return history;
}

class ScannerTest : public ::testing::Test {
 protected:
  explicit ScannerTest(ScannerConfig config = breakout_only()) : scanner(config) {
    scanner.add_instrument(kFut, "NIFTY-TEST-FUT", 0.05);
  }
  // One candle at minute `index` from ticks; returns signals from its ticks.
  std::vector<Signal> trade_minute(int index, double open, double close, std::uint64_t volume) {
    const market::IstSeconds start = kOpen + 60 * index;
    std::vector<Signal> out;
    for (const auto& t : {quote(start + 1, open, day_volume += volume / 2), quote(start + 30, close, day_volume += volume - volume / 2)}) {
      for (auto& s : scanner.on_tick(t)) out.push_back(std::move(s));
    }
    return out;
  }
  Scanner scanner;
  std::uint64_t day_volume = 0;
};

TEST_F(ScannerTest, HistoryWarmsUpThenLiveBreakoutSignalsOnceOnTimerClose) {
  const auto row0 = scanner.snapshot(kFut);
  ASSERT_TRUE(row0);
  EXPECT_FALSE(row0->readiness.at(0).ready);
  const auto history = flat_history();
  scanner.on_history(kFut, history);
  EXPECT_TRUE(scanner.snapshot(kFut)->readiness.at(0).ready);
  // Minute 50 live: joined mid-day, so the first live candle is partial and must not signal.
  EXPECT_TRUE(trade_minute(50, 100, 100, 1000).empty());
  EXPECT_TRUE(trade_minute(51, 100, 105, 1000).empty());  // closes minute 50 (partial)
  const auto signals = scanner.on_timer(kOpen + 52 * 60 + 2);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].candle_time, kOpen + 51 * 60);
  EXPECT_EQ(scanner.counters().signals_by_strategy.at("breakout"), 1u);
  EXPECT_TRUE(scanner.on_timer(kOpen + 53 * 60).empty());
  EXPECT_EQ(scanner.snapshot(kFut)->last_signal->strategy, "breakout");
}

void expect_same_row(const SnapshotRow& a, const SnapshotRow& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.symbol, b.symbol);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.ltp, b.ltp);
  EXPECT_EQ(a.prev_close, b.prev_close);
  EXPECT_EQ(a.change_pct, b.change_pct);
  EXPECT_EQ(a.day_volume, b.day_volume);
  EXPECT_EQ(a.open_interest, b.open_interest);
  EXPECT_EQ(a.resistance, b.resistance);
  EXPECT_EQ(a.distance_to_breakout_pct, b.distance_to_breakout_pct);
  EXPECT_EQ(a.ema_short, b.ema_short);
  EXPECT_EQ(a.ema_long, b.ema_long);
  EXPECT_EQ(a.average_volume, b.average_volume);
  EXPECT_EQ(a.last_candle, b.last_candle);
  ASSERT_EQ(a.readiness.size(), b.readiness.size());
  for (std::size_t i = 0; i < a.readiness.size(); ++i) {
    EXPECT_EQ(a.readiness[i].strategy, b.readiness[i].strategy);
    EXPECT_EQ(a.readiness[i].ready, b.readiness[i].ready);
    EXPECT_EQ(a.readiness[i].candles, b.readiness[i].candles);
    EXPECT_EQ(a.readiness[i].needed, b.readiness[i].needed);
  }
  ASSERT_EQ(a.last_signal.has_value(), b.last_signal.has_value());
  if (a.last_signal) {
    EXPECT_EQ(a.last_signal->strategy, b.last_signal->strategy);
    EXPECT_EQ(a.last_signal->candle_time, b.last_signal->candle_time);
    EXPECT_EQ(a.last_signal->reason, b.last_signal->reason);
  }
}

class ScannerAllStrategiesTest : public ScannerTest {
 protected:
  ScannerAllStrategiesTest() : ScannerTest(ScannerConfig{}) {}
};

TEST_F(ScannerAllStrategiesTest, DeltaRowsExpandToTheSnapshotRows) {
  scanner.on_prev_close(kFut, 96.0);
  scanner.on_history(kFut, flat_history());
  trade_minute(50, 100, 100, 1000);
  trade_minute(51, 100, 105, 1000);
  ASSERT_FALSE(scanner.on_timer(kOpen + 52 * 60 + 2).empty());
  const SnapshotDelta all = scanner.changes_since(0);
  ASSERT_EQ(all.rows.size(), 1u);
  const SnapshotRow expanded = all.rows[0].row();
  ASSERT_TRUE(expanded.last_signal);
  EXPECT_EQ(expanded.readiness.size(), 3u);
  EXPECT_TRUE(expanded.change_pct);
  EXPECT_TRUE(expanded.resistance);
  expect_same_row(expanded, *scanner.snapshot(kFut));

  // A published row keeps what it showed: a renamed instrument gets a new symbol.
  scanner.add_instrument(kFut, "NIFTY-RENAMED-FUT", 0.05);
  EXPECT_EQ(all.rows[0].row().symbol, "NIFTY-TEST-FUT");
  const SnapshotDelta renamed = scanner.changes_since(all.version);
  ASSERT_EQ(renamed.rows.size(), 1u);
  EXPECT_EQ(*renamed.rows[0].symbol, "NIFTY-RENAMED-FUT");
  expect_same_row(renamed.rows[0].row(), *scanner.snapshot(kFut));
}

TEST_F(ScannerTest, HistorySignalsNothing) {
  auto history = flat_history();
  history.push_back(bar(50, 100, 106, 104, 105, 1000));
  scanner.on_history(kFut, history);
  EXPECT_EQ(scanner.counters().history_candles, 51u);
  EXPECT_TRUE(scanner.counters().signals_by_strategy.empty());
}

TEST_F(ScannerTest, HistoryOverlappingLiveMinutesIsDropped) {
  trade_minute(49, 100, 100, 10);
  scanner.on_history(kFut, flat_history());  // minute 49 is live's
  EXPECT_EQ(scanner.counters().history_overlap, 1u);
  EXPECT_EQ(scanner.counters().history_candles, 49u);
  trade_minute(50, 100, 100, 10);
  const auto chart = scanner.candles(kFut);
  ASSERT_TRUE(chart);
  ASSERT_EQ(chart->candles.size(), 50u);
  EXPECT_EQ(chart->candles.back().start, kOpen + 49 * 60);
  EXPECT_EQ(chart->candles.back().volume, 5u) << "live candle (first tick only re-bases volume), not history's 1000";
}

TEST_F(ScannerTest, LiveStartingInsideHistoryReplacesHistoryCopy) {
  scanner.on_history(kFut, flat_history());
  trade_minute(49, 100, 100, 10);
  trade_minute(50, 100, 100, 10);
  const auto chart = scanner.candles(kFut);
  ASSERT_EQ(chart->candles.size(), 50u);
  EXPECT_EQ(scanner.counters().history_overlap, 1u);
  EXPECT_TRUE(chart->candles.back().partial);
}

TEST_F(ScannerTest, HistoryArrivingAfterLiveCandlesIsMergedInOrder) {
  trade_minute(48, 100, 100, 10);
  trade_minute(49, 100, 100, 10);
  trade_minute(50, 100, 100, 10);
  auto history = flat_history();
  history.resize(48);
  scanner.on_history(kFut, history);
  const auto chart = scanner.candles(kFut);
  ASSERT_EQ(chart->candles.size(), 50u);
  for (std::size_t i = 1; i < chart->candles.size(); ++i) {
    ASSERT_LT(chart->candles[i - 1].start, chart->candles[i].start);
  }
  // 49 candles precede the last: one short of the 50-candle resistance window.
  EXPECT_FALSE(chart->resistance.back());
  ASSERT_TRUE(chart->ema_long.back());
  EXPECT_DOUBLE_EQ(*chart->ema_long.back(), 100.0);
}

class CooldownTest : public ScannerTest {
 protected:
  CooldownTest() : ScannerTest(breakout_only(5)) {}
};

TEST_F(CooldownTest, SecondBreakoutWithinCooldownIsSuppressed) {
  scanner.on_history(kFut, flat_history());
  trade_minute(50, 100, 100, 1000);
  trade_minute(51, 100, 100, 1000);   // closes partial 50
  trade_minute(52, 100, 105, 1000);   // closes 51 (flat)
  auto first = trade_minute(53, 99, 99, 1000);  // closes 52: breakout
  ASSERT_EQ(first.size(), 1u);
  trade_minute(54, 100, 110, 5000);  // closes 53: 99 below
  const auto second = trade_minute(55, 110, 110, 1000);  // closes 54: crosses again, 2 minutes later
  EXPECT_TRUE(second.empty());
  EXPECT_EQ(scanner.counters().signals_suppressed, 1u);
}

TEST_F(ScannerTest, DedupeStateSurvivesRestart) {
  scanner.on_history(kFut, flat_history());
  trade_minute(50, 100, 100, 1000);
  trade_minute(51, 100, 105, 1000);
  ASSERT_EQ(scanner.on_timer(kOpen + 53 * 60).size(), 1u);
  const auto state = scanner.export_dedupe();
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].candle_time, kOpen + 51 * 60);

  Scanner restarted(breakout_only());
  restarted.add_instrument(kFut, "NIFTY-TEST-FUT", 0.05);
  restarted.import_dedupe(state);
  restarted.on_history(kFut, flat_history());
  std::uint64_t v = 0;
  for (const auto& t : {quote(kOpen + 50 * 60 + 1, 100, v += 500), quote(kOpen + 51 * 60 + 1, 100, v += 500),
                        quote(kOpen + 51 * 60 + 30, 105, v += 1000)}) {
    restarted.on_tick(t);
  }
  EXPECT_TRUE(restarted.on_timer(kOpen + 53 * 60).empty()) << "same candle already alerted before the restart";
  EXPECT_EQ(restarted.counters().signals_suppressed, 1u);
}

TEST_F(ScannerTest, TimerClosesIlliquidInstrumentAndCountsCandles) {
  trade_minute(10, 100, 101, 10);
  EXPECT_EQ(scanner.counters().candles_closed, 0u);
  scanner.on_timer(kOpen + 11 * 60 + 1);
  EXPECT_EQ(scanner.counters().candles_closed, 0u);
  scanner.on_timer(kOpen + 11 * 60 + 2);
  EXPECT_EQ(scanner.counters().candles_closed, 1u);
}

TEST_F(ScannerTest, CountsOutOfOrderOffSessionAndUnknown) {
  scanner.on_tick(quote(kOpen + 100, 100, 10));
  scanner.on_tick(quote(kOpen + 50, 100, 5));
  scanner.on_tick(quote(kOpen - 600, 100, 5));  // older still: out of order
  market::Tick other = quote(kOpen + 200, 100, 5);
  other.key = {2, 9999};
  scanner.on_tick(other);
  scanner.on_tick(quote(kOpen + 7 * 3600, 100, 20));  // 16:15: after close
  const auto& c = scanner.counters();
  EXPECT_EQ(c.ticks, 4u);
  EXPECT_EQ(c.out_of_order, 2u);
  EXPECT_EQ(c.unknown_instrument, 1u);
  EXPECT_EQ(c.off_session, 1u);
}

TEST_F(ScannerTest, SnapshotRowFigures) {
  scanner.on_history(kFut, flat_history());
  scanner.on_prev_close(kFut, 96.0);
  scanner.on_tick(quote(kOpen + 50 * 60 + 5, 98.0, 123456));
  const auto row = scanner.snapshot(kFut);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->symbol, "NIFTY-TEST-FUT");
  EXPECT_DOUBLE_EQ(*row->ltp, 98.0);
  EXPECT_NEAR(*row->change_pct, 2.0 / 96.0 * 100.0, 1e-12);
  EXPECT_EQ(*row->day_volume, 123456u);
  EXPECT_DOUBLE_EQ(*row->resistance, 100.0);
  EXPECT_NEAR(*row->distance_to_breakout_pct, 2.0 / 98.0 * 100.0, 1e-12);
  EXPECT_DOUBLE_EQ(*row->ema_short, 100.0);
  EXPECT_DOUBLE_EQ(*row->ema_long, 100.0);
  ASSERT_EQ(row->readiness.size(), 1u);
  EXPECT_EQ(row->readiness[0].strategy, "breakout");
  EXPECT_TRUE(row->readiness[0].ready);
  EXPECT_EQ(row->readiness[0].needed, 50u);
}

TEST_F(ScannerTest, ChangesSinceReturnsOnlyChangedRowsAndRemovals) {
  const market::InstrumentKey other{2, 2002};
  scanner.add_instrument(other, "BANKNIFTY-TEST-FUT", 0.05);
  const auto all = scanner.changes_since(0);
  EXPECT_TRUE(all.full);
  EXPECT_EQ(all.rows.size(), 2u);
  scanner.on_tick(quote(kOpen + 5, 100, 1));
  auto delta = scanner.changes_since(all.version);
  EXPECT_FALSE(delta.full);
  ASSERT_EQ(delta.rows.size(), 1u);
  EXPECT_EQ(delta.rows[0].key, kFut);
  EXPECT_TRUE(scanner.changes_since(delta.version).rows.empty());
  EXPECT_TRUE(scanner.remove_instrument(other));
  EXPECT_FALSE(scanner.remove_instrument(other));
  delta = scanner.changes_since(delta.version);
  ASSERT_EQ(delta.removed.size(), 1u);
  EXPECT_EQ(delta.removed[0], other);
  EXPECT_EQ(scanner.size(), 1u);
  EXPECT_FALSE(scanner.snapshot(other));
}

TEST_F(ScannerTest, TimerClosesCandlesOfInstrumentsMovedByARemoval) {
  // Removing the first slot moves the last one into its place, with its
  // timer deadline and version: the timer must still close its candle.
  const market::InstrumentKey moved{2, 3003};
  scanner.add_instrument(moved, "MOVED-TEST-FUT", 0.05);
  market::Tick t = quote(kOpen + 60 * 50 + 10, 100, 1000);
  t.key = moved;
  scanner.on_tick(t);
  scanner.on_tick(quote(kOpen + 60 * 50 + 20, 100, 1000));
  const std::uint64_t before = scanner.version();
  ASSERT_TRUE(scanner.remove_instrument(kFut));
  scanner.on_timer(kOpen + 60 * 51 + 1);
  EXPECT_EQ(scanner.counters().candles_closed, 0u) << "grace not yet passed";
  scanner.on_timer(kOpen + 60 * 51 + 2);
  EXPECT_EQ(scanner.counters().candles_closed, 1u);
  EXPECT_EQ(scanner.snapshot(moved)->last_candle, kOpen + 60 * 50);
  const SnapshotDelta delta = scanner.changes_since(before + 1);  // after the removal
  ASSERT_EQ(delta.rows.size(), 1u);
  EXPECT_EQ(delta.rows[0].key, moved);
  EXPECT_EQ(delta.rows[0].version, scanner.version());
}

TEST_F(ScannerTest, FeedGapPreventsSignalFromTheGappedCandle) {
  scanner.on_history(kFut, flat_history());
  trade_minute(50, 100, 100, 1000);
  scanner.on_tick(quote(kOpen + 51 * 60 + 1, 100, day_volume += 500));
  scanner.on_feed_gap();
  scanner.on_tick(quote(kOpen + 51 * 60 + 40, 105, day_volume += 500));
  EXPECT_TRUE(scanner.on_timer(kOpen + 53 * 60).empty());
}

TEST(ScannerConfigTest, SessionHoursPerSegment) {
  ScannerConfig config = breakout_only();
  config.sessions[5] = market::SessionHours{9 * 3600, 23 * 3600 + 30 * 60};  // MCX_COMM
  Scanner scanner(config);
  const market::InstrumentKey crude{5, 42};
  scanner.add_instrument(crude, "CRUDEOIL-TEST-FUT", 1.0);
  scanner.add_instrument(kFut, "NIFTY-TEST-FUT", 0.05);
  market::Tick t = quote(kOpen + 11 * 3600, 6000, 10);  // 20:15 IST
  scanner.on_tick(t);
  t.key = crude;
  scanner.on_tick(t);
  EXPECT_EQ(scanner.counters().off_session, 1u);
}

TEST(ScannerConfigTest, AlwaysOpenAcceptsNightTicks) {
  ScannerConfig config = breakout_only();
  config.always_open = true;
  Scanner scanner(config);
  scanner.add_instrument(kFut, "NIFTY-TEST-FUT", 0.05);
  scanner.on_tick(quote(kOpen + 11 * 3600, 6000, 10));  // 20:15 IST
  EXPECT_EQ(scanner.counters().off_session, 0u);
  EXPECT_EQ(scanner.counters().ticks, 1u);
}

// The chart keeps one NSE session (375 one-minute candles) plus the longest
// strategy warm-up before it; older candles go.
std::size_t charted_after(const ScannerConfig& config, int candles) {
  Scanner scanner(config);
  scanner.add_instrument(kFut, "NIFTY-TEST-FUT", 0.05);
  std::vector<market::Candle> history;
  for (int i = 0; i < candles; ++i) history.push_back(bar(i - candles, 100, 101, 99, 100, 1000));
  scanner.on_history(kFut, history);
  const auto chart = scanner.candles(kFut);
  EXPECT_EQ(chart->candles.back().start, history.back().start);
  return chart->candles.size();
}

TEST(ScannerConfigTest, SeriesHoldsASessionPlusTheLongestWarmUp) {
  EXPECT_EQ(charted_after(ScannerConfig{}, 1000), 375u + 50u);  // lookback 50 is the longest
  ScannerConfig long_lookback;
  long_lookback.lookback = 120;
  EXPECT_EQ(charted_after(long_lookback, 1000), 375u + 120u);
  ScannerConfig long_ema;
  long_ema.lookback = 10;
  long_ema.ema_long = 200;
  long_ema.ema_short = 100;
  EXPECT_EQ(charted_after(long_ema, 1000), 375u + 200u);  // EMA 200 warms up longest
  EXPECT_EQ(charted_after(ScannerConfig{}, 30), 30u);
}

TEST(ScannerConfigTest, InvalidStrategySettingsThrow) {
  ScannerConfig config;
  config.strategies["breakout"].params["use_ltp"] = 3;
  EXPECT_THROW(Scanner{config}, StrategyConfigError);
}

}  // namespace
}  // namespace fno::scan
