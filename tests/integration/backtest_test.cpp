// `fno-scanner backtest` end to end, the real binary each time:
// - recording: the simulator runs a scenario of scripted moves at 60x,
//   recorded through the real feed client; signals.csv and summary.json
//   must hold the scenario's ground truth (instrument, strategy, candle
//   window), they equal the alerts `replay` (the live path) stores from the
//   same file, and the check is shown to fail on a truth the run cannot hold;
// - cache: hand-made candles in a real history cache give exactly the known
//   breakout, its later price and move;
// - rest: the simulator's charts REST through the HistoryLoader;
// - bad parameters: one clear line, exit 2, before any candle is read;
// - web: the binary's server lists and serves the results and refuses
//   unknown ids and path tricks with the API's 404.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "alerts/reader.hpp"
#include "dhan/history_cache.hpp"
#include "market/calendar.hpp"
#include "sim/universe.hpp"
#include "support/child_process.hpp"
#include "support/sim_recording.hpp"
#include "unit/scan/strategy_test_support.hpp"

namespace fno::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr std::size_t kInstruments = 4;
constexpr double kSimSpeed = 60;  // one simulated minute per second
constexpr auto kSession = 37s;    // 37 simulated minutes

std::vector<sim::SimInstrument> universe() { return first_instruments(kInstruments); }

// After the 30-candle warm-up: an EMA cross (a 3-minute dip, then a rally)
// and two breakouts, each step from 15 s into its minute as the demo's are,
// so a 40 s breakout push lands in one candle. A 30-candle window keeps a
// random new high in the minute before a breakout (which would leave it no
// cross) rare; with the default 50 it would be rarer still but needs a
// minute of recording.
sim::Scenario scripted_moves() {
  const double first = sim::demo_first_step(market::ist_from_utc(std::time(nullptr)));
  sim::Scenario s;
  s.steps.push_back({.at = first + 30 * 60, .action = sim::Action::kEmaCross, .instrument = universe()[1].key});
  s.steps.push_back({.at = first + 32 * 60, .action = sim::Action::kBreakout, .instrument = universe()[0].key});
  s.steps.push_back({.at = first + 33 * 60, .action = sim::Action::kBreakout, .instrument = universe()[2].key});
  return s;
}

// Ground-truth alerts with no matching signal in summary.json, as text.
std::vector<std::string> unmatched(const std::vector<sim::ExpectedAlert>& expected, const json::array& signals) {
  std::vector<std::string> missing;
  for (const auto& e : expected) {
    bool found = false;
    for (const auto& v : signals) {
      const auto& s = v.as_object();
      found = found ||
              (s.at("security_id").to_number<std::int64_t>() == e.instrument.security_id &&
               s.at("strategy").as_string() == e.strategy && s.at("time").to_number<std::int64_t>() >= e.earliest &&
               s.at("time").to_number<std::int64_t>() <= e.latest);
    }
    if (!found)
      missing.push_back(e.strategy + " on " + std::to_string(e.instrument.security_id) + " in [" +
                        market::format_ist(e.earliest) + ", " + market::format_ist(e.latest) + "]");
  }
  return missing;
}

// One recording per process: every case of this file is its own ctest run.
TEST(BacktestRecording, SignalsContainTheScenarioGroundTruth) {
  TempDir dir("backtest-recording");
  const SimRecording recording =
      record_sim_session(dir.path() / "recordings", universe(), scripted_moves(), kSimSpeed, kSession, 15,
                         {.lookback = 30, .ema_short = 3, .ema_long = 5});
  // The simulator promises only what these rules accept (a breakout whose
  // candle already closed above resistance, or against the trend, is skipped).
  ASSERT_GE(recording.expected.size(), 2U) << "most scripted moves are ground truth";
  // No history before a recording: a 30-candle window so strategies warm
  // up from it; no cooldown, so a random signal of the same kind just before
  // a scripted one cannot hide it (a random bullish EMA 3/5 cross 4 minutes
  // before the scripted one did, under the default 5-minute cooldown).
  std::ofstream(dir.path() / "config.json") << R"({"lookback": 30, "ema_short": 3, "ema_long": 5,
      "strategies": {"breakout": {"cooldown_minutes": 0}, "ema_cross": {"cooldown_minutes": 0}}})";
  const auto run = run_to_completion({FNO_SCANNER_BIN, "backtest", "--strategy", "breakout,ema_cross", "--source",
                                      "recording:" + recording.file.string(), "--horizon", "2", "--param",
                                      "breakout.volume_factor=0.5,1", "--out", "first"},
                                     dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json::object s = json::parse(read_text(dir.path() / "first" / "summary.json")).as_object();
  EXPECT_EQ(s.at("id").as_string(), "first");
  EXPECT_EQ(s.at("source").as_string(), "recording");
  EXPECT_EQ(s.at("horizon_minutes").as_int64(), 2);
  EXPECT_EQ(s.at("instruments").as_int64(), static_cast<std::int64_t>(kInstruments));
  EXPECT_GT(s.at("candles").as_int64(), 4 * 30);
  ASSERT_EQ(s.at("runs").as_array().size(), 2U) << "volume_factor 0.5 and 1";
  const auto& run0 = s.at("runs").as_array()[0].as_object();
  EXPECT_DOUBLE_EQ(run0.at("params").as_object().at("breakout.volume_factor").to_number<double>(), 0.5);
  ASSERT_EQ(run0.at("per_strategy").as_array().size(), 2U);
  const auto& breakout = run0.at("per_strategy").as_array()[0].as_object();
  EXPECT_EQ(breakout.at("strategy").as_string(), "breakout");
  EXPECT_GE(breakout.at("signals").as_int64(), 2);
  EXPECT_LE(breakout.at("hits").as_int64(), breakout.at("evaluated").as_int64());

  const json::array& signals = s.at("signals").as_array();
  json::array run0_signals;
  for (const auto& v : signals) {
    if (v.at("run").as_int64() == 0) run0_signals.push_back(v);
  }
  const auto missing = unmatched(recording.expected, run0_signals);
  std::string seen;
  for (const auto& v : run0_signals) {
    seen += market::format_ist(v.at("time").as_int64()) + " " + std::to_string(v.at("security_id").as_int64()) + " " +
            std::string(v.at("strategy").as_string()) + ": " + std::string(v.at("reason").as_string()) + "\n";
  }
  EXPECT_TRUE(missing.empty()) << missing.front() << "\nsignals of run 0:\n" << seen << run.output;

  // The live path on the same file (codec, engine, alert store) raises the
  // same breakout and EMA-cross signals as run 0 (the configured settings).
  const auto replay =
      run_to_completion({FNO_SCANNER_BIN, "replay", recording.file.string(), "--db", "replay.db"}, dir.path());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t>> live, backtest;
  alerts::AlertReader reader(dir.path() / "replay.db");
  reader.for_each({}, [&](const alerts::Alert& a) {
    if (a.strategy != "volume_spike") live.emplace_back(a.instrument.security_id, a.strategy, a.candle_time);
    return true;
  });
  for (const auto& v : run0_signals) {
    backtest.emplace_back(v.at("security_id").as_int64(), std::string(v.at("strategy").as_string()),
                          v.at("time").as_int64());
  }
  std::sort(live.begin(), live.end());
  std::sort(backtest.begin(), backtest.end());
  EXPECT_EQ(backtest, live) << "signals of run 0:\n" << seen;

  // The check can fail: a ground truth the run cannot contain is reported.
  auto shifted = recording.expected;
  shifted[0].instrument = universe()[3].key;  // never driven
  shifted[0].earliest = shifted[0].latest = shifted[0].earliest - 3600;
  EXPECT_EQ(unmatched(shifted, signals).size(), 1U);

  // The same signals are rows of signals.csv (header + one row per signal).
  const std::string csv = read_text(dir.path() / "first" / "signals.csv");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), signals.size() + 1);
  for (const auto& e : recording.expected) {
    EXPECT_NE(csv.find(",NSE_FNO," + std::to_string(e.instrument.security_id) + "," + e.strategy + ",bullish,"),
              std::string::npos);
  }
  const std::string html = read_text(dir.path() / "first" / "summary.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "no external assets";
}

TEST(BacktestCli, BadParametersFailWithOneClearLineBeforeLoadingAnything) {
  TempDir dir("backtest-cli");
  std::ofstream(dir.path() / "config.json") << "{}";
  const auto bad = run_to_completion({FNO_SCANNER_BIN, "backtest", "--strategy", "breakout", "--source",
                                      "recording:absent.fnorec", "--param", "lookback=20,0"},
                                     dir.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("error: strategies.breakout.lookback must be an integer from 1 to 400, got 0"),
            std::string::npos)
      << bad.output;
  const auto unknown = run_to_completion({FNO_SCANNER_BIN, "backtest", "--strategy", "ema_cross", "--from",
                                          "2026-11-02", "--to", "2026-11-03", "--param", "lookback=20"},
                                         dir.path());
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("--param lookback: no selected strategy has the parameter 'lookback'"),
            std::string::npos)
      << unknown.output;
  const auto no_cache = run_to_completion(
      {FNO_SCANNER_BIN, "backtest", "--strategy", "breakout", "--from", "2026-11-02", "--to", "2026-11-03"},
      dir.path());
  EXPECT_EQ(no_cache.exit_code, 1) << no_cache.output;
  EXPECT_NE(no_cache.output.find("history_cache.db does not exist"), std::string::npos) << no_cache.output;
}

using scan::testing::bar;  // 2026-11-25 09:15 IST + minute

// A cache backtest of the known breakout, as `out`, in `dir`.
void cached_breakout_backtest(const TempDir& dir, const std::string& out) {
  const market::InstrumentKey key{2, 49229};
  std::vector<market::Candle> candles;
  for (int i = 0; i < 10; ++i) candles.push_back(bar(i, 100, 101, 99, 100, 1000));
  candles.push_back(bar(10, 100, 106, 100, 105, 3000));  // the breakout
  for (int i = 1; i <= 20; ++i) {
    candles.push_back(bar(10 + i, 104.5 + 0.5 * i, 105.5 + 0.5 * i, 104 + 0.5 * i, 105 + 0.5 * i, 1000));
  }
  {
    dhan::HistoryCache cache(dir.path() / "cache.db");
    cache.store(key, candles, {candles.front().start, candles.back().start + 60});
  }
  // The master URL answers nothing: results then name security ids.
  std::ofstream(dir.path() / "config.json") << R"({"lookback": 5, "ema_short": 2, "ema_long": 3,
      "history": {"cache_path": "cache.db"}, "backtest": {"dir": "bt"},
      "instruments": {"url": "http://127.0.0.1:9/master.csv", "cache_path": "master.csv"}})";
  const auto r = run_to_completion({FNO_SCANNER_BIN, "backtest", "--strategy", "breakout", "--from", "2026-11-25",
                                    "--to", "2026-11-25", "--horizon", "5", "--out", "bt/" + out},
                                   dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

TEST(BacktestCache, CachedCandlesGiveTheKnownBreakoutAndItsOutcome) {
  TempDir dir("backtest-cache");
  ASSERT_NO_FATAL_FAILURE(cached_breakout_backtest(dir, "out"));
  const auto s = json::parse(read_text(dir.path() / "bt" / "out" / "summary.json")).as_object();
  EXPECT_EQ(s.at("source").as_string(), "cache");
  EXPECT_EQ(s.at("instruments").as_int64(), 1);
  EXPECT_EQ(s.at("candles").as_int64(), 31);
  const auto& signals = s.at("signals").as_array();
  ASSERT_EQ(signals.size(), 1U);
  const auto& sig = signals[0].as_object();
  EXPECT_EQ(sig.at("security_id").as_int64(), 49229);
  EXPECT_EQ(sig.at("segment").as_string(), "NSE_FNO");
  EXPECT_EQ(sig.at("time").as_int64(), bar(10, 0, 0, 0, 0, 0).start);
  EXPECT_DOUBLE_EQ(sig.at("price").as_double(), 105);
  EXPECT_DOUBLE_EQ(sig.at("later_price").as_double(), 107.5);
  EXPECT_NEAR(sig.at("move_pct").as_double(), 2.5 / 105 * 100, 1e-9);
  EXPECT_TRUE(sig.at("hit").as_bool());
  const auto& score = s.at("runs").as_array()[0].at("per_strategy").as_array()[0].as_object();
  EXPECT_EQ(score.at("evaluated").as_int64(), 1);
  EXPECT_DOUBLE_EQ(score.at("hit_rate").as_double(), 1.0);
  EXPECT_NE(read_text(dir.path() / "bt" / "out" / "signals.csv")
                .find(",2026-11-25 09:25:00,49229,NSE_FNO,49229,breakout,bullish,105,"),
            std::string::npos);
}

TEST(BacktestWeb, ServerListsAndServesBacktestsAndRefusesPathTricks) {
  TempDir dir("backtest-web");
  ASSERT_NO_FATAL_FAILURE(cached_breakout_backtest(dir, "older"));
  std::this_thread::sleep_for(1100ms);  // "created" has whole seconds
  ASSERT_NO_FATAL_FAILURE(cached_breakout_backtest(dir, "newer"));
  const int port = free_port();
  ChildProcess scanner({FNO_SCANNER_BIN, "--demo", "--port", std::to_string(port)}, dir.path(), {},
                       dir.path() / "scanner.txt");
  ASSERT_TRUE(wait_for_http(port, "/api/status", 20s)) << scanner.output();

  const auto list = http_get(port, "/api/backtests");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  const auto entries = json::parse(list->body).at("backtests").as_array();
  ASSERT_EQ(entries.size(), 2U) << list->body;
  EXPECT_EQ(entries[0].at("id").as_string(), "newer") << "newest first";
  EXPECT_EQ(entries[1].at("id").as_string(), "older");
  EXPECT_FALSE(entries[0].as_object().contains("signals"));
  EXPECT_EQ(entries[0].at("runs").as_array().size(), 1U);

  const auto one = http_get(port, "/api/backtests/older");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(json::parse(one->body), json::parse(read_text(dir.path() / "bt" / "older" / "summary.json")));

  for (const std::string target :
       {"/api/backtests/nope", "/api/backtests/..", "/api/backtests/%2E%2E", "/api/backtests/..%2Fconfig.json",
        "/api/backtests/.hidden", "/api/backtests/older%2F..%2F..%2Fconfig.json"}) {
    const auto reply = http_get(port, target);
    ASSERT_TRUE(reply) << target;
    EXPECT_EQ(reply->status, 404) << target << ": " << reply->body;
    EXPECT_EQ(json::parse(reply->body).at("error").at("code").as_string(), "not_found") << target;
  }
  scanner.stop(SIGTERM, 10s);
}

// The last weekday before today (IST): a full session of simulator history.
std::chrono::year_month_day last_weekday() {
  market::IstSeconds day = market::day_start(market::ist_from_utc(std::time(nullptr))) - market::kSecondsPerDay;
  while (std::chrono::weekday(std::chrono::sys_days(market::civil_date(day))).iso_encoding() > 5) {
    day -= market::kSecondsPerDay;
  }
  return market::civil_date(day);
}

TEST(BacktestRest, FetchesTheSimulatorsChartsThroughTheHistoryLoader) {
  TempDir dir("backtest-rest");
  const int port = free_port();
  ChildProcess sim({FNO_SCANNER_BIN, "sim", "--port", std::to_string(port)}, dir.path(), {}, dir.path() / "sim.txt");
  ASSERT_TRUE(wait_for_http(port, "/master.csv", 10s)) << sim.output();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::ofstream(dir.path() / "config.json") << R"({"lookback": 5, "ema_short": 2, "ema_long": 3,
      "history": {"url": ")" << base << R"(/v2"},
      "instruments": {"url": ")" << base << R"(/master.csv", "cache_path": "master.csv"}})";
  const std::string day = market::format_ist(market::ist_midnight(last_weekday())).substr(0, 10);
  const auto& u = sim::default_universe();
  const auto r = run_to_completion(
      {FNO_SCANNER_BIN, "backtest", "--strategy", "breakout,ema_cross", "--source", "rest", "--from", day, "--to", day,
       "--instruments", u[0].symbol + ",NSE_FNO:" + std::to_string(u[1].key.security_id), "--out", "out"},
      dir.path(), {}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.output << sim.output();
  const auto s = json::parse(read_text(dir.path() / "out" / "summary.json")).as_object();
  EXPECT_EQ(s.at("source").as_string(), "rest");
  EXPECT_EQ(s.at("instruments").as_int64(), 2);
  EXPECT_EQ(s.at("candles").as_int64(), 2 * 375) << "one NSE session (09:15-15:30) each, nothing outside " << day;
  EXPECT_GT(s.at("signals_total").as_int64(), 0) << "a day of random walk with 5-candle windows crosses somewhere";
  for (const auto& v : s.at("signals").as_array()) {
    EXPECT_EQ(market::format_ist(v.at("time").as_int64()).substr(0, 10), day);
  }
  sim.stop(SIGTERM, 5s);
}

}  // namespace
}  // namespace fno::test
