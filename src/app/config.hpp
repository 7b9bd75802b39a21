// config.hpp
//
// The scanner's configuration: `config.json` parsed, defaulted and validated.
// Every invalid value is reported as one line naming the key, the value and
// what is allowed; unknown keys are warnings with the nearest known key.
// Credentials are never part of it (they come from the environment, see
// credentials.hpp) and a credential-looking key in the file is an error.
// Sections owned by later components (feed, history, instruments, telegram,
// universe, record) are kept as JSON for their owners to validate.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "market/calendar.hpp"
#include "record/record_options.hpp"

namespace fno::app {

// Thrown for any invalid configuration; what() is the user-facing message.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WebConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 5000;
};

// The Dhan live feed (`feed` section). Limits default to Dhan's documented ones.
struct FeedConfig {
  std::string url = "wss://api-feed.dhan.co";
  int connections = 5;                  // upper bound; only as many as the universe needs are opened
  int instruments_per_message = 100;    // some deployments report 50 in practice
  int message_interval_ms = 100;        // pacing between subscription messages
  int stall_timeout_seconds = 30;       // no data during market hours -> reconnect
  int budget_backoff_seconds = 180;     // wait after a 805 (connection budget exceeded) before reconnecting
  int queue_capacity = 32768;           // decoded packets waiting for the engine
  std::string ca_file;                  // trust only this CA (local simulator); empty = system store
};

struct StrategyConfig {
  bool enabled = true;
  boost::json::object params;  // strategy-specific; validated by the strategy
};

struct MarketConfig {
  std::set<std::chrono::year_month_day> holidays;
  // Per exchange segment name ("NSE_FNO", "MCX_COMM", ...); NSE default otherwise.
  std::map<std::string, market::SessionHours> sessions;
};

struct Config {
  // The seed project's nine keys, with its defaults (request_code: see README).
  int hist_days = 60;
  int lookback = 50;
  int ema_short = 8;
  int ema_long = 13;
  double volume_factor = 0.5;
  double price_threshold = 50.0;
  int batch_size = 200;
  int fetch_concurrency = 6;
  int request_code = 17;

  WebConfig web;
  FeedConfig feed;
  std::string db_path = "alerts.db";
  std::string backtest_dir;  // `backtest.dir`; empty: backtests/ beside db_path
  std::string log_dir = ".";
  std::string log_level = "info";
  MarketConfig market;
  std::map<std::string, StrategyConfig> strategies;
  record::RecordOptions record;  // validated by record/record_options.hpp
  // Raw sections for components that validate their own keys.
  boost::json::object sections;
};

struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;
  // What each scalar key accepts, recorded by the validation itself:
  // "feed.connections" -> {"type": "int", "min": 1, "max": 5}.
  boost::json::object schema;
};

// Parses JSON text; `source` names the file in messages. Throws ConfigError.
LoadedConfig parse_config(std::string_view json_text, std::string_view source = "config.json");

// Reads `path`; when it does not exist and `example` does, copies the example
// there first (first run). Throws ConfigError.
LoadedConfig load_config(const std::filesystem::path& path, const std::filesystem::path& example);

// `name` in the directory of db_path (history_cache.db, backtests, ...).
std::filesystem::path beside_db(const Config& config, std::string_view name);
// Where backtests are written and served from (`backtest.dir`).
std::filesystem::path backtest_dir(const Config& config);

// The effective configuration as JSON (no secrets: the config holds none).
boost::json::object to_json(const Config& config);

}  // namespace fno::app
