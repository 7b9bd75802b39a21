// Backtest reports: the summary.json contract, the signal cap (an even
// sample), escaping in every output, and the directory listing the API serves.
#include "app/backtest_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>

#include "support/child_process.hpp"

namespace fno::app {
namespace {

namespace json = boost::json;

BacktestSignal signal_at(std::size_t run, market::IstSeconds time, std::string reason = "close > resistance") {
  scan::Signal s;
  s.instrument = {2, 49229};
  s.strategy = "breakout";
  s.price = 187.8000030517578;  // a float32 price read back as double
  s.candle_time = time;
  s.reason = std::move(reason);
  return BacktestSignal{run, "NIFTY-FUT", scan::SignalOutcome{s, 188.9, 0.5857, scan::OutcomeGap::kNone}};
}

BacktestSummary summary_with(std::size_t signals) {
  BacktestSummary s;
  s.id = "20261201T074809Z-breakout";
  s.created = "2026-12-01T07:48:09Z";
  s.strategies = {"breakout"};
  s.from = s.to = "2026-11-25";
  s.source = "cache";
  s.runs = {BacktestRun{{{"lookback", json::value(20)}}, {scan::StrategyScore{"breakout"}}},
            BacktestRun{{{"lookback", json::value(50)}}, {scan::StrategyScore{"breakout"}}}};
  for (std::size_t i = 0; i < signals; ++i) s.signals.push_back(signal_at(i * 2 / signals, 1000 + 60 * i));
  return s;
}

TEST(BacktestReport, SummaryJsonKeepsTheContract) {
  BacktestSummary s = summary_with(2);
  s.runs[0].scores[0].add(s.signals[0].outcome);
  s.signals[1].outcome = {s.signals[1].outcome.signal, std::nullopt, std::nullopt, scan::OutcomeGap::kSessionEnd};
  const json::object j = json::parse(json::serialize(summary_json(s))).as_object();  // as a reader sees it
  for (const char* key : {"id", "created", "strategy", "from", "to", "horizon_minutes", "source", "instruments",
                          "candles", "runs", "signals", "signals_truncated"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  const auto& score = j.at("runs").as_array()[0].at("per_strategy").as_array()[0].as_object();
  EXPECT_EQ(score.at("signals").as_int64(), 1);
  EXPECT_DOUBLE_EQ(score.at("hit_rate").as_double(), 1.0);
  EXPECT_TRUE(j.at("runs").as_array()[1].at("per_strategy").as_array()[0].at("hit_rate").is_null());
  const auto& first = j.at("signals").as_array()[0].as_object();
  EXPECT_DOUBLE_EQ(first.at("price").as_double(), 187.8);
  EXPECT_EQ(first.at("kind").as_string(), "bullish");
  EXPECT_TRUE(first.at("hit").as_bool());
  const auto& open = j.at("signals").as_array()[1].as_object();
  EXPECT_TRUE(open.at("later_price").is_null());
  EXPECT_TRUE(open.at("move_pct").is_null());
  EXPECT_TRUE(open.at("hit").is_null());
  EXPECT_EQ(open.at("missing").as_string(), "session_end");
  EXPECT_FALSE(j.at("signals_truncated").as_bool());
}

TEST(BacktestReport, BeyondTheCapTheSignalsAreAnEvenSampleOfEveryRun) {
  const BacktestSummary s = summary_with(25'000);
  const json::object j = json::parse(json::serialize(summary_json(s))).as_object();  // as a reader sees it
  const auto& signals = j.at("signals").as_array();
  ASSERT_EQ(signals.size(), kMaxSummarySignals);
  EXPECT_TRUE(j.at("signals_truncated").as_bool());
  EXPECT_EQ(j.at("signals_total").as_int64(), 25'000);
  EXPECT_EQ(signals.front().at("run").as_int64(), 0);
  EXPECT_EQ(signals.back().at("run").as_int64(), 1) << "the second run is in the sample too";
  EXPECT_GT(signals.back().at("time").as_int64(), 1000 + 60 * 24'000);
  const std::string csv = signals_csv(s);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 25'001) << "the CSV has them all";
}

TEST(BacktestReport, EveryOutputEscapesText) {
  BacktestSummary s = summary_with(1);
  s.id = "x";
  s.signals[0] = signal_at(0, 1000, "=cmd|' /C calc'!A0, \"quoted\" <script>alert(1)</script>");
  s.signals[0].symbol = "<b>SYM</b>";
  const std::string csv = signals_csv(s);
  EXPECT_NE(csv.find(R"("'=cmd|' /C calc'!A0, ""quoted"" <script>)"), std::string::npos) << csv;
  const std::string html = summary_html(s);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>SYM"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "self-contained";
  EXPECT_EQ(json::parse(json::serialize(summary_json(s))).at("signals").as_array()[0].at("reason").as_string(),
            s.signals[0].outcome.signal.reason);
}

TEST(BacktestReport, ListingIsNewestFirstWithoutSignalsAndLoadRefusesBadIds) {
  test::TempDir dir("backtest-report");
  BacktestSummary older = summary_with(3);
  older.id = "older";
  older.created = "2026-12-01T07:00:00Z";
  BacktestSummary newer = summary_with(3);
  newer.id = "newer";
  newer.created = "2026-12-01T08:00:00Z";
  write_backtest(older, dir.path() / "older");
  write_backtest(newer, dir.path() / "newer");
  std::filesystem::create_directories(dir.path() / "broken");
  std::ofstream(dir.path() / "broken" / "summary.json") << "[1, 2";
  std::filesystem::create_directories(dir.path() / "empty");
  const json::array list = list_backtests(dir.path());
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].at("id").as_string(), "newer");
  EXPECT_FALSE(list[0].as_object().contains("signals"));
  EXPECT_EQ(load_backtest(dir.path(), "older")->at("signals").as_array().size(), 3U);
  EXPECT_FALSE(load_backtest(dir.path(), "missing"));
  EXPECT_FALSE(load_backtest(dir.path(), "broken"));
  std::ofstream(dir.path() / "summary.json") << "{}";  // reachable only through a path trick
  for (const char* id : {"..", ".", "../backtest-report", "older/..", "", ".hidden"}) {
    EXPECT_FALSE(load_backtest(dir.path() / "older", id)) << id;
  }
  EXPECT_TRUE(list_backtests(dir.path() / "absent").empty());
}

}  // namespace
}  // namespace fno::app
