// spsc_ring.hpp
//
// Bounded single-producer / single-consumer ring buffer: the hand-off between
// the network thread (producer: decoded feed packets) and the engine thread
// (consumer). Lock-free; `try_push` fails instead of blocking when full, so
// the producer can count the drop and keep reading its sockets. Exactly one
// producer thread and one consumer thread at a time.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>

namespace fno::util {

template <class T>
class SpscRing {
 public:
  // `capacity` is rounded up to a power of two.
  explicit SpscRing(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("SpscRing capacity must be > 0");
    std::size_t size = 1;
    while (size < capacity) size <<= 1;
    mask_ = size - 1;
    slots_ = std::make_unique<T[]>(size);
  }

  std::size_t capacity() const { return mask_ + 1; }

  // Producer side.
  bool try_push(const T& value) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_cache_ > mask_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head - tail_cache_ > mask_) return false;
    }
    slots_[head & mask_] = value;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer side.
  std::optional<T> try_pop() {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_cache_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail == head_cache_) return std::nullopt;
    }
    T value = std::move(slots_[tail & mask_]);
    tail_.store(tail + 1, std::memory_order_release);
    return value;
  }

  // Approximate (exact when called from either side with the other idle).
  std::size_t size() const {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }

 private:
  static constexpr std::size_t kLine = 64;
  std::unique_ptr<T[]> slots_;
  std::size_t mask_ = 0;
  alignas(kLine) std::atomic<std::size_t> head_{0};
  std::size_t tail_cache_ = 0;  // producer's view of tail_
  alignas(kLine) std::atomic<std::size_t> tail_{0};
  std::size_t head_cache_ = 0;  // consumer's view of head_
};

}  // namespace fno::util
