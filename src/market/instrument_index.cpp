#include "market/instrument_index.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

namespace fno::market {

namespace {

constexpr std::size_t kMinCapacity = 16;

}  // namespace

std::size_t InstrumentIndex::probe(std::uint64_t packed) const {
  std::size_t i = home(packed);
  while (entries_[i] != 0 && (entries_[i] >> kPositionBits) != packed) i = (i + 1) & mask_;
  return i;
}

bool InstrumentIndex::insert(InstrumentKey key, std::uint32_t position) {
  if (position > kMaxPosition) throw std::length_error("instrument index: position out of range");
  if ((size_ + 1) * 2 > entries_.size()) grow();
  const std::uint64_t packed = pack(key);
  const std::size_t i = probe(packed);
  if (entries_[i] != 0) return false;
  entries_[i] = (packed << kPositionBits) | (position + 1);
  ++size_;
  return true;
}

bool InstrumentIndex::assign(InstrumentKey key, std::uint32_t position) {
  if (position > kMaxPosition) throw std::length_error("instrument index: position out of range");
  if (entries_.empty()) return false;
  const std::uint64_t packed = pack(key);
  const std::size_t i = probe(packed);
  if (entries_[i] == 0) return false;
  entries_[i] = (packed << kPositionBits) | (position + 1);
  return true;
}

std::optional<std::uint32_t> InstrumentIndex::erase(InstrumentKey key) {
  if (entries_.empty()) return std::nullopt;
  std::size_t hole = probe(pack(key));
  if (entries_[hole] == 0) return std::nullopt;
  const auto position = static_cast<std::uint32_t>((entries_[hole] & kPositionMask) - 1);
  // Backward shift: an entry later in the run moves into the hole unless its
  // home lies cyclically after the hole (it would then be unreachable there).
  for (std::size_t j = (hole + 1) & mask_; entries_[j] != 0; j = (j + 1) & mask_) {
    const std::size_t want = home(entries_[j] >> kPositionBits);
    const bool stays = hole < j ? (want > hole && want <= j) : (want > hole || want <= j);
    if (stays) continue;
    entries_[hole] = entries_[j];
    hole = j;
  }
  entries_[hole] = 0;
  --size_;
  return position;
}

void InstrumentIndex::grow() {
  const std::size_t capacity = std::max(kMinCapacity, entries_.size() * 2);
  std::vector<std::uint64_t> old = std::exchange(entries_, std::vector<std::uint64_t>(capacity, 0));
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  for (const std::uint64_t entry : old) {
    if (entry != 0) entries_[probe(entry >> kPositionBits)] = entry;
  }
}

}  // namespace fno::market
