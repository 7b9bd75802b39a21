// signal.hpp
//
// What a strategy emits: "this instrument did this, on this candle, because".
// A plain value; the alert service turns it into a stored Alert. `reason` is
// human text that says exactly why (numbers included); `numbers` carries the
// same key figures for machines (API, CSV, charts).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"

namespace fno::scan {

enum class SignalKind { kBullish, kBearish };

inline const char* to_string(SignalKind kind) { return kind == SignalKind::kBullish ? "bullish" : "bearish"; }

struct Signal {
  market::InstrumentKey instrument;
  std::string strategy;              // registry id, e.g. "breakout"
  SignalKind kind = SignalKind::kBullish;
  double price = 0.0;                // price that triggered (close or LTP)
  market::IstSeconds candle_time = 0;  // start of the 1-minute candle it belongs to
  market::IstSeconds time = 0;         // when it fired (exchange time)
  std::string reason;
  std::vector<std::pair<std::string, double>> numbers;  // e.g. {"resistance", 2440.1}
};

}  // namespace fno::scan
