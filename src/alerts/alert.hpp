// alert.hpp
//
// The stored form of a strategy signal: the Signal's facts plus what the
// alert service knows (trading symbol, underlying) and the ids the store
// assigns. A plain value, safe to copy between threads. Times: `time_ms` is
// when the signal fired (exchange time) and `created_ms` when the service
// created the alert, both UTC epoch milliseconds; `candle_time` stays in IST
// seconds like every candle in the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"
#include "scan/signal.hpp"

namespace fno::alerts {

struct Alert {
  std::int64_t id = 0;  // 0 until committed
  std::int64_t time_ms = 0;
  std::int64_t created_ms = 0;
  market::InstrumentKey instrument;
  std::string trading_symbol;
  std::string underlying;
  std::string strategy;
  scan::SignalKind kind = scan::SignalKind::kBullish;
  double price = 0.0;
  std::string reason;
  std::vector<std::pair<std::string, double>> numbers;
  market::IstSeconds candle_time = 0;
};

Alert make_alert(const scan::Signal& signal, std::string trading_symbol, std::string underlying,
                 std::int64_t created_ms);

// UTC epoch ms -> "YYYY-MM-DD HH:MM:SS" IST.
std::string format_ist_ms(std::int64_t utc_ms);

// `numbers` as a JSON object text ({"resistance":2440.1,...}) and back;
// parse returns nullopt for anything that is not such an object.
std::string numbers_to_json(const std::vector<std::pair<std::string, double>>& numbers);
std::optional<std::vector<std::pair<std::string, double>>> numbers_from_json(std::string_view json);

// "bullish"/"bearish" -> kind.
std::optional<scan::SignalKind> parse_kind(std::string_view text);

}  // namespace fno::alerts
