#include "web/json_text.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <limits>

#include "web/api_json.hpp"

namespace fno::web {
namespace {

namespace json = boost::json;

std::string string_text(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string number_text(double value) {
  std::string out;
  append_json_number(out, value);
  return out;
}

TEST(JsonText, StringsEscapeWhatJsonRequiresAndReadBackIntact) {
  EXPECT_EQ(string_text("NIFTY25DECFUT"), R"("NIFTY25DECFUT")");
  EXPECT_EQ(string_text("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  const std::string tricky = std::string("quote \" slash \\ bell \x07 nul ") + '\0' + " rupee \xe2\x82\xb9 end";
  EXPECT_EQ(json::parse(string_text(tricky)).as_string(), tricky);
  EXPECT_EQ(string_text(""), R"("")");
}

TEST(JsonText, DoublesRoundTripAndStayDoubles) {
  EXPECT_EQ(number_text(51.0), "51.0");
  EXPECT_EQ(number_text(-0.25), "-0.25");
  for (const double v : {1373.15, 0.1, 1e21, 1.5e-7, -2448.05, 123456789.125}) {
    const auto parsed = json::parse(number_text(v));
    ASSERT_TRUE(parsed.is_double()) << number_text(v);
    EXPECT_EQ(parsed.as_double(), v) << number_text(v);
  }
  EXPECT_EQ(number_text(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number_text(std::numeric_limits<double>::infinity()), "null");
  std::string out;
  append_json_number(out, std::optional<double>{});
  append_json_number(out, std::int64_t{-5});
  append_json_number(out, std::uint64_t{18446744073709551615u});
  EXPECT_EQ(out, "null-518446744073709551615");
}

ScannerRow sample_row() {
  ScannerRow r;
  r.row.key = {2, 52175};
  r.row.symbol = "RELIANCE-Dec2025-FUT";
  r.row.version = 42;
  r.row.ltp = 1373.15;
  r.row.prev_close = 1360.0;
  r.row.day_volume = 123456;
  r.row.resistance = 1372.77;
  r.row.last_candle = market::ist_from_utc(1764059940);
  r.row.readiness = {{"breakout", true, 60, 51}, {"ema_cross", false, 10, 14}};
  r.row.last_signal = scan::Signal{};
  r.row.last_signal->strategy = "breakout";
  r.row.last_signal->price = 1373.15;
  r.row.last_signal->time = market::ist_from_utc(1764060000);
  r.row.last_signal->reason = "TP \"1374\" > R";
  r.underlying = "RELIANCE";
  r.type = "FUTSTK";
  return r;
}

TEST(RowJson, WritesEveryMemberInOrderAndMarksWhereEachEnds) {
  const ScannerRow r = sample_row();
  RowText text;
  text.json = "stale";
  text.member_ends = {1, 2, 3};
  write_row_json(r, text);
  const auto parsed = json::parse(text.json).as_object();
  const std::vector<std::string> names = {
      "segment",    "security_id", "symbol",        "underlying",    "type",           "version",
      "ltp",        "prev_close",  "change_pct",    "day_volume",    "open_interest",  "resistance",
      "distance_to_breakout_pct", "ema_short",     "ema_long",      "average_volume", "last_candle_ms",
      "readiness",  "last_signal"};
  ASSERT_EQ(parsed.size(), names.size());
  ASSERT_EQ(text.member_ends.size(), names.size());
  std::size_t i = 0;
  std::size_t begin = 1;
  for (const auto& member : parsed) {
    EXPECT_EQ(member.key(), names[i]);
    // Each recorded span is exactly one "name":value member.
    const auto span = std::string_view(text.json).substr(begin, text.member_ends[i] - begin);
    const auto alone = json::parse("{" + std::string(span) + "}").as_object();
    ASSERT_EQ(alone.size(), 1u) << span;
    EXPECT_EQ(alone.begin()->value(), member.value()) << span;
    begin = text.member_ends[i] + 1;
    ++i;
  }
  EXPECT_EQ(parsed.at("segment"), "NSE_FNO");
  EXPECT_EQ(parsed.at("security_id"), 52175);
  EXPECT_EQ(parsed.at("symbol"), "RELIANCE-Dec2025-FUT");
  EXPECT_EQ(parsed.at("ltp"), 1373.15);
  EXPECT_EQ(parsed.at("day_volume"), 123456);
  EXPECT_TRUE(parsed.at("open_interest").is_null());
  EXPECT_TRUE(parsed.at("ema_short").is_null());
  EXPECT_EQ(parsed.at("last_candle_ms"), 1764059940000);
  EXPECT_EQ(parsed.at("readiness"),
            json::parse(R"([{"strategy":"breakout","ready":true,"candles":60,"needed":51},)"
                        R"({"strategy":"ema_cross","ready":false,"candles":10,"needed":14}])"));
  EXPECT_EQ(parsed.at("last_signal").at("reason"), "TP \"1374\" > R");
  EXPECT_EQ(parsed.at("last_signal").at("time_ms"), 1764060000000);
  EXPECT_EQ(parsed.at("last_signal").at("kind"), scan::to_string(r.row.last_signal->kind));

  ScannerRow bare;
  bare.row.key = {1, 7};
  write_row_json(bare, text);
  const auto empty = json::parse(text.json).as_object();
  EXPECT_EQ(empty.size(), names.size()) << "storage reused, nothing of the last row left";
  EXPECT_TRUE(empty.at("last_signal").is_null());
  EXPECT_TRUE(empty.at("readiness").as_array().empty());
}

}  // namespace
}  // namespace fno::web
