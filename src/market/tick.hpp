// tick.hpp
//
// One market-data update for one instrument, as the engine sees it: the
// Dhan-independent projection of a decoded feed packet (app/ converts).
// Fields a packet does not carry are empty, never zero: a ticker packet has
// no volume and must not reset it.
#pragma once

#include <cstdint>
#include <optional>

#include "market/calendar.hpp"
#include "market/instrument_key.hpp"

namespace fno::market {

struct Tick {
  InstrumentKey key;
  double ltp = 0.0;
  IstSeconds ltt = 0;                         // Dhan last-trade-time (IST wall seconds)
  std::optional<std::uint64_t> day_volume;    // cumulative day volume (quote/full)
  std::optional<std::uint32_t> open_interest;
  std::optional<double> prev_close;           // previous session close (quote/full "close")
};

}  // namespace fno::market
