// The backtest core: hand-built candles with a known breakout give exactly
// that signal and its outcome at the horizon; outcomes past the data or the
// session are not evaluated; bearish moves count when price falls; and the
// signals are the ones the live Scanner raises on the same ticks.
#include "scan/backtest.hpp"

#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "strategy_test_support.hpp"

namespace fno::scan {
namespace {

using testing::bar;
using testing::kOpen;

constexpr market::InstrumentKey kFut{2, 1001};
const BacktestInstrument kInstrument{kFut, "NIFTY-TEST-FUT", 0.05};

ScannerConfig breakout_only() {
  ScannerConfig config;
  config.lookback = 5;
  config.ema_short = 2;
  config.ema_long = 3;
  config.strategies["ema_cross"].enabled = false;
  config.strategies["volume_spike"].enabled = false;
  return config;
}

// Flat at TP 100 for 10 minutes from minute `first`, a breakout close of 105
// on 3x volume, then a slow rise of 0.5 a minute for `after` minutes.
std::vector<market::Candle> breakout_series(int first = 0, int after = 20) {
  std::vector<market::Candle> candles;
  for (int i = 0; i < 10; ++i) candles.push_back(bar(first + i, 100, 101, 99, 100, 1000));
  candles.push_back(bar(first + 10, 100, 106, 100, 105, 3000));
  for (int i = 1; i <= after; ++i) {
    const double close = 105 + 0.5 * i;
    candles.push_back(bar(first + 10 + i, close - 0.5, close + 0.5, close - 1, close, 1000));
  }
  return candles;
}

TEST(Backtest, KnownBreakoutGivesExactlyThatSignalAndItsOutcome) {
  Backtester backtester(breakout_only(), 5);
  const auto candles = breakout_series();
  const auto outcomes = backtester.run(kInstrument, candles);
  ASSERT_EQ(outcomes.size(), 1U);
  const auto& o = outcomes[0];
  EXPECT_EQ(o.signal.strategy, "breakout");
  EXPECT_EQ(o.signal.kind, SignalKind::kBullish);
  EXPECT_EQ(o.signal.candle_time, kOpen + 600);
  EXPECT_DOUBLE_EQ(o.signal.price, 105);
  ASSERT_TRUE(o.later_price);
  EXPECT_DOUBLE_EQ(*o.later_price, 107.5);  // close of the candle 5 minutes after
  ASSERT_TRUE(o.move_pct);
  EXPECT_NEAR(*o.move_pct, 2.5 / 105 * 100, 1e-9);
  EXPECT_TRUE(o.hit());
  EXPECT_EQ(o.missing, OutcomeGap::kNone);
}

TEST(Backtest, FirstCandlesOnlyWarmUp) {
  // The breakout candle is the 6th: the 5-candle resistance window is full
  // only after it, exactly as live, so it cannot signal.
  std::vector<market::Candle> candles;
  for (int i = 0; i < 4; ++i) candles.push_back(bar(i, 100, 101, 99, 100, 1000));
  candles.push_back(bar(4, 100, 106, 100, 105, 3000));
  EXPECT_TRUE(Backtester(breakout_only(), 5).run(kInstrument, candles).empty());
}

TEST(Backtest, HorizonPastTheDataIsNotEvaluated) {
  const auto candles = breakout_series(0, 3);
  const auto outcomes = Backtester(breakout_only(), 5).run(kInstrument, candles);
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_FALSE(outcomes[0].evaluated());
  EXPECT_FALSE(outcomes[0].later_price);
  EXPECT_EQ(outcomes[0].missing, OutcomeGap::kDataEnd);
}

TEST(Backtest, HorizonPastTheSessionCloseIsNotEvaluated) {
  // Breakout candle at 15:20 IST (minute 365 of the session); +15 min is after 15:30.
  const auto candles = breakout_series(355, 9);
  const auto outcomes = Backtester(breakout_only(), 15).run(kInstrument, candles);
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].signal.candle_time, kOpen + 365 * 60);
  EXPECT_FALSE(outcomes[0].evaluated());
  EXPECT_EQ(outcomes[0].missing, OutcomeGap::kSessionEnd);
}

TEST(Backtest, AMinuteWithoutTradesTakesTheLastCloseBeforeIt) {
  auto candles = breakout_series();
  candles.erase(candles.begin() + 15);  // no candle at signal + 5 minutes
  const auto outcomes = Backtester(breakout_only(), 5).run(kInstrument, candles);
  ASSERT_EQ(outcomes.size(), 1U);
  ASSERT_TRUE(outcomes[0].later_price);
  EXPECT_DOUBLE_EQ(*outcomes[0].later_price, 107.0);  // the candle 4 minutes after
}

TEST(Backtest, MoveIsSignedByDirection) {
  const std::vector<market::Candle> candles = {bar(0, 100, 100, 100, 100, 1), bar(1, 98, 98, 98, 98, 1)};
  Signal s;
  s.instrument = kFut;
  s.price = 100;
  s.candle_time = kOpen;
  s.kind = SignalKind::kBearish;
  const market::MarketCalendar calendar;
  const auto bearish = score_signal(s, candles, 1, calendar);
  ASSERT_TRUE(bearish.move_pct);
  EXPECT_NEAR(*bearish.move_pct, 2.0, 1e-9);
  EXPECT_TRUE(bearish.hit());
  s.kind = SignalKind::kBullish;
  const auto bullish = score_signal(s, candles, 1, calendar);
  EXPECT_NEAR(*bullish.move_pct, -2.0, 1e-9);
  EXPECT_FALSE(bullish.hit());

  StrategyScore score;
  score.add(bearish);
  score.add(bullish);
  score.add(SignalOutcome{s, std::nullopt, std::nullopt, OutcomeGap::kDataEnd});
  EXPECT_EQ(score.signals, 3U);
  EXPECT_EQ(score.evaluated, 2U);
  EXPECT_EQ(score.hits, 1U);
  EXPECT_DOUBLE_EQ(*score.hit_rate(), 0.5);
  EXPECT_NEAR(*score.avg_move_pct(), 0.0, 1e-9);
  EXPECT_NEAR(*score.avg_win_pct(), 2.0, 1e-9);
  EXPECT_NEAR(*score.avg_loss_pct(), -2.0, 1e-9);
}

TEST(Backtest, TickRulesAndBadHorizonsAreRefused) {
  ScannerConfig config = breakout_only();
  config.strategies["breakout"].params["use_ltp"] = true;
  EXPECT_THROW(Backtester(config, 15), StrategyConfigError);
  EXPECT_THROW(Backtester(breakout_only(), 0), std::invalid_argument);
}

using SignalFacts =
    std::tuple<std::uint32_t, std::string, int, double, market::IstSeconds, market::IstSeconds, std::string>;

SignalFacts facts(const Signal& s) {
  return {s.instrument.security_id, s.strategy, static_cast<int>(s.kind), s.price, s.candle_time, s.time, s.reason};
}

// A seeded random walk with jumps over three instruments, as quote ticks
// (two to four a minute, some minutes silent), 400 minutes of one session.
std::vector<market::Tick> random_ticks() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> step(-0.6, 0.6);
  std::uniform_int_distribution<int> count(0, 4);
  std::vector<market::Tick> ticks;
  std::vector<double> price = {100, 250, 80};
  std::vector<std::uint64_t> volume = {0, 0, 0};
  for (int minute = 0; minute < 370; ++minute) {
    for (std::uint32_t i = 0; i < 3; ++i) {
      const int n = count(rng);
      for (int k = 0; k < n; ++k) {
        price[i] += step(rng) + (minute % 37 == 20 + static_cast<int>(i) ? 3.0 : 0.0);
        volume[i] += 100 + static_cast<std::uint64_t>(rng() % 900) * (minute % 37 == 20 ? 5 : 1);
        market::Tick t;
        t.key = {2, 2000 + i};
        t.ltp = std::round(price[i] * 20) / 20;
        t.ltt = kOpen + 60 * minute + 5 + 12 * k;
        t.day_volume = volume[i];
        ticks.push_back(t);
      }
    }
  }
  std::stable_sort(ticks.begin(), ticks.end(), [](const auto& a, const auto& b) { return a.ltt < b.ltt; });
  return ticks;
}

TEST(Backtest, SignalsAreTheOnesTheLiveScannerRaises) {
  ScannerConfig config;  // every built-in strategy, short windows
  config.lookback = 10;
  config.ema_short = 3;
  config.ema_long = 6;
  Scanner live(config);
  CandleCollector collector(config);
  for (std::uint32_t i = 0; i < 3; ++i) live.add_instrument({2, 2000 + i}, "SYM" + std::to_string(i), 0.05);

  std::vector<SignalFacts> live_signals;
  const auto ticks = random_ticks();
  market::IstSeconds clock = ticks.front().ltt;
  for (const auto& tick : ticks) {
    for (; clock < tick.ltt; ++clock) {
      for (const auto& s : live.on_timer(clock)) live_signals.push_back(facts(s));
      collector.on_timer(clock);
    }
    for (const auto& s : live.on_tick(tick)) live_signals.push_back(facts(s));
    collector.on_tick(tick);
  }
  for (const auto& s : live.on_timer(clock + 120)) live_signals.push_back(facts(s));
  collector.on_timer(clock + 120);

  Backtester backtester(config, 15);
  std::vector<SignalFacts> backtest_signals;
  std::set<std::string> strategies;
  for (const auto& [key, candles] : collector.candles()) {
    for (const auto& o : backtester.run({key, "SYM", 0.05}, candles)) {
      backtest_signals.push_back(facts(o.signal));
      strategies.insert(o.signal.strategy);
    }
  }
  std::sort(live_signals.begin(), live_signals.end());
  std::sort(backtest_signals.begin(), backtest_signals.end());
  EXPECT_GE(live_signals.size(), 10U);
  EXPECT_EQ(strategies.size(), 3U) << "every strategy should fire on this walk";
  EXPECT_EQ(backtest_signals, live_signals);
  EXPECT_GT(live.counters().signals_suppressed, 0U) << "the cooldown should have been exercised";
}

}  // namespace
}  // namespace fno::scan
