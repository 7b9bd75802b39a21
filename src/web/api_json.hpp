// api_json.hpp
//
// The JSON shapes of docs/API.md, in one place, so REST answers and live
// push payloads are identical. Pure functions over values; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "alerts/alert.hpp"
#include "market/candle.hpp"
#include "market/instrument_key.hpp"
#include "web/backend.hpp"

namespace fno::web {

// "NSE_FNO" for named segments, the number as text otherwise.
std::string segment_text(std::uint8_t segment);
// Accepts a segment name or number.
std::optional<std::uint8_t> parse_segment(std::string_view text);

boost::json::object instrument_json(market::InstrumentKey key);
boost::json::object row_json(const ScannerRow& row);
boost::json::object alert_json(const alerts::Alert& alert);
boost::json::object candle_json(const market::Candle& candle);
boost::json::object watchlist_json(const Watchlist& list);
boost::json::object instrument_info_json(const InstrumentInfo& info);

// "ok" | "degraded" | "down", with reasons, from the report.
struct Health {
  std::string status;
  std::vector<std::string> reasons;
};
Health assess(const StatusReport& report);

// The /api/status object; `web` carries the server's own figures.
struct WebFigures {
  std::size_t ws_clients = 0;
  std::size_t socketio_clients = 0;
  std::uint64_t push_drops = 0;
};
boost::json::object status_json(const StatusReport& report, const WebFigures& web);

// {"error": {"code", "message", "field"?}}
std::string error_body(const ApiError& error);

// JSON number or null.
boost::json::value opt(const std::optional<double>& value);

}  // namespace fno::web
