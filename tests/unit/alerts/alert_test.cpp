#include "alerts/alert.hpp"

#include <gtest/gtest.h>

namespace fno::alerts {
namespace {

TEST(Alert, MakeAlertConvertsExchangeTimeToUtcMs) {
  scan::Signal s;
  s.instrument = {2, 35001};
  s.strategy = "breakout";
  s.kind = scan::SignalKind::kBearish;
  s.price = 2450.5;
  s.time = 1736135100 + market::kIstOffsetSeconds;  // 09:15:00 IST as IST seconds
  s.candle_time = s.time;
  s.reason = "why";
  s.numbers = {{"resistance", 2440.1}};
  const Alert a = make_alert(s, "NIFTY25JANFUT", "NIFTY", 42);
  EXPECT_EQ(a.time_ms, 1736135100LL * 1000);
  EXPECT_EQ(a.created_ms, 42);
  EXPECT_EQ(a.trading_symbol, "NIFTY25JANFUT");
  EXPECT_EQ(a.kind, scan::SignalKind::kBearish);
  EXPECT_EQ(format_ist_ms(a.time_ms), "2025-01-06 09:15:00");
}

TEST(Alert, NumbersRoundTripThroughJson) {
  const std::vector<std::pair<std::string, double>> numbers = {{"resistance", 2440.1}, {"volume", 1200}};
  const auto back = numbers_from_json(numbers_to_json(numbers));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, numbers);
  EXPECT_EQ(numbers_to_json(numbers), R"({"resistance":2440.1,"volume":1200})");
  EXPECT_EQ(numbers_to_json({{"say \"x\"", 1.5}}), R"({"say \"x\"":1.5})");
  EXPECT_FALSE(numbers_from_json("[1,2]"));
  EXPECT_FALSE(numbers_from_json("{\"a\":\"x\"}"));
  EXPECT_FALSE(numbers_from_json("not json"));
}

TEST(Alert, ParsesKind) {
  EXPECT_EQ(parse_kind("bullish"), scan::SignalKind::kBullish);
  EXPECT_EQ(parse_kind("bearish"), scan::SignalKind::kBearish);
  EXPECT_FALSE(parse_kind("Bullish"));
}

}  // namespace
}  // namespace fno::alerts
