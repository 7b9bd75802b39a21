#include "market/candle_builder.hpp"

#include <gtest/gtest.h>

#include <limits>

#include <vector>

namespace fno::market {
namespace {

// 2026-11-25 (a Wednesday) 00:00 IST.
constexpr IstSeconds kWed = 20782LL * 86400;
constexpr IstSeconds at(int h, int m, int s = 0) { return kWed + h * 3600 + m * 60 + s; }

Tick quote(IstSeconds ltt, double ltp, std::uint64_t day_volume) {
  Tick t;
  t.key = {2, 1001};
  t.ltt = ltt;
  t.ltp = ltp;
  t.day_volume = day_volume;
  return t;
}

Tick ticker(IstSeconds ltt, double ltp) {
  Tick t;
  t.key = {2, 1001};
  t.ltt = ltt;
  t.ltp = ltp;
  return t;
}

class CandleBuilderTest : public ::testing::Test {
 protected:
  TickOutcome feed(const Tick& t) { return builder.on_tick(t, rules, closed); }
  CandleRules rules;
  CandleBuilder builder;
  std::vector<Candle> closed;
};

TEST_F(CandleBuilderTest, BuildsOhlcvAndClosesOnLaterMinute) {
  feed(quote(at(9, 15, 1), 100.0, 1000));
  feed(quote(at(9, 15, 20), 103.0, 1500));
  feed(quote(at(9, 15, 40), 99.0, 1700));
  feed(quote(at(9, 15, 59), 101.0, 2000));
  EXPECT_TRUE(closed.empty());
  feed(quote(at(9, 16, 0), 102.0, 2100));
  ASSERT_EQ(closed.size(), 1u);
  const Candle& c = closed[0];
  EXPECT_EQ(c.start, at(9, 15));
  EXPECT_DOUBLE_EQ(c.open, 100.0);
  EXPECT_DOUBLE_EQ(c.high, 103.0);
  EXPECT_DOUBLE_EQ(c.low, 99.0);
  EXPECT_DOUBLE_EQ(c.close, 101.0);
  // Joined in the opening minute: the whole day volume so far is this candle's.
  EXPECT_EQ(c.volume, 2000u);
  EXPECT_TRUE(c.volume_known);
  EXPECT_FALSE(c.partial);
  EXPECT_EQ(c.ticks, 4u);
  EXPECT_EQ(builder.forming()->volume, 100u);
}

TEST_F(CandleBuilderTest, FirstPacketOfDayJoinedLateOnlySetsBaseline) {
  feed(quote(at(10, 30, 5), 100.0, 500000));
  feed(quote(at(10, 30, 30), 101.0, 500300));
  feed(quote(at(10, 31, 0), 101.0, 500400));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].volume, 300u);
  EXPECT_TRUE(closed[0].partial);
  EXPECT_FALSE(builder.forming()->partial);
}

TEST_F(CandleBuilderTest, TimerClosesIlliquidCandleAfterGrace) {
  feed(quote(at(9, 20, 10), 100.0, 10));
  builder.on_timer(at(9, 21, 1), rules, closed);
  EXPECT_TRUE(closed.empty()) << "grace not yet passed";
  builder.on_timer(at(9, 21, 2), rules, closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].start, at(9, 20));
  EXPECT_FALSE(builder.forming());
  // A minute without trades produces no candle by default.
  builder.on_timer(at(9, 30, 0), rules, closed);
  EXPECT_EQ(closed.size(), 1u);
}

TEST_F(CandleBuilderTest, LateTickAfterTimerCloseIsDroppedNotReopened) {
  feed(quote(at(9, 20, 10), 100.0, 10));
  builder.on_timer(at(9, 21, 5), rules, closed);
  EXPECT_EQ(feed(quote(at(9, 20, 50), 105.0, 20)), TickOutcome::kOutOfOrder);
  // The same last trade repeated (quote without a trade) is a duplicate.
  EXPECT_EQ(feed(quote(at(9, 20, 10), 100.0, 10)), TickOutcome::kDuplicate);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_DOUBLE_EQ(closed[0].high, 100.0);
}

TEST_F(CandleBuilderTest, OutOfOrderPacketIsIgnored) {
  feed(quote(at(9, 15, 30), 100.0, 100));
  EXPECT_EQ(feed(quote(at(9, 15, 10), 90.0, 50)), TickOutcome::kOutOfOrder);
  feed(quote(at(9, 16, 0), 100.0, 120));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_DOUBLE_EQ(closed[0].low, 100.0);
  EXPECT_EQ(closed[0].volume, 100u);
}

TEST_F(CandleBuilderTest, DuplicatePacketInFormingMinuteAddsNoVolume) {
  feed(quote(at(9, 15, 30), 100.0, 100));
  EXPECT_EQ(feed(quote(at(9, 15, 30), 100.0, 100)), TickOutcome::kAccepted);
  feed(quote(at(9, 16, 0), 100.0, 100));
  EXPECT_EQ(closed[0].volume, 100u);
}

TEST_F(CandleBuilderTest, FallingDayVolumeIsIgnored) {
  feed(quote(at(9, 15, 1), 100.0, 1000));
  feed(quote(at(9, 15, 2), 100.0, 900));
  feed(quote(at(9, 15, 3), 100.0, 1100));
  feed(quote(at(9, 16, 0), 100.0, 1100));
  EXPECT_EQ(closed[0].volume, 1100u);
}

TEST_F(CandleBuilderTest, TickerPacketsKeepVolumeAndOi) {
  Tick q = quote(at(9, 15, 1), 100.0, 1000);
  q.open_interest = 5000;
  feed(q);
  feed(ticker(at(9, 15, 30), 104.0));
  feed(quote(at(9, 15, 40), 103.0, 1200));
  feed(ticker(at(9, 16, 0), 103.0));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].volume, 1200u);
  EXPECT_EQ(closed[0].open_interest, 5000u);
  EXPECT_DOUBLE_EQ(closed[0].high, 104.0);
  EXPECT_EQ(builder.day_volume(), 1200u);
  EXPECT_EQ(builder.open_interest(), 5000u);
}

TEST_F(CandleBuilderTest, TickerOnlyCandleHasUnknownVolume) {
  feed(ticker(at(9, 15, 1), 100.0));
  feed(ticker(at(9, 16, 1), 100.0));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_FALSE(closed[0].volume_known);
  EXPECT_EQ(closed[0].volume, 0u);
}

TEST_F(CandleBuilderTest, PreOpenTicksAreKeptApart) {
  EXPECT_EQ(feed(quote(at(9, 7, 0), 98.0, 4000)), TickOutcome::kOffSession);
  EXPECT_FALSE(builder.forming());
  EXPECT_EQ(builder.ltp(), 98.0);
  feed(quote(at(9, 15, 0), 100.0, 4100));
  feed(quote(at(9, 16, 0), 100.0, 4200));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].start, at(9, 15));
  EXPECT_DOUBLE_EQ(closed[0].open, 100.0);
  EXPECT_EQ(closed[0].volume, 100u) << "pre-open volume must not count into 09:15";
}

TEST_F(CandleBuilderTest, NothingAfterSessionCloseCounts) {
  feed(quote(at(15, 29, 30), 100.0, 100));
  EXPECT_EQ(feed(quote(at(15, 30, 0), 120.0, 200)), TickOutcome::kOffSession);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].start, at(15, 29));
  EXPECT_DOUBLE_EQ(closed[0].high, 100.0);
  EXPECT_FALSE(builder.forming());
}

TEST_F(CandleBuilderTest, HolidayTicksBuildNothing) {
  rules.calendar = MarketCalendar(SessionHours{}, {std::chrono::year{2026} / std::chrono::November / 25});
  EXPECT_EQ(feed(quote(at(10, 0, 0), 100.0, 100)), TickOutcome::kOffSession);
  EXPECT_FALSE(builder.forming());
}

TEST_F(CandleBuilderTest, CustomSessionHoursForCommodities) {
  rules.calendar = MarketCalendar(SessionHours{9 * 3600, 23 * 3600 + 30 * 60}, {});
  EXPECT_EQ(feed(quote(at(22, 0, 0), 100.0, 100)), TickOutcome::kAccepted);
}

TEST_F(CandleBuilderTest, TimerDueIsWhenTheTimerFirstClosesTheFormingCandle) {
  EXPECT_EQ(builder.timer_due(rules), std::numeric_limits<IstSeconds>::max()) << "nothing forming";
  feed(quote(at(9, 20, 10), 100.0, 10));
  const IstSeconds due = builder.timer_due(rules);
  EXPECT_EQ(due, at(9, 21, 0) + rules.grace_seconds);
  builder.on_timer(due - 1, rules, closed);
  EXPECT_TRUE(closed.empty());
  builder.on_timer(due, rules, closed);
  EXPECT_EQ(closed.size(), 1u);
  EXPECT_EQ(builder.timer_due(rules), std::numeric_limits<IstSeconds>::max());
  feed(quote(at(9, 25, 0), 100.0, 20));
  EXPECT_EQ(builder.timer_due(rules), at(9, 26, 0) + rules.grace_seconds);
  rules.flat_candles = true;  // quiet minutes fill on any timer turn
  EXPECT_EQ(builder.timer_due(rules), std::numeric_limits<IstSeconds>::min());
}

TEST_F(CandleBuilderTest, FlatCandlesFillQuietMinutesWhenEnabled) {
  rules.flat_candles = true;
  feed(quote(at(9, 15, 1), 100.0, 10));
  builder.on_timer(at(9, 18, 2), rules, closed);
  ASSERT_EQ(closed.size(), 3u);  // 09:15 traded, 09:16 and 09:17 flat
  EXPECT_EQ(closed[1].start, at(9, 16));
  EXPECT_TRUE(closed[1].flat());
  EXPECT_DOUBLE_EQ(closed[2].close, 100.0);
  EXPECT_EQ(closed[2].volume, 0u);
  feed(quote(at(9, 20, 5), 101.0, 20));
  ASSERT_EQ(closed.size(), 5u);  // 09:18, 09:19 filled by the tick
  EXPECT_EQ(closed[4].start, at(9, 19));
}

TEST_F(CandleBuilderTest, FlatCandlesStopAtSessionClose) {
  rules.flat_candles = true;
  feed(quote(at(15, 28, 1), 100.0, 10));
  builder.on_timer(at(16, 0, 0), rules, closed);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[1].start, at(15, 29));
}

TEST_F(CandleBuilderTest, NextDayVolumeStartsFromZeroWhenConnectedThroughout) {
  feed(quote(at(15, 29, 0), 100.0, 900000));
  builder.on_timer(at(15, 31, 0), rules, closed);
  const IstSeconds thu = kSecondsPerDay;
  feed(quote(at(9, 40, 0) + thu, 100.0, 50));
  feed(quote(at(9, 41, 0) + thu, 100.0, 60));
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[1].volume, 50u);
  EXPECT_FALSE(closed[1].partial);
}

TEST_F(CandleBuilderTest, FeedGapMakesCandlePartialAndRebasesVolume) {
  feed(quote(at(9, 15, 1), 100.0, 100));
  builder.mark_gap();
  feed(quote(at(9, 15, 50), 100.0, 5000));
  feed(quote(at(9, 16, 0), 100.0, 5010));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_TRUE(closed[0].partial);
  EXPECT_EQ(closed[0].volume, 100u);
}

}  // namespace
}  // namespace fno::market
