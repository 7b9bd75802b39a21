// backtest_report.hpp
//
// A backtest's results on disk, one directory per backtest named by its id:
//   signals.csv   every signal with its outcome (RFC 4180, IST times)
//   summary.json  the contract the dashboard's Backtest tab reads (README
//                 "Backtest"); beyond kMaxSummarySignals its "signals" array
//                 is an even sample of them ("signals_truncated": true)
//   summary.html  self-contained static page: dark theme, no external
//                 assets, an inline SVG chart of the signals; every text
//                 escaped
// and the reading side behind GET /api/backtests[/{id}]: ids are checked
// with web::valid_backtest_id (letters, digits, '.', '_', '-'; no leading
// '.'), so a request can never name a path outside the backtest directory.
// Blocking file I/O; no shared state.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/backtest.hpp"
#include "scan/param_sweep.hpp"

namespace fno::app {

inline constexpr std::size_t kMaxSummarySignals = 10000;

struct BacktestSignal {
  std::size_t run = 0;
  std::string symbol;
  scan::SignalOutcome outcome;
};

struct BacktestRun {
  scan::ParamCombo params;
  std::vector<scan::StrategyScore> scores;  // one per selected strategy, in --strategy order
};

struct BacktestSummary {
  std::string id;       // the directory name
  std::string created;  // "2026-12-01T07:48:09Z"
  std::vector<std::string> strategies;
  std::string from;  // "YYYY-MM-DD" (IST)
  std::string to;
  int horizon_minutes = 15;
  std::string source;          // "cache" | "rest" | "recording"
  std::string recording_file;  // source "recording" only
  std::size_t instruments = 0;
  std::size_t candles = 0;
  std::vector<BacktestRun> runs;
  std::vector<BacktestSignal> signals;  // all of them, by run then time
};

boost::json::object summary_json(const BacktestSummary& summary);
std::string summary_html(const BacktestSummary& summary);
// Header plus one row per signal.
std::string signals_csv(const BacktestSummary& summary);

// Writes the three files into `dir` (created; files replaced atomically).
// Throws std::runtime_error naming the file on I/O errors.
void write_backtest(const BacktestSummary& summary, const std::filesystem::path& dir);

// Summaries under `dir` without their "signals", newest first; unreadable
// entries are skipped (logged).
boost::json::array list_backtests(const std::filesystem::path& dir);
// The whole summary.json of `id`; nullopt for an invalid or unknown id.
std::optional<boost::json::object> load_backtest(const std::filesystem::path& dir, std::string_view id);

}  // namespace fno::app
