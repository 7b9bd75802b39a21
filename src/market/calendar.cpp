#include "market/calendar.hpp"

#include <fmt/format.h>

#include <charconv>

namespace fno::market {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

long day_number(IstSeconds t) { return static_cast<long>((t - seconds_of_day(t)) / kSecondsPerDay); }

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

year_month_day civil_date(IstSeconds t) { return year_month_day{sys_days{days{day_number(t)}}}; }

IstSeconds ist_midnight(year_month_day date) {
  return static_cast<IstSeconds>(sys_days{date}.time_since_epoch().count()) * kSecondsPerDay;
}

std::string format_ist(IstSeconds t) {
  const auto date = civil_date(t);
  const int sod = seconds_of_day(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), sod / 3600,
                     sod / 60 % 60, sod % 60);
}

std::optional<year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = parse_int(text.substr(0, 4));
  const auto m = parse_int(text.substr(5, 2));
  const auto d = parse_int(text.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  const year_month_day date{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                            std::chrono::day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<int> parse_hhmm(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto h = parse_int(text.substr(0, 2));
  const auto m = parse_int(text.substr(3, 2));
  if (!h || !m || *h > 24 || *m > 59 || (*h == 24 && *m != 0)) return std::nullopt;
  return *h * 3600 + *m * 60;
}

std::optional<IstSeconds> parse_ist(std::string_view text) {
  const auto date = parse_date(text.substr(0, 10));
  if (!date) return std::nullopt;
  const IstSeconds midnight = ist_midnight(*date);
  if (text.size() == 10) return midnight;
  if (text.size() != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') return std::nullopt;
  const auto h = parse_int(text.substr(11, 2));
  const auto m = parse_int(text.substr(14, 2));
  const auto sec = parse_int(text.substr(17, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 59) return std::nullopt;
  return midnight + *h * 3600 + *m * 60 + *sec;
}

MarketCalendar::MarketCalendar(SessionHours hours, std::set<year_month_day> holidays, bool every_day)
    : hours_(hours), holidays_(std::move(holidays)), every_day_(every_day) {}

bool MarketCalendar::is_trading_day(IstSeconds t) const {
  if (every_day_) return true;
  const std::chrono::weekday wd{sys_days{days{day_number(t)}}};
  if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
  return !holidays_.contains(civil_date(t));
}

bool MarketCalendar::is_open(IstSeconds t) const {
  const int sod = seconds_of_day(t);
  return is_trading_day(t) && sod >= hours_.open && sod < hours_.close;
}

IstSeconds MarketCalendar::next_open(IstSeconds t) const {
  IstSeconds day = day_start(t);
  // A year of holidays and weekends is far more than any real gap.
  for (int i = 0; i < 400; ++i, day += kSecondsPerDay) {
    const IstSeconds open = day + hours_.open;
    if (open > t && is_trading_day(day)) return open;
  }
  return day;
}

IstSeconds MarketCalendar::next_close(IstSeconds t) const {
  if (is_open(t)) return day_start(t) + hours_.close;
  return day_start(next_open(t)) + hours_.close;
}

}  // namespace fno::market
