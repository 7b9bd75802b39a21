// instrument_key.hpp
//
// Identifies one instrument on the feed: Dhan exchange segment (numeric, as in
// binary headers: NSE_FNO = 2) plus security id. Security ids are unique only
// within a segment, so the pair is the key everywhere (maps, database, API).
#pragma once

#include <cstdint>
#include <functional>

namespace fno::market {

struct InstrumentKey {
  std::uint8_t segment = 0;
  std::uint32_t security_id = 0;

  friend bool operator==(const InstrumentKey&, const InstrumentKey&) = default;
  friend auto operator<=>(const InstrumentKey&, const InstrumentKey&) = default;
};

}  // namespace fno::market

template <>
struct std::hash<fno::market::InstrumentKey> {
  std::size_t operator()(const fno::market::InstrumentKey& k) const noexcept {
    return std::hash<std::uint64_t>{}((std::uint64_t{k.segment} << 32) | k.security_id);
  }
};
