#include "alerts/alert.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace fno::alerts {

namespace {

// Euclidean division keeps pre-1970 values on the right second.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b) < 0 ? 1 : 0); }

}  // namespace

Alert make_alert(const scan::Signal& signal, std::string trading_symbol, std::string underlying,
                 std::int64_t created_ms) {
  Alert a;
  a.time_ms = market::utc_from_ist(signal.time) * 1000;
  a.created_ms = created_ms;
  a.instrument = signal.instrument;
  a.trading_symbol = std::move(trading_symbol);
  a.underlying = std::move(underlying);
  a.strategy = signal.strategy;
  a.kind = signal.kind;
  a.price = signal.price;
  a.reason = signal.reason;
  a.numbers = signal.numbers;
  a.candle_time = signal.candle_time;
  return a;
}

std::string format_ist_ms(std::int64_t utc_ms) { return market::format_ist(market::ist_from_utc(floor_div(utc_ms, 1000))); }

// Written by hand because Boost.JSON prints doubles in exponent form
// (2.4401E3), which is unreadable in CSV and the API.
std::string numbers_to_json(const std::vector<std::pair<std::string, double>>& numbers) {
  std::string out = "{";
  for (const auto& [name, value] : numbers) {
    if (out.size() > 1) out += ',';
    out += boost::json::serialize(boost::json::string(name));
    out += ':';
    out += std::isfinite(value) ? fmt::format("{}", value) : "null";
  }
  out += '}';
  return out;
}

std::optional<std::vector<std::pair<std::string, double>>> numbers_from_json(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [name, value] : v.get_object()) {
    if (value.is_null()) {
      out.emplace_back(std::string(name), std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    if (!value.is_number()) return std::nullopt;
    out.emplace_back(std::string(name), value.to_number<double>());
  }
  return out;
}

std::optional<scan::SignalKind> parse_kind(std::string_view text) {
  if (text == "bullish") return scan::SignalKind::kBullish;
  if (text == "bearish") return scan::SignalKind::kBearish;
  return std::nullopt;
}

}  // namespace fno::alerts
