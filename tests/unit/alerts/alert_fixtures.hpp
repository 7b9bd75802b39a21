// alert_fixtures.hpp
//
// Test-only builder for alerts with distinct dedupe keys, shared by the
// alerts unit tests.
#pragma once

#include <string>

#include "alerts/alert.hpp"

namespace fno::alerts::testing {

// IST 2025-01-06 09:15:00 (a Monday), as UTC epoch ms.
inline constexpr std::int64_t kMondayOpenUtcMs = 1736135100LL * 1000;

// Alert number `n` of a synthetic session: one per instrument-minute, so
// every `n` has its own dedupe key.
inline Alert sample_alert(int n, std::string strategy = "breakout", std::int64_t time_ms = kMondayOpenUtcMs) {
  Alert a;
  a.time_ms = time_ms + std::int64_t{n} * 1000;
  a.created_ms = a.time_ms + 5;
  a.instrument = {2, static_cast<std::uint32_t>(40000 + n % 50)};
  a.trading_symbol = "RELIANCE-Jan2025-FUT-" + std::to_string(n % 50);
  a.underlying = n % 2 == 0 ? "RELIANCE" : "NIFTY";
  a.strategy = std::move(strategy);
  a.kind = n % 3 == 0 ? scan::SignalKind::kBearish : scan::SignalKind::kBullish;
  a.price = 100.0 + n;
  a.reason = "close 2450.5 crossed resistance 2440.1";
  a.numbers = {{"resistance", 2440.1}, {"volume", 1200.0 + n}};
  a.candle_time = market::ist_from_utc(kMondayOpenUtcMs / 1000) + std::int64_t{n} * 60;
  return a;
}

}  // namespace fno::alerts::testing
