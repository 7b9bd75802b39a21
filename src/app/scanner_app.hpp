// scanner_app.hpp
//
// Wires the running scanner: owns the network io_context and its thread
// (feed, history, Telegram, signals), the dashboard (the web server on its
// own thread), the engine and the store; blocks in run()
// until SIGINT/SIGTERM, then stops every component within a bounded time.
#pragma once

#include <string>

#include "app/config.hpp"
#include "app/credentials.hpp"
#include "market/calendar.hpp"
#include "scan/scanner_config.hpp"

namespace fno::app {

enum class Mode { kDemo, kLive };

struct RunOptions {
  Config config;
  Credentials credentials;
  Mode mode = Mode::kDemo;
  std::string config_path;
};

// The scanner rules of a run (`always_open`: the demo's round-the-clock
// market); replay rebuilds a recorded run's scanner with it.
scan::ScannerConfig scanner_config(const Config& config, bool always_open);

// NSE F&O trading hours and holidays from `market` in config.json.
market::MarketCalendar nse_calendar(const Config& config);

// Runs until a stop signal; returns a process exit code.
int run_scanner(const RunOptions& options);

}  // namespace fno::app
