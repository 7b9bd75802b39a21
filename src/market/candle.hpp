// candle.hpp
//
// One closed (or forming) 1-minute OHLCV candle of one instrument, aligned to
// an IST minute boundary. A plain value: builders produce it, series store
// it, indicators and strategies read it. No behaviour beyond derived prices.
#pragma once

#include <cstdint>

#include "market/calendar.hpp"

namespace fno::market {

struct Candle {
  IstSeconds start = 0;  // first second of the IST minute (LTT epoch)
  double open = 0.0;
  double high = 0.0;
  double low = 0.0;
  double close = 0.0;
  std::uint64_t volume = 0;          // traded in this minute (delta of cumulative day volume)
  std::uint32_t open_interest = 0;   // last known OI at close; 0 when never seen
  std::uint32_t ticks = 0;           // accepted packets; 0 for a flat (no-trade) candle
  bool volume_known = false;         // false when only ticker packets (no volume) built it
  // Built from part of the minute only (first candle after start-up, a new
  // day joined late, or a feed gap): indicators use it, signals must not.
  bool partial = false;

  double typical_price() const { return (high + low + close) / 3.0; }
  bool flat() const { return ticks == 0; }
};

}  // namespace fno::market
