// scanner_config.hpp
//
// Everything the Scanner needs, as a plain struct the app fills from its
// Config (scan/ does not depend on app/). Defaults match the seed and
// DESIGN.md "Domain rules".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "market/calendar.hpp"
#include "market/candle_builder.hpp"
#include "scan/strategy.hpp"
#include "scan/strategy_registry.hpp"

namespace fno::scan {

struct ScannerConfig {
  // The seed's top-level keys: defaults for the built-in strategies' parameters.
  int lookback = 50;
  int ema_short = 8;
  int ema_long = 13;
  double volume_factor = 0.5;
  double price_threshold = 50.0;

  int timer_grace_seconds = 2;       // a candle closes at minute end + grace without a later tick
  std::size_t series_capacity = 400;  // closed candles kept per instrument (one session)
  bool flat_candles = false;          // emit zero-volume candles for minutes without trades
  // Session hours keyed by numeric exchange segment (NSE_FNO = 2, MCX_COMM = 5);
  // segments not listed use SessionHours{} (09:15-15:30).
  std::map<std::uint8_t, market::SessionHours> sessions;
  std::set<std::chrono::year_month_day> holidays;
  // Every segment trades around the clock, every day (demo simulator outside
  // market hours); overrides `sessions` and `holidays`.
  bool always_open = false;
  // config.strategies.<id>; strategies not listed run with defaults.
  std::map<std::string, StrategySettings> strategies;

  StrategyDefaults strategy_defaults() const {
    return StrategyDefaults{lookback, ema_short, ema_long, volume_factor, price_threshold};
  }
};

// How candles are cut for one exchange segment under `config` (session
// calendar, timer grace, flat candles): what the Scanner's builders use.
market::CandleRules candle_rules(const ScannerConfig& config, std::uint8_t segment);

}  // namespace fno::scan
