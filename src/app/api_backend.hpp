// api_backend.hpp
//
// The app's answer to the web server's data questions (web::ApiBackend):
// joins the engine's snapshot board, the alert database, the instrument
// table and search index, watchlists, the configuration file and the feed
// status into the API's shapes. Called on the web worker thread, one call at
// a time, and never touches an object the network thread owns: the feed
// status and history progress arrive from it through `set_feed_status` /
// `set_history_progress` (mutex-guarded copies), a replay's progress
// likewise; Telegram and recorder status are their own thread-safe
// snapshots. Watchlist changes are passed to `on_watchlist_change`, which
// posts them to the threads that own the subscription and the scanner.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "alerts/reader.hpp"
#include "alerts/watchlists.hpp"
#include "app/alert_service.hpp"
#include "app/config.hpp"
#include "app/engine.hpp"
#include "dhan/instrument_search.hpp"
#include "market/calendar.hpp"
#include "record/recorder.hpp"
#include "web/backend.hpp"

namespace fno::app {

struct BackendParts {
  Config config;
  std::string config_path;
  std::string mode;  // "live" | "demo" | "replay"
  // Non-empty: why watchlist and settings changes are refused (a replay's
  // dashboard shows a past session and must not touch config.json).
  std::string read_only;
  Engine* engine = nullptr;
  AlertService* alerts = nullptr;
  std::shared_ptr<const dhan::InstrumentTable> instruments;
  std::shared_ptr<const dhan::InstrumentSearch> search;
  market::MarketCalendar calendar;
  std::chrono::steady_clock::time_point started;
  std::optional<double> master_age_seconds;
  const record::Recorder* recorder = nullptr;  // when record.enabled: its drops are a queue's
  const alerts::TelegramNotifier* telegram = nullptr;  // when configured
  boost::json::object settings_schema;  // LoadedConfig::schema
  boost::json::object secrets_set;      // Credentials::which_set()
  // Called with (added, removed) instruments after a watchlist change.
  std::function<void(std::vector<market::InstrumentKey>, std::vector<market::InstrumentKey>)> on_watchlist_change;
};

class AppBackend final : public web::ApiBackend {
 public:
  explicit AppBackend(BackendParts parts);

  // Network thread: the latest feed status for /api/status.
  void set_feed_status(dhan::FeedStatus status);
  // Network thread: history warm-up progress for /api/status.
  void set_history_progress(web::HistoryProgress progress);
  // Replay thread: how far the recording has played.
  void set_replay_progress(web::ReplayProgress progress);

  web::StatusReport status() override;
  // Rebuilt at most once per engine publish (board version), shared until the next.
  web::ScannerRows scanner_rows() override;
  std::vector<web::InstrumentInfo> search_instruments(std::string_view query, std::size_t limit) override;
  alerts::AlertPage alerts_page(const alerts::AlertFilter& filter, std::optional<alerts::PageCursor> after,
                                int limit) override;
  std::vector<web::Watchlist> watchlists() override;
  std::optional<web::Watchlist> watchlist(std::int64_t id) override;
  web::Result<web::Watchlist> create_watchlist(std::string name, std::vector<market::InstrumentKey> items) override;
  web::Result<web::Watchlist> update_watchlist(std::int64_t id, web::WatchlistChange change) override;
  std::optional<web::ApiError> delete_watchlist(std::int64_t id) override;
  boost::json::object settings() override;
  std::vector<std::string> restart_required_keys() override;
  boost::json::object settings_schema() override { return parts_.settings_schema; }
  boost::json::object secrets_set() override { return parts_.secrets_set; }
  web::Result<web::SettingsUpdate> update_settings(const boost::json::object& patch) override;
  boost::json::array strategies() override;
  std::optional<web::ChartData> chart(market::InstrumentKey key) override;
  boost::json::array backtests() override;
  std::optional<boost::json::object> backtest(std::string_view id) override;

 private:
  alerts::AlertReader& reader();
  alerts::WatchlistStore& watchlist_store();
  web::Watchlist to_api(const alerts::StoredWatchlist& list) const;
  std::string symbol_of(market::InstrumentKey key) const;
  std::optional<web::ApiError> check_instruments(const std::vector<market::InstrumentKey>& items) const;
  void notify_watchlists_changed(const std::vector<market::InstrumentKey>& before);
  std::optional<web::ApiError> refuse_change() const;

  BackendParts parts_;
  std::unique_ptr<alerts::AlertReader> reader_;        // opened lazily on the worker thread
  std::unique_ptr<alerts::WatchlistStore> watchlists_;  // idem
  web::ScannerRows scanner_rows_;  // worker thread only
  std::uint64_t scanner_rows_version_ = 0;
  std::mutex feed_mutex_;
  dhan::FeedStatus feed_status_;
  web::HistoryProgress history_;
  std::optional<web::ReplayProgress> replay_;
};

}  // namespace fno::app
