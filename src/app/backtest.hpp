// backtest.hpp
//
// `fno-scanner backtest`: loads closed 1-minute candles from a source
// (backtest_sources.hpp), runs the selected strategies over them once per
// parameter combination (`--param k=v1,v2`: the cartesian product, at most
// scan::kMaxSweepRuns runs, in parallel on up to hardware_concurrency
// threads, each with its own scan::Backtester), scores every signal at the
// horizon and writes signals.csv, summary.json and summary.html
// (backtest_report.hpp) into a directory of the backtest dir.
//
// Every run's strategy settings are validated before any candle is loaded,
// so a bad --param fails at once with the key, value and allowed range.
// Blocking; owns its worker threads for the duration of the call.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/backtest_report.hpp"
#include "app/backtest_sources.hpp"
#include "app/config.hpp"
#include "app/credentials.hpp"
#include "scan/param_sweep.hpp"

namespace fno::app {

struct BacktestOptions {
  std::vector<std::string> strategies;              // registry ids
  std::optional<std::chrono::year_month_day> from;  // IST dates, inclusive; required but for recordings
  std::optional<std::chrono::year_month_day> to;
  std::vector<std::string> instruments;  // trading symbols or SEGMENT:ID; empty: all in the source
  std::vector<scan::ParamAxis> params;
  int horizon_minutes = 15;
  CandleSource source;
  std::filesystem::path out_dir;  // empty: backtest_dir(config) / <UTC time>-<strategies>
  Config config;
  Credentials credentials;
};

struct BacktestOutcome {
  std::filesystem::path dir;
  BacktestSummary summary;
  std::string damage;  // recordings: read up to damage (results cover what was read)
};

// Throws scan::StrategyConfigError and std::invalid_argument for bad
// options, plus whatever load_candles() throws.
BacktestOutcome run_backtest(const BacktestOptions& options);

}  // namespace fno::app
