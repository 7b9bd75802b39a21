#include "alerts/reader.hpp"

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <variant>


namespace fno::alerts {

namespace {

constexpr const char* kAlertColumns =
    "a.id, a.time_ms, a.created_ms, a.segment, a.security_id, a.trading_symbol, a.underlying, a.strategy, "
    "a.kind, a.price, a.reason, a.numbers, a.candle_time";

using Param = std::variant<std::int64_t, double, std::string>;

struct Where {
  std::string sql;  // " WHERE ..." or empty
  std::vector<Param> params;

  void add(const std::string& clause, Param p) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
    params.push_back(std::move(p));
  }
};

std::int64_t utc_ms_of_ist_midnight(std::chrono::year_month_day day) {
  return market::utc_from_ist(market::ist_midnight(day)) * 1000;
}

Where where_of(const AlertFilter& f) {
  Where w;
  if (f.from_day) w.add("a.time_ms >= ?", utc_ms_of_ist_midnight(*f.from_day));
  if (f.to_day) {
    const auto next = std::chrono::sys_days(*f.to_day) + std::chrono::days(1);
    w.add("a.time_ms < ?", utc_ms_of_ist_midnight(std::chrono::year_month_day(next)));
  }
  if (!f.trading_symbol.empty()) w.add("a.trading_symbol = ?", f.trading_symbol);
  if (!f.underlying.empty()) w.add("a.underlying = ?", f.underlying);
  if (!f.strategy.empty()) w.add("a.strategy = ?", f.strategy);
  if (f.kind) w.add("a.kind = ?", std::string(scan::to_string(*f.kind)));
  if (f.min_price) w.add("a.price >= ?", *f.min_price);
  return w;
}

void bind_all(SQLite::Statement& stmt, const std::vector<Param>& params) {
  int index = 1;
  for (const auto& p : params) {
    std::visit([&](const auto& v) { stmt.bind(index, v); }, p);
    ++index;
  }
}

Alert alert_from_row(SQLite::Statement& s) {
  Alert a;
  a.id = s.getColumn(0).getInt64();
  a.time_ms = s.getColumn(1).getInt64();
  a.created_ms = s.getColumn(2).getInt64();
  a.instrument.segment = static_cast<std::uint8_t>(s.getColumn(3).getInt());
  a.instrument.security_id = static_cast<std::uint32_t>(s.getColumn(4).getInt64());
  a.trading_symbol = s.getColumn(5).getString();
  a.underlying = s.getColumn(6).getString();
  a.strategy = s.getColumn(7).getString();
  a.kind = parse_kind(s.getColumn(8).getString()).value_or(scan::SignalKind::kBullish);
  a.price = s.getColumn(9).getDouble();
  a.reason = s.getColumn(10).getString();
  a.numbers = numbers_from_json(s.getColumn(11).getString()).value_or(decltype(a.numbers){});
  a.candle_time = s.getColumn(12).getInt64();
  return a;
}

}  // namespace

std::string encode_cursor(const PageCursor& cursor) { return fmt::format("{}.{}", cursor.time_ms, cursor.id); }

std::optional<PageCursor> parse_cursor(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  PageCursor c;
  const auto parse = [](std::string_view part, std::int64_t& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (!parse(text.substr(0, dot), c.time_ms) || !parse(text.substr(dot + 1), c.id)) return std::nullopt;
  return c;
}

AlertReader::AlertReader(const std::filesystem::path& db_path, std::chrono::milliseconds busy_timeout)
    : db_(db_path.string(), SQLite::OPEN_READONLY) {
  db_.setBusyTimeout(static_cast<int>(busy_timeout.count()));
}

AlertPage AlertReader::page(const AlertFilter& filter, std::optional<PageCursor> after, int limit) {
  limit = std::clamp(limit, 1, kMaxPageSize);
  Where w = where_of(filter);
  if (after) {
    // Written as a plain range on time_ms so every (filter, time_ms) index
    // serves it; the OR only refines rows that share the cursor's time.
    w.add("a.time_ms <= ?", after->time_ms);
    w.sql += " AND (a.time_ms < ? OR a.id < ?)";
    w.params.emplace_back(after->time_ms);
    w.params.emplace_back(after->id);
  }
  SQLite::Statement stmt(db_, fmt::format("SELECT {} FROM alerts a{} ORDER BY a.time_ms DESC, a.id DESC LIMIT ?",
                                          kAlertColumns, w.sql));
  bind_all(stmt, w.params);
  stmt.bind(static_cast<int>(w.params.size()) + 1, limit + 1);
  AlertPage page;
  while (stmt.executeStep()) {
    if (static_cast<int>(page.alerts.size()) == limit) {
      const Alert& last = page.alerts.back();
      page.next = PageCursor{last.time_ms, last.id};
      break;
    }
    page.alerts.push_back(alert_from_row(stmt));
  }
  return page;
}

std::int64_t AlertReader::count(const AlertFilter& filter) {
  const Where w = where_of(filter);
  SQLite::Statement stmt(db_, "SELECT count(*) FROM alerts a" + w.sql);
  bind_all(stmt, w.params);
  stmt.executeStep();
  return stmt.getColumn(0).getInt64();
}

std::vector<StrategyDayCount> AlertReader::counts_per_strategy_day(const AlertFilter& filter) {
  const Where w = where_of(filter);
  // IST day number: shift UTC ms by +05:30, then whole days since the epoch.
  SQLite::Statement stmt(
      db_, fmt::format("SELECT (a.time_ms + {}) / {} AS day, a.strategy, count(*) FROM alerts a{} "
                       "GROUP BY day, a.strategy ORDER BY day DESC, a.strategy",
                       market::kIstOffsetSeconds * 1000, market::kSecondsPerDay * 1000, w.sql));
  bind_all(stmt, w.params);
  std::vector<StrategyDayCount> out;
  while (stmt.executeStep()) {
    const market::IstSeconds day_start = stmt.getColumn(0).getInt64() * market::kSecondsPerDay;
    out.push_back({market::format_ist(day_start).substr(0, 10), stmt.getColumn(1).getString(),
                   stmt.getColumn(2).getInt64()});
  }
  return out;
}

std::optional<Alert> AlertReader::get(std::int64_t id) {
  SQLite::Statement stmt(db_, fmt::format("SELECT {} FROM alerts a WHERE a.id = ?", kAlertColumns));
  stmt.bind(1, id);
  if (!stmt.executeStep()) return std::nullopt;
  return alert_from_row(stmt);
}

void AlertReader::for_each(const AlertFilter& filter, const std::function<bool(const Alert&)>& row) {
  const Where w = where_of(filter);
  SQLite::Statement stmt(
      db_, fmt::format("SELECT {} FROM alerts a{} ORDER BY a.time_ms DESC, a.id DESC", kAlertColumns, w.sql));
  bind_all(stmt, w.params);
  while (stmt.executeStep()) {
    if (!row(alert_from_row(stmt))) return;
  }
}

std::vector<PendingNotification> AlertReader::pending_notifications(std::string_view channel, int limit) {
  SQLite::Statement stmt(db_, fmt::format("SELECT {}, n.id, n.attempts, n.next_attempt_ms FROM notifications n "
                                          "JOIN alerts a ON a.id = n.alert_id "
                                          "WHERE n.channel = ? AND n.state = 'pending' ORDER BY n.id LIMIT ?",
                                          kAlertColumns));
  stmt.bind(1, std::string(channel));
  stmt.bind(2, limit);
  std::vector<PendingNotification> out;
  while (stmt.executeStep()) {
    PendingNotification p;
    p.alert = alert_from_row(stmt);
    p.notification_id = stmt.getColumn(13).getInt64();
    p.attempts = stmt.getColumn(14).getInt();
    p.next_attempt_ms = stmt.getColumn(15).getInt64();
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> AlertReader::notification_states(std::string_view channel) {
  SQLite::Statement stmt(db_,
                         "SELECT state, count(*) FROM notifications WHERE channel = ? GROUP BY state ORDER BY state");
  stmt.bind(1, std::string(channel));
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (stmt.executeStep()) out.emplace_back(stmt.getColumn(0).getString(), stmt.getColumn(1).getInt64());
  return out;
}

}  // namespace fno::alerts
