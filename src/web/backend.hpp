// backend.hpp
//
// What the web server asks the rest of the scanner: the data behind every
// REST endpoint. The app implements ApiBackend with the real components
// (scanner snapshots, alert reader, instrument search, config, feed status);
// the web folder never depends on the app. Methods are called on the web
// worker thread (never an I/O or the engine thread), one call at a time,
// and may block briefly (SQLite reads, the atomic config write). They may
// throw std::exception for unexpected failures (answered as 500, logged);
// expected failures come back as ApiError values.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "alerts/reader.hpp"
#include "alerts/store.hpp"
#include "alerts/telegram.hpp"
#include "dhan/feed_client.hpp"
#include "market/instrument_key.hpp"
#include "scan/snapshot.hpp"

namespace fno::web {

// An expected failure: HTTP status plus the {"error": {...}} fields.
struct ApiError {
  int status = 400;
  std::string code;  // "invalid_parameter", "not_found", ...
  std::string message;
  std::string field;  // empty when no single input is at fault
};

template <class T>
using Result = std::variant<T, ApiError>;

// One scanner row plus the instrument facts the filters need.
struct ScannerRow {
  scan::SnapshotRow row;
  std::string underlying;
  std::string type;  // dhan::instrument_type_name(): "FUTSTK", ...
};

// The scanner rows as of one publish, shared and immutable. A backend hands
// out the same pointer until the rows change, so callers may cache what they
// derive from it (Api keeps the last /api/scanner answer per pointer).
using ScannerRows = std::shared_ptr<const std::vector<ScannerRow>>;

struct InstrumentInfo {
  market::InstrumentKey key;
  std::string symbol;
  std::string name;
  std::string underlying;
  std::string type;
  std::optional<std::string> expiry;  // "YYYY-MM-DD"
  std::optional<double> strike;
  std::optional<std::string> option_type;  // "CE" / "PE"
  std::uint32_t lot_size = 0;
};

struct MarketClock {
  bool open = false;
  std::string next_open_ist;  // "YYYY-MM-DD HH:MM:SS"
  std::string next_close_ist;
};

struct HistoryProgress {
  std::size_t done = 0;
  std::size_t total = 0;  // 0: no warm-up (hist_days 0)
  std::size_t failed = 0;
  std::optional<double> eta_seconds = std::nullopt;  // while the warm-up runs
};

// How far `fno-scanner replay --web` has played its recording.
struct ReplayProgress {
  std::string file;
  std::uint64_t frames = 0;
  std::uint64_t packets = 0;
  bool finished = false;  // the file ended; the dashboard keeps serving the result
};

// Everything /api/status and /metrics report, gathered by the app.
struct StatusReport {
  std::string version;
  std::string mode;  // "live" | "demo" | "replay"
  std::int64_t uptime_seconds = 0;
  std::int64_t server_time_ms = 0;
  // False when the scanner cannot work at all (status "down", HTTP 503).
  bool scanner_can_work = true;
  std::vector<std::string> reasons;  // why degraded / down, human text
  std::size_t active_symbols = 0;
  std::int64_t alerts_total = 0;
  std::int64_t alerts_today = 0;
  std::map<std::string, std::uint64_t> alerts_by_strategy;  // since start
  MarketClock market;
  dhan::FeedStatus feed;
  HistoryProgress history;
  std::optional<ReplayProgress> replay;  // mode "replay" only
  std::optional<double> instrument_master_age_seconds;
  std::size_t instrument_rows = 0;
  std::map<std::string, std::uint64_t> queue_drops;  // "feed", "engine", "store", ...
  alerts::StoreStatus store;
  alerts::TelegramStatus telegram;  // enabled = false when not configured
  scan::ScannerCounters scanner;
  std::optional<double> store_commit_p50_seconds;
  std::optional<double> store_commit_p99_seconds;
};

struct WatchlistItem {
  market::InstrumentKey key;
  std::string symbol;  // filled by the backend
};

// Note: the app owns watchlist storage (no shared type exists yet).
struct Watchlist {
  std::int64_t id = 0;
  std::string name;
  std::vector<WatchlistItem> items;
};

struct WatchlistChange {
  std::optional<std::string> name;
  std::optional<std::vector<market::InstrumentKey>> items;  // replaces all items
};

struct SettingsUpdate {
  boost::json::object settings;  // effective config after the change, secrets excluded
  std::vector<std::string> applied;
  std::vector<std::string> restart_required;
};

struct ChartData {
  std::string symbol;
  scan::ChartSeries series;
};

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  virtual StatusReport status() = 0;

  virtual ScannerRows scanner_rows() = 0;
  virtual std::vector<InstrumentInfo> search_instruments(std::string_view query, std::size_t limit) = 0;

  virtual alerts::AlertPage alerts_page(const alerts::AlertFilter& filter, std::optional<alerts::PageCursor> after,
                                        int limit) = 0;

  virtual std::vector<Watchlist> watchlists() = 0;
  virtual std::optional<Watchlist> watchlist(std::int64_t id) = 0;
  // Validates names/instruments (400/409) and updates the live subscription.
  virtual Result<Watchlist> create_watchlist(std::string name, std::vector<market::InstrumentKey> items) = 0;
  virtual Result<Watchlist> update_watchlist(std::int64_t id, WatchlistChange change) = 0;
  virtual std::optional<ApiError> delete_watchlist(std::int64_t id) = 0;

  // config.json keys, secrets excluded.
  virtual boost::json::object settings() = 0;
  virtual std::vector<std::string> restart_required_keys() = 0;
  // For the settings form: dotted key -> {"type", "min", "max"} as config.json
  // validates them, and which secrets are set (names -> bool, never values).
  virtual boost::json::object settings_schema() { return {}; }
  virtual boost::json::object secrets_set() { return {}; }
  // Validates `patch` merged into the config with config.json's rules (422
  // naming the key), writes config.json atomically, applies what is safe live.
  virtual Result<SettingsUpdate> update_settings(const boost::json::object& patch) = 0;

  // GET /api/strategies entries: StrategyRegistry::to_json() plus "enabled".
  virtual boost::json::array strategies() = 0;

  // Closed candles and indicator lines; nullopt for an unknown instrument.
  virtual std::optional<ChartData> chart(market::InstrumentKey key) = 0;

  // GET /api/backtests: the backtest summaries (summary.json without its
  // "signals"), newest first.
  virtual boost::json::array backtests() { return {}; }
  // GET /api/backtests/{id}: one whole summary.json; nullopt when unknown.
  // `id` has passed the API's strict check (letters, digits, . _ -).
  virtual std::optional<boost::json::object> backtest(std::string_view id) {
    (void)id;
    return std::nullopt;
  }
};

}  // namespace fno::web
