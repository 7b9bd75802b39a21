// history_options.hpp
//
// Settings of the history warm-up and the parser of the config's `history`
// section. `hist_days` and `fetch_concurrency` are top-level config keys and
// the credentials come from the credential loader: the app copies them in.
// Pure value code.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "dhan/history_rate_limit.hpp"
#include "market/calendar.hpp"

namespace fno::dhan {

inline constexpr const char* kDefaultHistoryUrl = "https://api.dhan.co/v2";

struct HistoryOptions {
  std::string base_url = kDefaultHistoryUrl;
  std::string client_id;
  std::string access_token;
  int hist_days = 60;         // calendar days back from today; 0 disables the warm-up
  int fetch_concurrency = 6;  // requests in flight
  double requests_per_second = 5.0;  // Dhan's data-API limit
  // How long after our send the server counts a request at the latest
  // (history_rate_limit.hpp); a 429 doubles it for the rest of the run.
  std::chrono::milliseconds admission_bound{RequestRateLimiter::kDefaultAdmissionBound};
  int max_retries = 4;               // per request: network errors, 5xx, DH-908/909
  int max_rate_limit_retries = 20;   // per request: 429 / DH-904
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30'000};
  std::chrono::milliseconds request_timeout{30'000};
  // Candles handed to the scanner per instrument (the newest ones): it keeps
  // the last 400, so more would only be thrown away on the engine thread.
  std::size_t deliver_candles = 400;
  std::filesystem::path cache_path;  // SQLite candle cache; empty: no cache
  market::MarketCalendar calendar;   // which minutes are session minutes
};

// Reads the `history` section (keys: url, requests_per_second,
// admission_bound_ms, max_retries,
// max_rate_limit_retries, backoff_initial_ms, backoff_max_ms, timeout_ms,
// deliver_candles, cache_path) over the defaults. Throws
// std::invalid_argument naming the offending key, also for unknown keys.
HistoryOptions parse_history_options(const boost::json::object& section);

}  // namespace fno::dhan
