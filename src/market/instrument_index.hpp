// instrument_index.hpp
//
// Maps an InstrumentKey to a position in the caller's own dense array (the
// scanner's slots), for the per-packet lookup on the engine thread. Open
// addressing with linear probing over one flat array of 8-byte entries (the
// key and the position packed together), at most half full: a lookup is one
// multiply and usually one cache line, and no node is allocated per key (a
// std::unordered_map over 25,000 instruments missed the cache twice per
// packet, bucket then node).
//
// Contract: positions are whatever the caller stores, 0..kMaxPosition;
// insert() never overwrites, assign() moves a present key to a new position
// (swap-and-pop removal in the caller's array), erase() shifts the rest of
// the probe run back instead of leaving tombstones, so lookups stay short
// after any number of removals. Growth doubles the table and keeps every
// mapping. Not thread-safe; owned by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "market/instrument_key.hpp"

namespace fno::market {

class InstrumentIndex {
 public:
  static constexpr std::uint32_t kMaxPosition = (1u << 24) - 2;

  // The key's position, or nullopt when absent.
  std::optional<std::uint32_t> find(InstrumentKey key) const {
    if (entries_.empty()) return std::nullopt;
    const std::uint64_t packed = pack(key);
    for (std::size_t i = home(packed);; i = (i + 1) & mask_) {
      const std::uint64_t entry = entries_[i];
      if (entry == 0) return std::nullopt;
      if ((entry >> kPositionBits) == packed) return static_cast<std::uint32_t>((entry & kPositionMask) - 1);
    }
  }
  // Maps `key` to `position`; false (and nothing changes) when the key is
  // already present. Throws std::length_error above kMaxPosition.
  bool insert(InstrumentKey key, std::uint32_t position);
  // Moves a present key to `position`; false when the key is absent.
  bool assign(InstrumentKey key, std::uint32_t position);
  // The removed key's position, or nullopt when it was absent.
  std::optional<std::uint32_t> erase(InstrumentKey key);

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return entries_.size(); }

 private:
  static constexpr int kPositionBits = 24;
  static constexpr std::uint64_t kPositionMask = (std::uint64_t{1} << kPositionBits) - 1;

  // 40 bits: segment above the 32-bit security id.
  static std::uint64_t pack(InstrumentKey key) { return (std::uint64_t{key.segment} << 32) | key.security_id; }
  // Fibonacci hashing: sequential security ids spread over the whole table.
  std::size_t home(std::uint64_t packed) const {
    return static_cast<std::size_t>((packed * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  // Where `key` sits, or where it would go.
  std::size_t probe(std::uint64_t packed) const;
  void grow();

  // 0 = empty; otherwise key << 24 | (position + 1).
  std::vector<std::uint64_t> entries_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace fno::market
