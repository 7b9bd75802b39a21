// web_test_backend.hpp
//
// An in-test ApiBackend for the web integration tests: small fixed data
// (three scanner rows, alerts, watchlists, settings) held in memory. It is a
// second implementation of the app-facing interface, not a stand-in for the
// server: every test talks to the real server over loopback sockets.
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>

#include "web/backend.hpp"

namespace fno::web::test {

// A row as the engine publishes it to the hub.
inline scan::DeltaRow make_delta_row(std::uint32_t id, std::string symbol, double ltp, std::optional<double> distance,
                                     bool ready) {
  scan::DeltaRow row;
  row.key = {2, id};
  row.symbol = std::make_shared<const std::string>(std::move(symbol));
  row.version = id;
  row.ltp = ltp;
  row.distance_to_breakout_pct = distance;
  row.closed_candles = ready ? 60u : 10u;
  row.warmups = std::make_shared<const std::vector<scan::StrategyWarmup>>(1, scan::StrategyWarmup{"breakout", 51});
  return row;
}

inline scan::SnapshotRow make_row(std::uint32_t id, std::string symbol, double ltp, std::optional<double> distance,
                                  bool ready) {
  return make_delta_row(id, std::move(symbol), ltp, distance, ready).row();
}

inline alerts::Alert make_alert(std::int64_t id, std::string symbol, std::string reason) {
  alerts::Alert alert;
  alert.id = id;
  alert.time_ms = 1764060000000 + id * 1000;
  alert.created_ms = alert.time_ms + 5;
  alert.instrument = {2, 52175};
  alert.trading_symbol = std::move(symbol);
  alert.underlying = "RELIANCE";
  alert.strategy = "breakout";
  alert.price = 2451.5;
  alert.reason = std::move(reason);
  alert.numbers = {{"resistance", 2449.1}};
  alert.candle_time = market::ist_from_utc(alert.time_ms / 1000 - 60);
  return alert;
}

class TestBackend : public ApiBackend {
 public:
  TestBackend() {
    rows_ = {{make_row(1, "RELIANCE-Nov2026-FUT", 2451.5, 0.4, true), "RELIANCE", "FUTSTK"},
             {make_row(2, "NIFTY-Nov2026-FUT", 24100.0, 3.0, false), "NIFTY", "FUTIDX"},
             {make_row(3, "TCS-Nov2026-FUT", 40.0, std::nullopt, true), "TCS", "FUTSTK"}};
    for (std::int64_t id = 1; id <= 2500; ++id) alerts_.push_back(make_alert(id, "RELIANCE-Nov2026-FUT", "close crossed resistance, =cmd"));
  }

  std::mutex mu;
  bool can_work = true;
  int status_calls = 0;

  StatusReport status() override {
    std::lock_guard lock(mu);
    ++status_calls;
    StatusReport r;
    r.version = "0.1.0";
    r.mode = "demo";
    r.scanner_can_work = can_work;
    if (!can_work) r.reasons.push_back("no instruments");
    r.active_symbols = rows_.size();
    r.alerts_total = static_cast<std::int64_t>(alerts_.size());
    r.feed.health = dhan::FeedHealth::kOk;
    r.feed.connections.push_back(dhan::ConnectionStatus{0, dhan::ConnectionState::kStreaming, 3, 100, 1.5, 0.2, 1, 0, ""});
    r.feed.decode.packets[2] = 100;
    r.scanner.signals_by_strategy["breakout"] = 4;
    r.alerts_by_strategy["breakout"] = 4;
    r.queue_drops["engine"] = 0;
    r.store_commit_p99_seconds = 0.002;
    return r;
  }

  // A fresh pointer per call unless publish_rows() shared one, as the app does per engine publish.
  ScannerRows scanner_rows() override {
    std::lock_guard lock(mu);
    return published_ ? published_ : std::make_shared<const std::vector<ScannerRow>>(rows_);
  }
  void publish_rows(std::vector<ScannerRow> rows) {
    std::lock_guard lock(mu);
    published_ = std::make_shared<const std::vector<ScannerRow>>(std::move(rows));
  }
  const std::vector<ScannerRow>& initial_rows() const { return rows_; }

  std::vector<InstrumentInfo> search_instruments(std::string_view query, std::size_t limit) override {
    std::vector<InstrumentInfo> out;
    for (const auto& row : rows_) {
      if (row.row.symbol.find(query) != std::string::npos && out.size() < limit) {
        out.push_back(InstrumentInfo{row.row.key, row.row.symbol, row.row.symbol, row.underlying, row.type,
                                     "2026-11-27", std::nullopt, std::nullopt, 250});
      }
    }
    return out;
  }

  alerts::AlertPage alerts_page(const alerts::AlertFilter& filter, std::optional<alerts::PageCursor> after,
                                int limit) override {
    alerts::AlertPage page;
    // Newest first, keyset on (time_ms, id).
    for (auto it = alerts_.rbegin(); it != alerts_.rend(); ++it) {
      if (after && (it->time_ms > after->time_ms || (it->time_ms == after->time_ms && it->id >= after->id))) continue;
      if (!filter.strategy.empty() && it->strategy != filter.strategy) continue;
      if (!filter.trading_symbol.empty() && it->trading_symbol != filter.trading_symbol) continue;
      if (static_cast<int>(page.alerts.size()) == limit) {
        page.next = alerts::PageCursor{page.alerts.back().time_ms, page.alerts.back().id};
        break;
      }
      page.alerts.push_back(*it);
    }
    return page;
  }

  std::vector<Watchlist> watchlists() override { return lists_; }
  std::optional<Watchlist> watchlist(std::int64_t id) override {
    for (const auto& list : lists_) {
      if (list.id == id) return list;
    }
    return std::nullopt;
  }
  Result<Watchlist> create_watchlist(std::string name, std::vector<market::InstrumentKey> items) override {
    for (const auto& list : lists_) {
      if (list.name == name) return ApiError{409, "conflict", "a watchlist with that name exists", "name"};
    }
    Watchlist list{static_cast<std::int64_t>(lists_.size() + 1), std::move(name), {}};
    for (const auto key : items) list.items.push_back({key, "SYM" + std::to_string(key.security_id)});
    lists_.push_back(list);
    return list;
  }
  Result<Watchlist> update_watchlist(std::int64_t id, WatchlistChange change) override {
    for (auto& list : lists_) {
      if (list.id != id) continue;
      if (change.name) list.name = *change.name;
      if (change.items) {
        list.items.clear();
        for (const auto key : *change.items) list.items.push_back({key, "SYM" + std::to_string(key.security_id)});
      }
      return list;
    }
    return ApiError{404, "not_found", "no such watchlist", {}};
  }
  std::optional<ApiError> delete_watchlist(std::int64_t id) override {
    if (std::erase_if(lists_, [id](const Watchlist& l) { return l.id == id; }) == 0) {
      return ApiError{404, "not_found", "no such watchlist", {}};
    }
    return std::nullopt;
  }

  boost::json::object settings() override { return settings_; }
  std::vector<std::string> restart_required_keys() override { return {"web.bind", "web.port"}; }
  Result<SettingsUpdate> update_settings(const boost::json::object& patch) override {
    if (const auto* lookback = patch.if_contains("lookback")) {
      if (!lookback->is_int64() || lookback->get_int64() < 2) {
        return ApiError{422, "invalid_setting", "lookback must be an integer >= 2", "lookback"};
      }
      settings_["lookback"] = *lookback;
    }
    return SettingsUpdate{settings_, {"lookback"}, {}};
  }

  boost::json::array strategies() override {
    return boost::json::array{boost::json::object{{"id", "breakout"}, {"name", "Resistance breakout"}, {"enabled", true}}};
  }

  std::optional<ChartData> chart(market::InstrumentKey key) override {
    if (key != market::InstrumentKey{2, 52175}) return std::nullopt;
    ChartData data{"RELIANCE-Nov2026-FUT", {}};
    for (int i = 0; i < 3; ++i) {
      market::Candle c;
      c.start = market::ist_from_utc(1764059880 + i * 60);
      c.open = c.high = c.low = c.close = 2450 + i;
      c.volume = 100;
      c.volume_known = true;
      c.ticks = 1;
      data.series.candles.push_back(c);
      data.series.resistance.push_back(i == 0 ? std::nullopt : std::optional<double>(2449.1));
      data.series.ema_short.push_back(2440.0);
      data.series.ema_long.push_back(2439.0);
    }
    return data;
  }

 private:
  std::vector<ScannerRow> rows_;
  ScannerRows published_;
  std::vector<alerts::Alert> alerts_;
  std::vector<Watchlist> lists_;
  boost::json::object settings_{{"lookback", 50}, {"web", boost::json::object{{"bind", "127.0.0.1"}, {"port", 5000}}}};
};

}  // namespace fno::web::test
