#include "market/candle_series.hpp"

#include <gtest/gtest.h>

namespace fno::market {
namespace {

Candle candle_at(IstSeconds start, double close) {
  Candle c;
  c.start = start;
  c.open = c.high = c.low = c.close = close;
  c.volume = 100;
  c.volume_known = true;
  c.ticks = 3;
  return c;
}

TEST(CandleSeries, KeepsOrderAndDropsOldestWhenFull) {
  CandleSeries series(3);
  for (int i = 0; i < 5; ++i) series.push(candle_at(60 * i, 100 + i));
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].start, 120);
  EXPECT_EQ(series[2].start, 240);
  EXPECT_DOUBLE_EQ(series.back().close, 104.0);
}

TEST(CandleSeries, RoundTripsFieldsAtFeedPrecision) {
  CandleSeries series(2);
  Candle c = candle_at(20782LL * 86400 + 9 * 3600 + 15 * 60, 2451.35);
  c.high = 2460.05;
  c.low = 2440.2;
  c.open_interest = 123456;
  c.partial = true;
  c.volume_known = false;
  series.push(c);
  const Candle back = series.back();
  EXPECT_EQ(back.start, c.start);
  EXPECT_NEAR(back.close, 2451.35, 1e-3);  // float32, as on the wire
  EXPECT_NEAR(back.high, 2460.05, 1e-3);
  EXPECT_EQ(back.open_interest, 123456u);
  EXPECT_EQ(back.ticks, 3u);
  EXPECT_TRUE(back.partial);
  EXPECT_FALSE(back.volume_known);
}

TEST(CandleSeries, DefaultSessionFitsMemoryTarget) {
  const CandleSeries series(400);
  EXPECT_LE(series.heap_bytes(), 400u * 32u);
}

}  // namespace
}  // namespace fno::market
