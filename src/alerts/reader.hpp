// reader.hpp
//
// Read side of the alert database for the API, CSV export and startup
// recovery: filtered newest-first pages with keyset pagination, counts per
// strategy and IST day, streaming iteration, pending outbox rows. Each
// AlertReader owns its own read-only connection (WAL lets it read while the
// store's writer commits) and is not thread-safe: one per thread. Never
// writes. Construction and queries throw SQLite::Exception on database errors.
#pragma once

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.hpp"

namespace fno::alerts {

struct AlertFilter {
  std::optional<std::chrono::year_month_day> from_day;  // IST calendar day, inclusive
  std::optional<std::chrono::year_month_day> to_day;    // IST calendar day, inclusive
  std::string trading_symbol;                           // exact; empty = any
  std::string underlying;                               // exact; empty = any
  std::string strategy;                                 // exact; empty = any
  std::optional<scan::SignalKind> kind;
  std::optional<double> min_price;
};

// Position after the last row of a page (alerts are ordered by time_ms, then
// id, both descending). Rows inserted later never shift a cursor's page.
struct PageCursor {
  std::int64_t time_ms = 0;
  std::int64_t id = 0;
  friend bool operator==(const PageCursor&, const PageCursor&) = default;
};

// Opaque text form for URLs ("<time_ms>.<id>") and back.
std::string encode_cursor(const PageCursor& cursor);
std::optional<PageCursor> parse_cursor(std::string_view text);

struct AlertPage {
  std::vector<Alert> alerts;
  std::optional<PageCursor> next;  // set when more rows may follow
};

struct StrategyDayCount {
  std::string day;  // IST "YYYY-MM-DD"
  std::string strategy;
  std::int64_t count = 0;
};

struct PendingNotification {
  std::int64_t notification_id = 0;
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;
  Alert alert;
};

class AlertReader {
 public:
  static constexpr int kMaxPageSize = 1000;

  explicit AlertReader(const std::filesystem::path& db_path,
                       std::chrono::milliseconds busy_timeout = std::chrono::seconds(2));

  // `limit` is clamped to [1, kMaxPageSize].
  AlertPage page(const AlertFilter& filter, std::optional<PageCursor> after, int limit);
  std::int64_t count(const AlertFilter& filter);
  std::vector<StrategyDayCount> counts_per_strategy_day(const AlertFilter& filter);
  std::optional<Alert> get(std::int64_t id);
  // Calls `row` for every match, newest first, holding one row at a time;
  // stops early when `row` returns false.
  void for_each(const AlertFilter& filter, const std::function<bool(const Alert&)>& row);
  // Outbox rows of `channel` still pending, oldest first.
  std::vector<PendingNotification> pending_notifications(std::string_view channel, int limit);
  // Outbox row counts by state ("pending", "sent", "failed") for `channel`.
  std::vector<std::pair<std::string, std::int64_t>> notification_states(std::string_view channel);

 private:
  SQLite::Database db_;
};

}  // namespace fno::alerts
