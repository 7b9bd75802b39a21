// market_model.hpp
//
// The simulator's market: a deterministic (seeded) random walk per
// instrument with realistic tick-size rounding, cumulative day volume and
// open interest, plus 1-minute history that ends exactly where the live walk
// starts (the last history close is the first live price), and scripted
// pushes (breakouts) that scenarios use. Also tracks the live 1-minute
// candles it produces so scenarios can compute resistance and ground truth.
//
// Reads no clock: time is an argument (IST seconds). Owns no I/O.
// Not thread-safe: owned by the simulator's io_context thread.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "dhan/codec.hpp"
#include "market/calendar.hpp"
#include "sim/universe.hpp"

namespace fno::sim {

struct MinuteCandle {
  market::IstSeconds start = 0;  // IST minute start
  double open = 0, high = 0, low = 0, close = 0;
  std::uint64_t volume = 0;
};

// The breakout rule (DESIGN.md) judges a forming candle's close against the
// highest typical price (H+L+C)/3 of the `lookback` candles before it, and
// only as a crossing: the close before it must not be above that level. True
// when `closed` (those candles, oldest first, the last closed one included)
// already fails that, within `margin` (a fraction, for ties): then no close
// of the forming candle can signal a breakout.
bool crossed_before(const std::vector<MinuteCandle>& closed, double margin);

struct DailyCandle {
  market::IstSeconds day = 0;  // IST midnight
  double open = 0, high = 0, low = 0, close = 0;
  std::uint64_t volume = 0;
};

struct InstrumentState {
  double ltp = 0, open = 0, high = 0, low = 0, prev_close = 0;
  double turnover = 0;  // for ATP
  std::uint64_t day_volume = 0;
  std::uint32_t open_interest = 0;
  std::uint32_t prev_oi = 0;
  std::uint32_t ltt = 0;
  std::uint16_t ltq = 0;
};

struct ModelOptions {
  std::uint64_t seed = 1;
  double ticks_per_second = 1.0;  // per instrument
  std::size_t recent_candles = 120;  // live candles kept per instrument
};

class MarketModel {
 public:
  // `live_start`: IST time the live walk begins; history ends before its minute.
  MarketModel(std::vector<SimInstrument> universe, ModelOptions options, market::IstSeconds live_start);

  std::size_t size() const { return instruments_.size(); }
  const SimInstrument& instrument(std::size_t i) const { return instruments_[i]; }
  const InstrumentState& state(std::size_t i) const { return states_[i]; }
  std::optional<std::size_t> index_of(market::InstrumentKey key) const;
  market::IstSeconds live_start() const { return live_start_; }

  // Advances every instrument by `dt_seconds` ending at `now`; appends the
  // indices of instruments that traded (each at most once per call).
  void advance(market::IstSeconds now, double dt_seconds, std::vector<std::size_t>& traded);

  // Scripted move: over `seconds`, drive instrument `i` to `target` with
  // volume × `volume_multiplier` per trade.
  void push(std::size_t i, double target, double volume_multiplier, double seconds);

  // Session 1-minute candles with start in [from, to), all before live start.
  std::vector<MinuteCandle> minute_history(std::size_t i, market::IstSeconds from, market::IstSeconds to,
                                           const market::MarketCalendar& calendar) const;
  // Trading-day candles with day in [from, to), before the live day.
  std::vector<DailyCandle> daily_history(std::size_t i, market::IstSeconds from, market::IstSeconds to,
                                         const market::MarketCalendar& calendar) const;
  // Closes every live candle whose minute ended by `now`, traded in since or
  // not (a scanner closes them on its clock too).
  void close_candles(market::IstSeconds now);
  // Closed live candles (oldest first), preceded by history when fewer.
  std::vector<MinuteCandle> recent_candles(std::size_t i, std::size_t count,
                                           const market::MarketCalendar& calendar) const;

  // Packets for instrument i's current state.
  dhan::Packet ticker_packet(std::size_t i) const;
  dhan::Packet quote_packet(std::size_t i) const;
  dhan::Packet oi_packet(std::size_t i) const;
  dhan::Packet prev_close_packet(std::size_t i) const;
  dhan::Packet full_packet(std::size_t i) const;

 private:
  struct Push {
    double target = 0;
    double volume_multiplier = 1;
    double seconds_left = 0;
  };
  struct Live {
    std::deque<MinuteCandle> closed;
    std::optional<MinuteCandle> current;
  };

  double round_to_tick(std::size_t i, double price) const;
  // One trade of instrument i; returns its quantity.
  std::uint64_t trade(std::size_t i, market::IstSeconds now, std::mt19937_64& rng, double drift);
  void record_candle(std::size_t i, market::IstSeconds now, double price, std::uint64_t qty);
  void close_candle(Live& live, market::IstSeconds minute);

  std::vector<SimInstrument> instruments_;
  ModelOptions options_;
  market::IstSeconds live_start_;
  std::vector<InstrumentState> states_;
  std::vector<double> base_price_;  // price at live start
  std::vector<std::mt19937_64> rngs_;
  std::vector<double> tick_credit_;
  std::vector<std::optional<Push>> pushes_;
  std::vector<Live> live_;
  std::unordered_map<market::InstrumentKey, std::size_t> index_;
};

// Deterministic 64-bit mix (splitmix64 finaliser) for seeding per instrument/minute.
std::uint64_t mix64(std::uint64_t x);

}  // namespace fno::sim
