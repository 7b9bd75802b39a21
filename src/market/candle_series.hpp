// candle_series.hpp
//
// Bounded ring of closed candles for one instrument, oldest first. When
// full, pushing drops the oldest. Storage grows with the candles actually
// held (doubling, never past the capacity), so the tens of thousands of
// instruments that have closed few candles, or none, cost next to nothing.
// Candles are stored packed (float prices, 32-bit minute and volume: 32
// bytes each) because the feed carries float32 prices and a series per
// instrument must stay small (a full 425-candle series ≈ 13.3 KB). Reading
// returns a full `Candle`; callers that need values identical to what later
// reads return should use the candle read back via back(). Not thread-safe;
// owned by the engine thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "market/candle.hpp"

namespace fno::market {

class CandleSeries {
 public:
  explicit CandleSeries(std::size_t capacity);

  void push(const Candle& candle);
  // Empties the series; keeps the storage (it is refilled right away).
  void clear() {
    slots_.clear();
    head_ = 0;
  }

  std::size_t size() const { return slots_.size(); }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return slots_.empty(); }
  // i = 0 is the oldest stored candle.
  Candle operator[](std::size_t i) const;
  Candle back() const { return (*this)[slots_.size() - 1]; }
  // Heap bytes held by this series (for memory accounting).
  std::size_t heap_bytes() const;

 private:
  struct Packed {
    std::int32_t minute;  // start / 60
    float open, high, low, close;
    std::uint32_t volume;
    std::uint32_t open_interest;
    std::uint16_t ticks;
    std::uint8_t flags;
  };
  static Packed pack(const Candle& c);
  static Candle unpack(const Packed& p);

  std::vector<Packed> slots_;  // in push order until full, then a ring from head_
  std::size_t capacity_;
  std::size_t head_ = 0;  // index of the oldest (0 until full)
};

}  // namespace fno::market
