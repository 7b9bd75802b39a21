#include "market/candle_series.hpp"

#include <algorithm>
#include <limits>

namespace fno::market {

namespace {

constexpr std::uint8_t kVolumeKnown = 1;
constexpr std::uint8_t kPartial = 2;
constexpr std::size_t kFirstBlock = 16;  // candles: a quarter of an hour's worth

template <typename T, typename V>
T saturate(V value) {
  return static_cast<T>(std::min<V>(value, static_cast<V>(std::numeric_limits<T>::max())));
}

}  // namespace

CandleSeries::CandleSeries(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void CandleSeries::push(const Candle& candle) {
  if (slots_.size() < capacity_) {
    // Grow by hand: vector's own doubling would overshoot the capacity.
    if (slots_.size() == slots_.capacity()) {
      slots_.reserve(std::min(capacity_, std::max(kFirstBlock, 2 * slots_.size())));
    }
    slots_.push_back(pack(candle));
    return;
  }
  slots_[head_] = pack(candle);
  head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
}

Candle CandleSeries::operator[](std::size_t i) const {
  const std::size_t at = head_ + i;
  return unpack(slots_[at < slots_.size() ? at : at - slots_.size()]);
}

std::size_t CandleSeries::heap_bytes() const { return slots_.capacity() * sizeof(Packed); }

CandleSeries::Packed CandleSeries::pack(const Candle& c) {
  Packed p{};
  p.minute = static_cast<std::int32_t>(c.start / 60);
  p.open = static_cast<float>(c.open);
  p.high = static_cast<float>(c.high);
  p.low = static_cast<float>(c.low);
  p.close = static_cast<float>(c.close);
  p.volume = saturate<std::uint32_t>(c.volume);
  p.open_interest = c.open_interest;
  p.ticks = saturate<std::uint16_t>(c.ticks);
  p.flags = static_cast<std::uint8_t>((c.volume_known ? kVolumeKnown : 0) | (c.partial ? kPartial : 0));
  return p;
}

Candle CandleSeries::unpack(const Packed& p) {
  Candle c;
  c.start = static_cast<IstSeconds>(p.minute) * 60;
  c.open = p.open;
  c.high = p.high;
  c.low = p.low;
  c.close = p.close;
  c.volume = p.volume;
  c.open_interest = p.open_interest;
  c.ticks = p.ticks;
  c.volume_known = (p.flags & kVolumeKnown) != 0;
  c.partial = (p.flags & kPartial) != 0;
  return c;
}

}  // namespace fno::market
