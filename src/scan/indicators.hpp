// indicators.hpp
//
// Incremental indicators over closed candles, O(1) per value (amortised for
// RollingMean's periodic re-summation), fixed memory per instance:
// - Ema: seeded with the SMA of the first `period` values (as charting tools
//   do), then value = prev + alpha * (x - prev), alpha = 2 / (period + 1).
// - RollingMax: max over the last `window` values via a monotonic deque held
//   in a fixed ring (resistance = max typical price over `lookback`).
// - RollingMean: mean over the last `window` values, some of which may be
//   missing (ticker candles carry no volume); the mean is over present ones.
// Pure values, no I/O. Not thread-safe; one per (instrument, use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

namespace fno::scan {

class Ema {
 public:
  explicit Ema(int period);
  void push(double value);
  bool ready() const { return count_ >= period_; }
  // nullopt until `period` values have been pushed.
  std::optional<double> value() const;
  int period() const { return period_; }

 private:
  int period_;
  int count_ = 0;
  double alpha_;
  double value_ = 0.0;  // running sum while seeding, then the EMA
};

class RollingMax {
 public:
  explicit RollingMax(std::size_t window);
  void push(double value);
  bool full() const { return pushed_ >= window_; }
  // Max of the last min(window, pushed) values; nullopt when empty.
  std::optional<double> value() const;
  std::size_t window() const { return window_; }

 private:
  struct Entry {
    std::uint64_t seq;
    double value;
  };
  std::unique_ptr<Entry[]> ring_;
  std::size_t window_;
  std::size_t head_ = 0;  // front of the deque (oldest, largest)
  std::size_t size_ = 0;
  std::uint64_t pushed_ = 0;
};

class RollingMean {
 public:
  explicit RollingMean(std::size_t window);
  void push(double value);
  void push_missing();
  bool full() const { return count_ >= window_; }
  // Missing values among the last min(window, pushed).
  std::size_t missing() const { return missing_; }
  // Mean of the present values in the window; nullopt when none.
  std::optional<double> value() const;
  std::size_t window() const { return window_; }

 private:
  void push_slot(double value, bool present);

  std::unique_ptr<double[]> ring_;  // NaN marks a missing value
  std::size_t window_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::size_t missing_ = 0;
  std::size_t since_resum_ = 0;
  double sum_ = 0.0;
};

}  // namespace fno::scan
