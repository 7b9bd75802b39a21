// candle_series.hpp
//
// Fixed-capacity ring of closed candles for one instrument, oldest first.
// When full, pushing drops the oldest. Candles are stored packed (float
// prices, 32-bit minute and volume: 32 bytes each) because the feed carries
// float32 prices and a series per instrument must stay small (400 candles
// ≈ 12.5 KB). Reading returns a full `Candle`; callers that need values
// identical to what later reads return should use the candle read back via
// back(). Not thread-safe; owned by the engine thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "market/candle.hpp"

namespace fno::market {

class CandleSeries {
 public:
  explicit CandleSeries(std::size_t capacity);

  void push(const Candle& candle);
  void clear() { size_ = 0; head_ = 0; }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  // i = 0 is the oldest stored candle.
  Candle operator[](std::size_t i) const;
  Candle back() const { return (*this)[size_ - 1]; }
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

  std::unique_ptr<Packed[]> slots_;
  std::size_t capacity_;
  std::size_t head_ = 0;  // index of the oldest
  std::size_t size_ = 0;
};

}  // namespace fno::market
