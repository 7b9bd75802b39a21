#include <gtest/gtest.h>

#include "strategy_test_support.hpp"

namespace fno::scan {
namespace {

using testing::bar;
using testing::Harness;

// 50 candles H 101 / L 99 / C 100: TP 100, volume 1000, EMAs 100.
void flat_history(Harness& h, int count, bool volume_known = true) {
  for (int i = 0; i < count; ++i) ASSERT_TRUE(h.close(bar(i, 100, 101, 99, 100, 1000, volume_known)).empty());
}

TEST(Breakout, FiresOnCandle51ExactlyWithHandComputedReason) {
  Harness h("breakout", "{}");
  flat_history(h, 50);
  const auto signals = h.close(bar(50, 100, 106, 104, 105, 1000));
  ASSERT_EQ(signals.size(), 1u);
  const Signal& s = signals[0];
  EXPECT_EQ(s.strategy, "breakout");
  EXPECT_EQ(s.kind, SignalKind::kBullish);
  EXPECT_DOUBLE_EQ(s.price, 105.0);
  EXPECT_EQ(s.candle_time, testing::kOpen + 50 * 60);
  EXPECT_EQ(s.time, testing::kOpen + 51 * 60);
  // EMA8 = 100 + 2/9 * 5, EMA13 = 100 + 2/14 * 5.
  EXPECT_EQ(s.reason, "close 105.00 > resistance 100.00 (TP max 50), EMA8 101.11 > EMA13 100.71, vol 1.0× avg");
}

TEST(Breakout, NotOnCandle50) {
  Harness h("breakout", "{}");
  flat_history(h, 49);
  EXPECT_TRUE(h.close(bar(49, 100, 106, 104, 105, 1000)).empty());
  EXPECT_EQ(h.strategy().warmup_candles(), 50u);
}

TEST(Breakout, NoBreakoutBelowPriceThreshold) {
  Harness h("breakout", R"({"price_threshold": 105.5})");
  flat_history(h, 50);
  EXPECT_TRUE(h.close(bar(50, 100, 106, 104, 105, 1000)).empty());
}

TEST(Breakout, PriceThresholdComesFromTopLevelDefaults) {
  StrategyDefaults defaults;
  defaults.price_threshold = 200;
  Harness h("breakout", "{}", defaults);
  flat_history(h, 50);
  EXPECT_TRUE(h.close(bar(50, 100, 106, 104, 105, 1000)).empty());
}

TEST(Breakout, CloseMustCrossNotMerelyStayAbove) {
  Harness h("breakout", "{}");
  flat_history(h, 50);
  // Closes well above its own TP (100 + 106 + 105.5) / 3 = 103.83, which becomes resistance.
  ASSERT_EQ(h.close(bar(50, 100, 106, 100, 105.5, 1000)).size(), 1u);
  // The previous close 105.5 is already above 103.83: 106 continues, it does not cross.
  EXPECT_TRUE(h.close(bar(51, 105.5, 106, 105.5, 106, 1000)).empty());
}

TEST(Breakout, VolumeGating) {
  {
    Harness h("breakout", "{}");
    flat_history(h, 50);
    EXPECT_TRUE(h.close(bar(50, 100, 106, 104, 105, 499)).empty()) << "499 < 0.5 x 1000";
  }
  {
    Harness h("breakout", "{}");
    flat_history(h, 50);
    EXPECT_EQ(h.close(bar(50, 100, 106, 104, 105, 500)).size(), 1u);
  }
}

TEST(Breakout, NoVolumeDataBlocksUnlessAllowed) {
  {
    Harness h("breakout", "{}");
    flat_history(h, 50, false);
    EXPECT_TRUE(h.close(bar(50, 100, 106, 104, 105, 0, false)).empty());
  }
  Harness h("breakout", R"({"allow_no_volume": true})");
  flat_history(h, 50, false);
  const auto signals = h.close(bar(50, 100, 106, 104, 105, 0, false));
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_NE(signals[0].reason.find("no volume data"), std::string::npos) << signals[0].reason;
}

TEST(Breakout, BlockedWhenShortEmaBelowLong) {
  // lookback 2, EMA 2/3, H = L = C so TP = close:
  // closes 30 20 10 9 12 -> resistance max(10, 9) = 10, 9 <= 10 < 12 crosses,
  // EMA2 = 25 -> 15 -> 11 -> 11.667, EMA3 = 20 -> 14.5 -> 13.25: 11.667 < 13.25.
  Harness h("breakout", R"({"lookback": 2, "ema_short": 2, "ema_long": 3, "price_threshold": 0})");
  int i = 0;
  for (double close : {30.0, 20.0, 10.0, 9.0}) ASSERT_TRUE(h.close(bar(i++, close, close, close, close, 100)).empty());
  EXPECT_TRUE(h.close(bar(i, 12, 12, 12, 12, 100)).empty());
}

TEST(Breakout, HistoricalCandlesNeverSignal) {
  Harness h("breakout", "{}");
  flat_history(h, 50);
  EXPECT_TRUE(h.close(bar(50, 100, 106, 104, 105, 1000), true).empty());
}

TEST(Breakout, LtpModeFiresOnTheCrossingTick) {
  Harness h("breakout", R"({"use_ltp": true})");
  ASSERT_TRUE(h.strategy().wants_ticks());
  flat_history(h, 50);
  market::Candle forming = bar(50, 100, 100.5, 100, 100.5, 600);
  market::Tick t;
  t.key = {2, 1001};
  t.ltt = testing::kOpen + 50 * 60 + 10;
  t.ltp = 100.5;
  // EMA8 100 > EMA13 100 fails: the trend must already be up from closed candles.
  EXPECT_TRUE(h.tick(t, forming).empty());
}

TEST(Breakout, LtpModeUsesClosedCandleTrend) {
  Harness h("breakout", R"({"use_ltp": true, "lookback": 3})");
  // Rising closes: EMA8 > EMA13 once both are seeded; TP of the last 3 = 112.
  for (int i = 0; i < 13; ++i) ASSERT_TRUE(h.close(bar(i, 100 + i, 100 + i, 100 + i, 100 + i, 1000)).empty());
  market::Candle forming = bar(13, 112, 113, 112, 113, 600);
  market::Tick t;
  t.key = {2, 1001};
  t.ltt = testing::kOpen + 13 * 60 + 5;
  t.ltp = 113;
  const auto signals = h.tick(t, forming);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].time, t.ltt);
  EXPECT_EQ(signals[0].candle_time, forming.start);
  EXPECT_EQ(signals[0].reason.rfind("LTP 113.00 > resistance 112.00 (TP max 3)", 0), 0u) << signals[0].reason;
  // The next tick above resistance is not a new cross.
  t.ltp = 114;
  ++t.ltt;
  EXPECT_TRUE(h.tick(t, forming).empty());
}

TEST(EmaCross, BullishThenBearishHandComputed) {
  Harness h("ema_cross", R"({"ema_short": 2, "ema_long": 3, "price_threshold": 0})");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.close(bar(i, 10, 10, 10, 10, 1)).empty());
  // EMA2: 10 -> 12; EMA3: 10 -> 11.5.
  auto up = h.close(bar(3, 10, 13, 10, 13, 1));
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].kind, SignalKind::kBullish);
  EXPECT_EQ(up[0].reason, "EMA2 12.00 crossed above EMA3 11.50 (close 13.00)");
  // EMA2: 12 -> 7.333; EMA3: 11.5 -> 8.25.
  auto down = h.close(bar(4, 13, 13, 5, 5, 1));
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].kind, SignalKind::kBearish);
  EXPECT_EQ(down[0].reason, "EMA2 7.33 crossed below EMA3 8.25 (close 5.00)");
  EXPECT_TRUE(h.close(bar(5, 5, 5, 5, 5, 1)).empty()) << "still below: no new cross";
}

TEST(VolumeSpike, FiresAtFactorTimesAverage) {
  Harness h("volume_spike", R"({"lookback": 3, "factor": 3, "price_threshold": 0})");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.close(bar(i, 10, 10, 10, 10, 100)).empty());
  const auto spike = h.close(bar(3, 10, 12, 10, 11, 300));
  ASSERT_EQ(spike.size(), 1u);
  EXPECT_EQ(spike[0].kind, SignalKind::kBullish);
  EXPECT_EQ(spike[0].reason, "vol 300 = 3.0× avg 100 (3 candles), close 11.00 >= open 10.00");
  // Average is now (100 + 100 + 300) / 3 = 166.67; 3x = 500.
  EXPECT_TRUE(h.close(bar(4, 11, 11, 9, 9, 499)).empty());
  const auto down = h.close(bar(5, 11, 11, 9, 9, 1000));
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].kind, SignalKind::kBearish);
}

TEST(VolumeSpike, SilentWithoutVolumeData) {
  Harness h("volume_spike", R"({"lookback": 3, "price_threshold": 0})");
  for (int i = 0; i < 3; ++i) h.close(bar(i, 10, 10, 10, 10, 0, false));
  EXPECT_TRUE(h.close(bar(3, 10, 10, 10, 10, 0, false)).empty());
}

}  // namespace
}  // namespace fno::scan
