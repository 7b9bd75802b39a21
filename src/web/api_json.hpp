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
#include <vector>

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
// A scanner row as JSON text and where each top-level member ends (the
// offset just past it), written straight from the row: the hub serializes
// every changed row, tens of thousands a second. Members, in order:
// segment, security_id, symbol, underlying, type, version, ltp, prev_close,
// change_pct, day_volume, open_interest, resistance,
// distance_to_breakout_pct, ema_short, ema_long, average_volume,
// last_candle_ms, readiness [{strategy, ready, candles, needed}],
// last_signal {strategy, kind, price, time_ms, reason} (or null); numbers
// without a value are null. `out` is overwritten (its storage reused).
struct RowText {
  std::string json;
  std::vector<std::uint32_t> member_ends;
};
void write_row_json(const ScannerRow& row, RowText& out);
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
