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

TEST(CandleSeries, StorageGrowsWithTheCandlesHeldAndStopsAtCapacity) {
  CandleSeries series(425);
  EXPECT_EQ(series.heap_bytes(), 0u);
  series.push(candle_at(0, 100));
  const std::size_t one = series.heap_bytes();
  EXPECT_GT(one, 0u);
  EXPECT_LE(one, 16u * 32u);
  for (int i = 1; i < 1000; ++i) series.push(candle_at(60 * i, 100 + i));
  EXPECT_EQ(series.size(), 425u);
  EXPECT_EQ(series.heap_bytes(), 425u * 32u);  // exactly the capacity, packed
  EXPECT_EQ(series[0].start, 60 * (1000 - 425));
  EXPECT_EQ(series.back().start, 60 * 999);
}

TEST(CandleSeries, WrapsInOrderAcrossTheGrowthSteps) {
  CandleSeries series(20);  // grows 16 -> 20, then wraps
  for (int i = 0; i < 47; ++i) {
    series.push(candle_at(60 * i, 100 + i));
    const std::size_t n = series.size();
    ASSERT_EQ(n, std::min<std::size_t>(static_cast<std::size_t>(i) + 1, 20u));
    for (std::size_t k = 0; k < n; ++k) {
      ASSERT_EQ(series[k].start, 60 * (i + 1 - static_cast<int>(n) + static_cast<int>(k))) << i << " " << k;
    }
  }
  series.clear();
  EXPECT_TRUE(series.empty());
  series.push(candle_at(6000, 1));
  EXPECT_EQ(series[0].start, 6000);
}

}  // namespace
}  // namespace fno::market
