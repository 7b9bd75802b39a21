// calendar.hpp
//
// Indian market time: IST conversions, minute bucketing and the trading
// session calendar (session hours, weekends, holidays).
//
// IST is UTC+05:30 with no DST; nothing here reads the host time zone or the
// clock. Time is `IstSeconds`: seconds since 1970-01-01 00:00 in IST wall
// time, which is exactly Dhan's last-trade-time (LTT) epoch (PROTOCOL.md).
// Pure value code, safe to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace fno::market {

using IstSeconds = std::int64_t;

inline constexpr std::int64_t kIstOffsetSeconds = 5 * 3600 + 30 * 60;
inline constexpr std::int64_t kSecondsPerDay = 86400;

// UTC epoch seconds -> IST wall seconds, and back.
constexpr IstSeconds ist_from_utc(std::int64_t utc_seconds) { return utc_seconds + kIstOffsetSeconds; }
constexpr std::int64_t utc_from_ist(IstSeconds ist) { return ist - kIstOffsetSeconds; }

// Start of the IST minute containing `t` (floor, also for negative values).
constexpr IstSeconds minute_start(IstSeconds t) { return t - ((t % 60) + 60) % 60; }
// Seconds since IST midnight, in [0, 86400).
constexpr int seconds_of_day(IstSeconds t) {
  return static_cast<int>(((t % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay);
}
// IST midnight of the day containing `t`.
constexpr IstSeconds day_start(IstSeconds t) { return t - seconds_of_day(t); }

std::chrono::year_month_day civil_date(IstSeconds t);
// Midnight (IST) of a civil date.
IstSeconds ist_midnight(std::chrono::year_month_day date);
// "YYYY-MM-DD HH:MM:SS" in IST.
std::string format_ist(IstSeconds t);
// "YYYY-MM-DD" -> date; nullopt when malformed or not a real date.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (IST) -> IST seconds; nullopt when malformed.
std::optional<IstSeconds> parse_ist(std::string_view text);
// "HH:MM" -> seconds of day; nullopt when malformed.
std::optional<int> parse_hhmm(std::string_view text);

// Session hours as seconds of the IST day: open inclusive, close exclusive.
struct SessionHours {
  int open = 9 * 3600 + 15 * 60;    // 09:15
  int close = 15 * 3600 + 30 * 60;  // 15:30
};

// Trading days are Monday..Friday minus `holidays`; `every_day` makes every
// day a trading day (the demo simulator's "always open" market).
class MarketCalendar {
 public:
  MarketCalendar() = default;
  MarketCalendar(SessionHours hours, std::set<std::chrono::year_month_day> holidays, bool every_day = false);
  // A market open around the clock, every day (demo outside market hours).
  static MarketCalendar always_open() { return MarketCalendar(SessionHours{0, 86400}, {}, true); }

  bool is_trading_day(IstSeconds t) const;
  // True when `t` lies within the session of a trading day.
  bool is_open(IstSeconds t) const;
  // The first session open strictly after `t` (or `t` itself never counts).
  IstSeconds next_open(IstSeconds t) const;
  // Close of the session `t` is in; when closed, the close of the next session.
  IstSeconds next_close(IstSeconds t) const;
  const SessionHours& hours() const { return hours_; }

 private:
  SessionHours hours_;
  std::set<std::chrono::year_month_day> holidays_;
  bool every_day_ = false;
};

}  // namespace fno::market
