#include "app/api_backend.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>
#include <set>

#include "app/backtest_report.hpp"
#include "app/version.hpp"
#include "dhan/codec.hpp"
#include "util/atomic_file.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace fno::app {

namespace json = boost::json;

namespace {

// Keys a running scanner applies without a restart.
constexpr std::string_view kLiveKeys[] = {"log_level"};

std::optional<std::string> expiry_text(const std::optional<std::chrono::year_month_day>& day) {
  if (!day) return std::nullopt;
  return market::format_ist(market::ist_midnight(*day)).substr(0, 10);
}

// Deep merge of a settings patch: objects merge key by key, anything else replaces.
void merge(json::object& into, const json::object& patch) {
  for (const auto& [key, value] : patch) {
    if (value.is_object() && into.contains(key) && into.at(key).is_object()) {
      merge(into.at(key).as_object(), value.as_object());
    } else {
      into[key] = value;
    }
  }
}

}  // namespace

AppBackend::AppBackend(BackendParts parts) : parts_(std::move(parts)) {}

void AppBackend::set_feed_status(dhan::FeedStatus status) {
  std::lock_guard lock(feed_mutex_);
  feed_status_ = std::move(status);
}

void AppBackend::set_history_progress(web::HistoryProgress progress) {
  std::lock_guard lock(feed_mutex_);
  history_ = progress;
}

void AppBackend::set_replay_progress(web::ReplayProgress progress) {
  std::lock_guard lock(feed_mutex_);
  replay_ = std::move(progress);
}

std::optional<web::ApiError> AppBackend::refuse_change() const {
  if (parts_.read_only.empty()) return std::nullopt;
  return web::ApiError{409, "read_only", parts_.read_only, ""};
}

alerts::AlertReader& AppBackend::reader() {
  if (!reader_) reader_ = std::make_unique<alerts::AlertReader>(parts_.config.db_path);
  return *reader_;
}

alerts::WatchlistStore& AppBackend::watchlist_store() {
  if (!watchlists_) watchlists_ = std::make_unique<alerts::WatchlistStore>(parts_.config.db_path, std::chrono::seconds(5));
  return *watchlists_;
}

web::StatusReport AppBackend::status() {
  web::StatusReport r;
  r.version = kVersion;
  r.mode = parts_.mode;
  r.uptime_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - parts_.started).count();
  r.server_time_ms = util::utc_now_ms();
  const auto now = util::ist_now();
  r.market.open = parts_.calendar.is_open(now);
  r.market.next_open_ist = market::format_ist(parts_.calendar.next_open(now));
  r.market.next_close_ist = market::format_ist(parts_.calendar.next_close(now));
  {
    std::lock_guard lock(feed_mutex_);
    r.feed = feed_status_;
    r.history = history_;
    r.replay = replay_;
  }
  const EngineStats engine = parts_.engine->stats();
  r.active_symbols = engine.instruments;
  r.scanner = engine.scanner;
  r.alerts_by_strategy = engine.scanner.signals_by_strategy;
  r.store = parts_.alerts->store().status();
  if (parts_.telegram != nullptr) r.telegram = parts_.telegram->status();
  r.instrument_rows = parts_.instruments->size();
  r.instrument_master_age_seconds = parts_.master_age_seconds;
  r.queue_drops = {{"feed", r.feed.drops}, {"engine", engine.drops}, {"store", r.store.dropped},
                   {"alerts", parts_.alerts->refused()}};
  if (parts_.recorder != nullptr) r.queue_drops["recorder"] = parts_.recorder->status().drops;
  try {
    r.alerts_total = reader().count({});
    alerts::AlertFilter today;
    today.from_day = today.to_day = market::civil_date(now);
    r.alerts_today = reader().count(today);
  } catch (const std::exception& e) {
    r.reasons.push_back(std::string("alert database unreadable: ") + e.what());
  }
  if (r.store.degraded) r.reasons.push_back("alert store degraded: " + r.store.error);
  if (!r.feed.message.empty()) r.reasons.push_back("feed: " + r.feed.message);
  // Without a working feed the scanner cannot do its job at all.
  r.scanner_can_work = r.feed.health != dhan::FeedHealth::kAuthFailed &&
                       r.feed.health != dhan::FeedHealth::kTokenExpired &&
                       r.feed.health != dhan::FeedHealth::kNotSubscribed;
  return r;
}

std::vector<web::ScannerRow> AppBackend::scanner_rows() {
  std::vector<web::ScannerRow> out;
  for (auto& row : parts_.engine->board().rows()) {
    web::ScannerRow r;
    if (const auto index = parts_.instruments->find(row.key)) {
      const auto instrument = parts_.instruments->at(*index);
      r.underlying = instrument.underlying;
      r.type = dhan::instrument_type_name(instrument.type);
    }
    r.row = std::move(row);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<web::InstrumentInfo> AppBackend::search_instruments(std::string_view query, std::size_t limit) {
  std::vector<web::InstrumentInfo> out;
  for (const auto index : parts_.search->search(query, limit)) {
    const dhan::Instrument i = parts_.instruments->at(index);
    web::InstrumentInfo info;
    info.key = i.key;
    info.symbol = i.trading_symbol;
    info.name = i.display_name;
    info.underlying = i.underlying;
    info.type = dhan::instrument_type_name(i.type);
    info.expiry = expiry_text(i.expiry);
    if (dhan::is_option(i.type)) {
      info.strike = i.strike;
      info.option_type = i.option_type == dhan::OptionType::kCall ? "CE" : "PE";
    }
    info.lot_size = i.lot_size;
    out.push_back(std::move(info));
  }
  return out;
}

alerts::AlertPage AppBackend::alerts_page(const alerts::AlertFilter& filter, std::optional<alerts::PageCursor> after,
                                          int limit) {
  return reader().page(filter, after, limit);
}

std::string AppBackend::symbol_of(market::InstrumentKey key) const {
  if (const auto index = parts_.instruments->find(key)) return std::string(parts_.instruments->at(*index).trading_symbol);
  return {};
}

web::Watchlist AppBackend::to_api(const alerts::StoredWatchlist& list) const {
  web::Watchlist out{list.id, list.name, {}};
  for (const auto& key : list.items) out.items.push_back({key, symbol_of(key)});
  return out;
}

std::vector<web::Watchlist> AppBackend::watchlists() {
  std::vector<web::Watchlist> out;
  for (const auto& list : watchlist_store().all()) out.push_back(to_api(list));
  return out;
}

std::optional<web::Watchlist> AppBackend::watchlist(std::int64_t id) {
  const auto list = watchlist_store().get(id);
  if (!list) return std::nullopt;
  return to_api(*list);
}

std::optional<web::ApiError> AppBackend::check_instruments(const std::vector<market::InstrumentKey>& items) const {
  for (const auto& key : items) {
    if (!parts_.instruments->find(key)) {
      return web::ApiError{400, "invalid_parameter",
                           "unknown instrument " + std::string(dhan::segment_name(static_cast<dhan::Segment>(key.segment))) +
                               "/" + std::to_string(key.security_id),
                           "items"};
    }
  }
  return std::nullopt;
}

void AppBackend::notify_watchlists_changed(const std::vector<market::InstrumentKey>& before) {
  if (!parts_.on_watchlist_change) return;
  const auto after = watchlist_store().all_instruments();
  std::vector<market::InstrumentKey> added, removed;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(removed));
  if (!added.empty() || !removed.empty()) parts_.on_watchlist_change(std::move(added), std::move(removed));
}

web::Result<web::Watchlist> AppBackend::create_watchlist(std::string name, std::vector<market::InstrumentKey> items) {
  if (auto refused = refuse_change()) return *refused;
  if (name.empty() || name.size() > 100) return web::ApiError{400, "invalid_parameter", "name must be 1..100 characters", "name"};
  if (auto error = check_instruments(items)) return *error;
  const auto before = watchlist_store().all_instruments();
  const auto created = watchlist_store().create(name, items, util::utc_now_ms());
  if (!created) return web::ApiError{409, "conflict", "a watchlist named '" + name + "' already exists", "name"};
  notify_watchlists_changed(before);
  return to_api(*created);
}

web::Result<web::Watchlist> AppBackend::update_watchlist(std::int64_t id, web::WatchlistChange change) {
  if (auto refused = refuse_change()) return *refused;
  if (change.name && (change.name->empty() || change.name->size() > 100)) {
    return web::ApiError{400, "invalid_parameter", "name must be 1..100 characters", "name"};
  }
  if (change.items) {
    if (auto error = check_instruments(*change.items)) return *error;
  }
  const auto before = watchlist_store().all_instruments();
  try {
    const auto updated = watchlist_store().update(id, change.name, change.items, util::utc_now_ms());
    if (!updated) return web::ApiError{404, "not_found", "no watchlist " + std::to_string(id), ""};
    notify_watchlists_changed(before);
    return to_api(*updated);
  } catch (const alerts::WatchlistStore::NameTaken&) {
    return web::ApiError{409, "conflict", "a watchlist named '" + *change.name + "' already exists", "name"};
  }
}

std::optional<web::ApiError> AppBackend::delete_watchlist(std::int64_t id) {
  if (auto refused = refuse_change()) return refused;
  const auto before = watchlist_store().all_instruments();
  if (!watchlist_store().remove(id)) return web::ApiError{404, "not_found", "no watchlist " + std::to_string(id), ""};
  notify_watchlists_changed(before);
  return std::nullopt;
}

json::object AppBackend::settings() { return to_json(parts_.config); }

std::vector<std::string> AppBackend::restart_required_keys() {
  std::vector<std::string> keys;
  for (const auto& [key, value] : to_json(parts_.config)) {
    if (std::find(std::begin(kLiveKeys), std::end(kLiveKeys), key) == std::end(kLiveKeys)) keys.emplace_back(key);
  }
  return keys;
}

web::Result<web::SettingsUpdate> AppBackend::update_settings(const json::object& patch) {
  if (auto refused = refuse_change()) return *refused;
  json::object merged = to_json(parts_.config);
  merge(merged, patch);
  LoadedConfig loaded;
  try {
    loaded = parse_config(json::serialize(merged), "settings");
    util::parse_log_level(loaded.config.log_level);
  } catch (const std::exception& e) {
    // "settings: <key> must be ..." -> field = <key>
    std::string message = e.what();
    const std::string prefix = "settings: ";
    if (message.starts_with(prefix)) message = message.substr(prefix.size());
    const std::string field = message.substr(0, message.find(' '));
    return web::ApiError{422, "invalid_setting", message, field};
  }
  const json::object before = to_json(parts_.config);
  const json::object after = to_json(loaded.config);
  web::SettingsUpdate update;
  for (const auto& [key, value] : after) {
    const json::value* old = before.if_contains(key);
    if (old && *old == value) continue;
    const bool live = std::find(std::begin(kLiveKeys), std::end(kLiveKeys), key) != std::end(kLiveKeys);
    (live ? update.applied : update.restart_required).emplace_back(key);
    parts_.alerts->store().record_setting_change(
        {util::utc_now_ms(), "dashboard", std::string(key), old ? json::serialize(*old) : "", json::serialize(value)});
  }
  util::replace_atomically(parts_.config_path, json::serialize(after) + "\n");
  if (loaded.config.log_level != parts_.config.log_level) {
    spdlog::set_level(util::parse_log_level(loaded.config.log_level));
  }
  spdlog::info("settings changed from the dashboard: applied [{}], after restart [{}]",
               fmt::join(update.applied, ", "), fmt::join(update.restart_required, ", "));
  parts_.config = std::move(loaded.config);
  update.settings = to_json(parts_.config);
  return update;
}

json::array AppBackend::strategies() {
  scan::ScannerConfig defaults;
  defaults.lookback = parts_.config.lookback;
  defaults.ema_short = parts_.config.ema_short;
  defaults.ema_long = parts_.config.ema_long;
  defaults.volume_factor = parts_.config.volume_factor;
  defaults.price_threshold = parts_.config.price_threshold;
  json::array out = scan::StrategyRegistry::with_builtins().to_json(defaults.strategy_defaults());
  for (auto& entry : out) {
    auto& obj = entry.as_object();
    const std::string id(obj.at("id").as_string());
    const auto it = parts_.config.strategies.find(id);
    obj["enabled"] = it == parts_.config.strategies.end() || it->second.enabled;
  }
  return out;
}

std::optional<web::ChartData> AppBackend::chart(market::InstrumentKey key) {
  auto future = parts_.engine->query([key](scan::Scanner& s) { return s.candles(key); });
  if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
    throw std::runtime_error("engine did not answer the chart query within 2 s");
  }
  auto series = future.get();
  if (!series) return std::nullopt;
  return web::ChartData{symbol_of(key), std::move(*series)};
}

json::array AppBackend::backtests() { return list_backtests(backtest_dir(parts_.config)); }

std::optional<json::object> AppBackend::backtest(std::string_view id) {
  return load_backtest(backtest_dir(parts_.config), id);
}

}  // namespace fno::app
