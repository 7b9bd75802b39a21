#include "scan/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fno::scan {

Ema::Ema(int period) : period_(std::max(period, 1)), alpha_(2.0 / (period_ + 1.0)) {}

void Ema::push(double value) {
  if (count_ < period_) {
    value_ += value;
    if (++count_ == period_) value_ /= period_;
    return;
  }
  value_ += alpha_ * (value - value_);
}

std::optional<double> Ema::value() const {
  if (!ready()) return std::nullopt;
  return value_;
}

RollingMax::RollingMax(std::size_t window)
    : ring_(std::make_unique<Entry[]>(std::max<std::size_t>(window, 1))), window_(std::max<std::size_t>(window, 1)) {}

void RollingMax::push(double value) {
  const std::uint64_t seq = pushed_++;
  // Drop smaller values from the back: they can never be the max again.
  while (size_ > 0 && ring_[(head_ + size_ - 1) % window_].value <= value) --size_;
  // Expire the front once it leaves the window.
  if (size_ > 0 && ring_[head_].seq + window_ <= seq) {
    head_ = (head_ + 1) % window_;
    --size_;
  }
  ring_[(head_ + size_) % window_] = Entry{seq, value};
  ++size_;
}

std::optional<double> RollingMax::value() const {
  if (size_ == 0) return std::nullopt;
  return ring_[head_].value;
}

RollingMean::RollingMean(std::size_t window)
    : ring_(std::make_unique<double[]>(std::max<std::size_t>(window, 1))), window_(std::max<std::size_t>(window, 1)) {}

void RollingMean::push(double value) { push_slot(value, true); }

void RollingMean::push_missing() { push_slot(std::numeric_limits<double>::quiet_NaN(), false); }

void RollingMean::push_slot(double value, bool present) {
  if (count_ >= window_) {
    const double old = ring_[next_];
    if (std::isnan(old)) {
      --missing_;
    } else {
      sum_ -= old;
    }
  } else {
    ++count_;
  }
  ring_[next_] = value;
  next_ = (next_ + 1) % window_;
  if (present) {
    sum_ += value;
  } else {
    ++missing_;
  }
  // Adding and subtracting drifts; re-summing once per window keeps it exact
  // enough at O(1) amortised cost.
  if (++since_resum_ >= window_) {
    since_resum_ = 0;
    sum_ = 0.0;
    for (std::size_t i = 0; i < count_; ++i) {
      if (!std::isnan(ring_[i])) sum_ += ring_[i];
    }
  }
}

std::optional<double> RollingMean::value() const {
  const std::size_t present = count_ - missing_;
  if (present == 0) return std::nullopt;
  return sum_ / static_cast<double>(present);
}

}  // namespace fno::scan
